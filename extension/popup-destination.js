/**
 * The popup's "Open this page as another role": when the page the user is on is an AWS console
 * page, a checkbox makes the chosen role open the same service page and region
 * (lib/destinations.js). It starts unticked: a click on a signed-in role then still brings its
 * own console to the front without signing in again; ticked, the click signs in to that page.
 */
import { consoleDestination, describeDestination, sourceTab } from './lib/destinations.js';
import { h } from './lib/ui.js';

/** Adds the offer after `anchor` when it applies; returns {destination()} (a URL or null). */
export async function startSamePage({ ext, anchor }) {
  let destination = null;
  try {
    const tabs = await ext.tabs.query({ currentWindow: true });
    const tab = sourceTab(tabs, ext.runtime.getURL(''));
    destination = tab ? consoleDestination(tab.url) : null;
  } catch {
    destination = null; // no tab to look at: roles open at their usual destination
  }
  if (!destination || !anchor) return { destination: () => null };
  const box = h('input', { type: 'checkbox', id: 'same-page' });
  const row = h('p', { className: 'same-page' }, box, ' ',
    h('label', { for: 'same-page' }, `Open this page as the chosen role: ${describeDestination(destination)}`));
  anchor.after(row);
  return { destination: () => (box.checked ? destination.url : null) };
}
