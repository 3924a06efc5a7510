/**
 * The popup's way to the welcome page: an error that means "the helper program is missing,
 * too old or not registered for this extension" gets a link to the page's step-by-step setup.
 */
import { ext } from './lib/browser.js';
import { SETUP_ERROR_CODES } from './lib/setup.js';
import { callBackground, h } from './lib/ui.js';

/** Appends the "Set up roleport" link to the error box when `error` is a setup problem. */
export function linkSetupGuide(errorBox, error) {
  if (!error || !SETUP_ERROR_CODES.includes(error.code)) return;
  if (errorBox.querySelector('a.setup-guide')) return;
  const link = h('a', {
    className: 'setup-guide',
    href: ext.runtime.getURL('extension/welcome.html'),
    target: '_blank',
  }, 'Show me how to set it up');
  link.addEventListener('click', async (event) => {
    event.preventDefault();
    await callBackground(ext, { type: 'openWelcome' });
    if (!(await ext.tabs.getCurrent().catch(() => null))) window.close();
  });
  errorBox.append(h('span', { className: 'setup-link' }, link));
}
