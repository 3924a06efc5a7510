/**
 * The `aws` keyword's events (manifest "omnibox"; omnibox.js has the pure suggestions): the
 * search index of the cached profile list, what the dropdown shows, and Enter, which opens the
 * chosen profile through the popup's login path (login.js). A failure the user must act on
 * opens the place that shows it: the welcome page for a missing or outdated host, the popup
 * (where MFA codes are typed) for the rest.
 */
import { mergeDiscovered, rowsToDiscovered } from './discovery.js';
import { buildIndex } from './fuzzy.js';
import {
  chooseProfile, defaultSuggestion, omniboxSuggestions, opensInBackground,
} from './omnibox.js';
import { parseStoredTable, rowsToProfiles } from './profiles.js';
import { STORAGE_KEYS } from './settings.js';
import { SETUP_ERROR_CODES } from './setup.js';
import { DISCOVERED_STORAGE_KEY } from './sso.js';

/**
 * `ext` the API object; `fetchProfiles()` the host's table (cached in storage by the
 * background); `openProfile(options)` login.js; `openWelcome()` the welcome page.
 * Returns {suggest(text), enter(text, disposition), listen()}.
 */
export function createOmnibox({
  ext, fetchProfiles, openProfile, openWelcome,
}) {
  // Chromium parses suggestion descriptions as XML; Firefox shows them as plain text.
  const markup = typeof ext.runtime.getBrowserInfo !== 'function';
  let cached = { version: null, entries: [] };

  /**
   * The search index of the popup's list: the cached profiles (fetched from the host when
   * nothing is cached) and the roles IAM Identity Center listed, merged as the popup merges them.
   */
  async function state() {
    const stored = await ext.storage.local.get([
      STORAGE_KEYS.profiles, STORAGE_KEYS.favourites, STORAGE_KEYS.recent, DISCOVERED_STORAGE_KEY,
    ]);
    let table = parseStoredTable(stored[STORAGE_KEYS.profiles]);
    if (!table) table = await fetchProfiles();
    const discovered = parseStoredTable(stored[DISCOVERED_STORAGE_KEY]);
    const version = `${table.fetched_at}|${discovered?.fetched_at ?? ''}`;
    if (cached.version !== version || cached.entries.length === 0) {
      const profiles = mergeDiscovered(rowsToProfiles(table), rowsToDiscovered(discovered));
      cached = { version, entries: buildIndex(profiles) };
    }
    const list = (key) => (Array.isArray(stored[key]) ? stored[key] : []);
    return {
      index: cached.entries,
      favourites: list(STORAGE_KEYS.favourites),
      recent: list(STORAGE_KEYS.recent),
    };
  }

  /** What the dropdown shows for `text`: {suggestions, defaultSuggestion}. */
  async function suggest(text) {
    const { index, favourites, recent } = await state();
    const options = { favourites, recent, markup };
    return {
      suggestions: omniboxSuggestions(index, text, options),
      defaultSuggestion: defaultSuggestion(index, text, options),
    };
  }

  /** Enter in the address bar: opens the chosen (or best matching) profile. */
  async function enter(text, disposition) {
    const { index, favourites, recent } = await state();
    const profile = chooseProfile(index, text, { favourites, recent });
    if (!profile) return { profile: null };
    try {
      return await openProfile({ profile: profile.name, background: opensInBackground(disposition) });
    } catch (error) {
      if (SETUP_ERROR_CODES.includes(error?.code)) {
        await openWelcome().catch(() => {});
      } else if (typeof ext.action?.openPopup === 'function') {
        await ext.action.openPopup().catch(() => {});
      }
      throw error;
    }
  }

  /** Wires the address bar's events (where the browser has an omnibox). */
  function listen() {
    const { omnibox } = ext;
    if (!omnibox) return;
    omnibox.onInputStarted.addListener(() => {
      // Picks up config edits made since the list was cached; the suggestions use the cache.
      fetchProfiles().catch(() => {});
    });
    omnibox.onInputChanged.addListener((text, show) => {
      suggest(text).then(({ suggestions, defaultSuggestion: first }) => {
        omnibox.setDefaultSuggestion(first);
        show(suggestions);
      }, () => show([]));
    });
    omnibox.onInputEntered.addListener((text, disposition) => {
      enter(text, disposition).catch(() => {});
    });
  }

  return { suggest, enter, listen };
}
