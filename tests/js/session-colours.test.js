// WCAG 2.2 AA contrast (4.5:1 for text, 1.4.3) of the live-session marker colours at the end
// of popup.css, on the page colours of common.css, light and dark.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const css = (name) => readFileSync(new URL(`../../extension/${name}`, import.meta.url), 'utf8');

function tokens(text) {
  const block = /:root\s*\{([^}]*)\}/.exec(text)[1];
  return Object.fromEntries([...block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})/gi)]
    .map(([, name, value]) => [name, value]));
}

function themes(text) {
  const light = tokens(text);
  return [light, { ...light, ...tokens(text.slice(text.indexOf('prefers-color-scheme: dark'))) }];
}

const common = css('common.css');
const popup = css('popup.css');
const sessions = popup.slice(popup.indexOf('Live console sessions'));
const [commonLight, commonDark] = themes(common);
const [sessionLight, sessionDark] = themes(sessions);

function luminance(hex) {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
}

function contrast(a, b) {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
}

const PAIRS = [
  ['session-live', 'bg'], ['session-live', 'hover'], ['session-soon-fg', 'session-soon-bg'],
  ['bg', 'session-live'],
];

describe('live-session marker contrast', () => {
  for (const [theme, colours] of [['light', { ...commonLight, ...sessionLight }], ['dark', { ...commonDark, ...sessionDark }]]) {
    for (const [fg, bg] of PAIRS) {
      it(`${theme}: --${fg} on --${bg} reaches 4.5:1`, () => {
        assert.ok(colours[fg] && colours[bg], `--${fg} and --${bg} are defined`);
        const ratio = contrast(colours[fg], colours[bg]);
        assert.ok(ratio >= 4.5, `${colours[fg]} on ${colours[bg]} is ${ratio.toFixed(2)}:1`);
      });
    }
  }
});
