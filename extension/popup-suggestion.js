/**
 * The popup's "Did you mean ...": when a query matches nothing as typed and the search's
 * typo-tolerant pass found a corrected query (lib/fuzzy.js, rankProfiles' `suggestion`), the
 * list shows that query's matches and this line offers the correction as a button, reachable
 * with Tab from the search field; choosing it puts the corrected query into the field.
 */
import { h } from './lib/ui.js';

const BOX_ID = 'suggestion';

/**
 * Shows (or, for a null suggestion, removes) the line above the list. `search` is the search
 * field: the button writes the suggestion into it and fires its "input" event, so the popup
 * filters exactly as if the user had typed it.
 */
export function showSuggestion(search, query, suggestion) {
  const existing = document.getElementById(BOX_ID);
  if (!suggestion) {
    existing?.remove();
    return;
  }
  const button = h('button', { type: 'button', className: 'suggestion-query' }, suggestion);
  button.addEventListener('click', () => {
    search.value = suggestion;
    search.dispatchEvent(new Event('input', { bubbles: true }));
    search.focus();
  });
  const box = h('p', { id: BOX_ID, className: 'suggestion', role: 'status' },
    `No exact match for \u201c${query.trim()}\u201d. Did you mean `, button, '?');
  if (existing) existing.replaceWith(box);
  else document.getElementById('results').before(box);
}
