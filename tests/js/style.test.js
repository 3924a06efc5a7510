import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  CONTAINER_COLORS, CONTAINER_ICONS, containerName, containerStyle, fnv1a, stableColor,
  stableIcon, tabGroupColor,
} from '../../extension/lib/style.js';

describe('stable colour and icon', () => {
  it('hashes with FNV-1a (known vectors)', () => {
    assert.equal(fnv1a(''), 0x811c9dc5);
    assert.equal(fnv1a('a'), 0xe40c292c);
    assert.equal(fnv1a('foobar'), 0xbf9cf968);
  });

  it('gives the same profile the same colour and icon every time', () => {
    assert.equal(stableColor('prod-admin'), stableColor('prod-admin'));
    assert.equal(stableIcon('prod-admin'), stableIcon('prod-admin'));
  });

  it('spreads names over many valid colours and icons, never "toolbar"', () => {
    const names = Array.from({ length: 300 }, (_, i) => `profile-${i}`);
    const colours = new Set(names.map(stableColor));
    const icons = new Set(names.map(stableIcon));
    assert.ok(colours.size >= 6, `only ${colours.size} colours`);
    assert.ok(icons.size >= 10, `only ${icons.size} icons`);
    for (const colour of colours) assert.ok(CONTAINER_COLORS.includes(colour));
    for (const icon of icons) assert.ok(CONTAINER_ICONS.includes(icon));
    assert.ok(!colours.has('toolbar'));
  });
});

describe('containerStyle', () => {
  it('uses the configured colour and icon when valid', () => {
    assert.deepEqual(containerStyle({ name: 'p', color: 'Red', icon: 'briefcase' }), {
      color: 'red', icon: 'briefcase', explicitColor: true, explicitIcon: true,
    });
  });

  it('derives what is missing or invalid', () => {
    const style = containerStyle({ name: 'p', color: 'chartreuse', icon: null });
    assert.equal(style.color, stableColor('p'));
    assert.equal(style.icon, stableIcon('p'));
    assert.equal(style.explicitColor, false);
    assert.equal(style.explicitIcon, false);
  });
});

describe('containerName', () => {
  it('prefers the configured container, else prefix + profile', () => {
    assert.equal(containerName('prod', { prefix: 'aws:', configured: 'Production' }), 'Production');
    assert.equal(containerName('prod', { prefix: 'aws:', configured: '  ' }), 'aws:prod');
    assert.equal(containerName('prod', {}), 'prod');
  });
});

describe('tabGroupColor', () => {
  it('maps container colours onto tab group colours', () => {
    assert.equal(tabGroupColor('turquoise'), 'cyan');
    assert.equal(tabGroupColor('red'), 'red');
    assert.equal(tabGroupColor('nonsense'), 'grey');
  });
});
