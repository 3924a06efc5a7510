import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import {
  CONTAINER_COLORS, DEFAULT_ICON, NEUTRAL_COLOR, accountColor, accountColors, configuredColor,
  containerName, containerStyle, fnv1a, profileColor, stableColor, tabGroupColor,
} from '../../extension/lib/style.js';

describe('stable colour', () => {
  it('hashes with FNV-1a (known vectors)', () => {
    assert.equal(fnv1a(''), 0x811c9dc5);
    assert.equal(fnv1a('a'), 0xe40c292c);
    assert.equal(fnv1a('foobar'), 0xbf9cf968);
  });

  it('gives the same key the same colour every time', () => {
    assert.equal(stableColor('111122223333'), stableColor('111122223333'));
  });

  it('spreads account ids over many valid colours, never the neutral grey', () => {
    const ids = Array.from({ length: 300 }, (_, i) => String(100000000000 + i * 7919));
    const colours = new Set(ids.map(stableColor));
    assert.ok(colours.size >= 6, `only ${colours.size} colours`);
    for (const colour of colours) assert.ok(CONTAINER_COLORS.includes(colour));
    assert.ok(!colours.has(NEUTRAL_COLOR));
  });
});

describe('configuredColor', () => {
  it('accepts Firefox colour names in any case and nothing else', () => {
    assert.equal(configuredColor(' Red '), 'red');
    assert.equal(configuredColor('turquoise'), 'turquoise');
    assert.equal(configuredColor('chartreuse'), null);
    assert.equal(configuredColor(null), null);
  });
});

const ACCOUNT = '111122223333';
const prod = (name, fields = {}) => ({ name, account_id: ACCOUNT, account_name: 'Production', ...fields });

describe('accountColors: one colour per account', () => {
  it('derives the colour from the account id, not the profile name', () => {
    const colours = accountColors([prod('prod-admin'), prod('prod-readonly')]);
    assert.deepEqual(colours.get(ACCOUNT), { color: stableColor(ACCOUNT), explicit: false });
    assert.equal(profileColor(prod('prod-admin'), colours).color,
      profileColor(prod('prod-readonly'), colours).color, 'two roles of one account agree');
  });

  it('takes roleport_color / granted_color of any profile of the account', () => {
    const profiles = [prod('a'), prod('b', { color: 'Red' }), prod('c')];
    const colours = accountColors(profiles);
    assert.deepEqual(colours.get(ACCOUNT), { color: 'red', explicit: true });
    assert.equal(profileColor(profiles[0], colours).color, 'red');
    assert.equal(profileColor(profiles[2], colours).color, 'red');
  });

  it('prefers roleport_account_color over a profile colour', () => {
    const profiles = [prod('a', { color: 'blue' }), prod('b', { account_color: 'red' })];
    const colours = accountColors(profiles);
    assert.equal(colours.get(ACCOUNT).color, 'red');
    assert.equal(accountColor(profiles[1], colours).color, 'red', 'the header');
    assert.equal(profileColor(profiles[1], colours).color, 'red');
    // A profile that sets its own colour keeps it (per profile when set).
    assert.deepEqual(profileColor(profiles[0], colours), { color: 'blue', explicit: true });
  });

  it('ignores colours Firefox would refuse, and greys profiles without an account', () => {
    const colours = accountColors([prod('a', { color: 'chartreuse' }), { name: 'loose' }]);
    assert.equal(colours.get(ACCOUNT).explicit, false);
    assert.deepEqual(colours.get(''), { color: NEUTRAL_COLOR, explicit: false });
  });

  it('groups by account name when the id is unknown', () => {
    const colours = accountColors([{ name: 'x', account_name: 'Identity' }]);
    assert.equal(colours.get('Identity').color, stableColor('Identity'));
  });
});

describe('containerStyle', () => {
  it('uses the configured colour and icon when valid', () => {
    assert.deepEqual(containerStyle({ name: 'p', color: 'Red', icon: 'briefcase' }), {
      color: 'red', icon: 'briefcase', explicitColor: true, explicitIcon: true,
    });
  });

  it('takes the account colour and one neutral icon, never a hashed icon', () => {
    const profiles = [prod('a', { account_color: 'green' }), prod('b'), prod('c', { icon: 'food ' })];
    const colours = accountColors(profiles);
    assert.deepEqual(containerStyle(profiles[1], colours), {
      color: 'green', icon: DEFAULT_ICON, explicitColor: true, explicitIcon: false,
    });
    assert.equal(containerStyle(profiles[2], colours).icon, 'food');
    for (const name of ['prod', 'dev', 'cart', 'x', 'y']) {
      assert.equal(containerStyle({ name }).icon, DEFAULT_ICON);
    }
  });

  it('derives what is missing or invalid from the account id', () => {
    const style = containerStyle({ name: 'p', account_id: ACCOUNT, color: 'chartreuse', icon: null });
    assert.equal(style.color, stableColor(ACCOUNT));
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
    assert.equal(tabGroupColor('toolbar'), 'grey');
    assert.equal(tabGroupColor('nonsense'), 'grey');
  });
});

// The popup's bars (popup.css --env-*): non-text contrast of 3:1 (WCAG 2.2, 1.4.11) on the
// background and the hover colour, light and dark, for every colour name.
const css = (name) => readFileSync(new URL(`../../extension/${name}`, import.meta.url), 'utf8');

function tokens(text) {
  return Object.fromEntries([...text.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})/gi)]
    .map(([, name, value]) => [name, value]));
}

function themes(text) {
  const at = text.indexOf('prefers-color-scheme: dark');
  return { light: tokens(text.slice(0, at)), dark: tokens(text.slice(at)) };
}

function luminance(hex) {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
}

function contrast(a, b) {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
}

describe('environment colours in the popup', () => {
  const common = themes(css('common.css'));
  const popup = themes(css('popup.css'));
  const popupText = css('popup.css');
  for (const theme of ['light', 'dark']) {
    const colours = { ...common.light, ...popup.light, ...common[theme], ...popup[theme] };
    for (const name of CONTAINER_COLORS) {
      it(`${theme}: the ${name} bar reaches 3:1 on --bg and --hover`, () => {
        const value = colours[`env-${name}`];
        assert.ok(value, `--env-${name} is defined`);
        for (const background of ['bg', 'hover']) {
          const ratio = contrast(value, colours[background]);
          assert.ok(ratio >= 3, `${value} on ${colours[background]} is ${ratio.toFixed(2)}:1`);
        }
      });
    }
  }

  it('maps every colour name to its token', () => {
    for (const name of CONTAINER_COLORS) {
      assert.ok(popupText.includes(`[data-env="${name}"] { --env: var(--env-${name}); }`), name);
    }
  });
});
