// WCAG 2.2 AA contrast of the colour tokens in common.css, light and dark: 4.5:1 for text
// (1.4.3), 3:1 for focus rings and the borders that show where a text field is (1.4.11).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const css = (name) => readFileSync(new URL(`../../extension/${name}`, import.meta.url), 'utf8');
const common = css('common.css');

/** The custom properties of the first `:root { ... }` block in `text`. */
function tokens(text) {
  const block = /:root\s*\{([^}]*)\}/.exec(text)[1];
  return Object.fromEntries([...block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})/gi)]
    .map(([, name, value]) => [name, value]));
}

const light = tokens(common);
const dark = { ...light, ...tokens(common.slice(common.indexOf('prefers-color-scheme: dark'))) };

function luminance(hex) {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
}

function contrast(a, b) {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high + 0.05) / (low + 0.05);
}

const TEXT = [
  ['fg', 'bg'], ['fg', 'hover'], ['muted', 'bg'], ['muted', 'hover'], ['fg', 'badge-bg'],
  // Progress text ("Opening…") is accent-coloured on a row that is hovered while it opens.
  ['accent', 'bg'], ['accent', 'hover'], ['accent-fg', 'accent'], ['error-fg', 'error-bg'],
];
const NON_TEXT = [['focus', 'bg'], ['focus', 'hover'], ['field-border', 'bg']];

describe('colour contrast', () => {
  for (const [theme, colours] of [['light', light], ['dark', dark]]) {
    for (const [pairs, minimum] of [[TEXT, 4.5], [NON_TEXT, 3]]) {
      for (const [fg, bg] of pairs) {
        it(`${theme}: --${fg} on --${bg} reaches ${minimum}:1`, () => {
          assert.ok(colours[fg] && colours[bg], `--${fg} and --${bg} are defined`);
          const ratio = contrast(colours[fg], colours[bg]);
          assert.ok(ratio >= minimum, `${colours[fg]} on ${colours[bg]} is ${ratio.toFixed(2)}:1`);
        });
      }
    }
  }

  it('draws every text field with the field border', () => {
    const rule = (text, selector) => {
      const at = text.indexOf(`${selector} {`);
      assert.ok(at >= 0, `a rule for ${selector}`);
      return text.slice(at, text.indexOf('}', at));
    };
    for (const [file, selector] of [['popup.css', '#search'], ['popup.css', '.mfa input'],
      ['options.css', 'input[type="text"], select']]) {
      assert.match(rule(css(file), selector), /border: 1px solid var\(--field-border\)/, `${file} ${selector}`);
    }
  });
});
