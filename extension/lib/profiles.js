/**
 * The host's profile table ({columns, rows}, PROTOCOL.md "profiles") turned into plain objects,
 * plus the favourites / recently-used lists kept in storage. No secrets ever live here.
 */
import { extensionError } from './errors.js';

/** Converts {columns, rows} into objects keyed by column name; rows without a name are dropped. */
export function rowsToProfiles(table) {
  const columns = Array.isArray(table?.columns) ? table.columns : [];
  const rows = Array.isArray(table?.rows) ? table.rows : [];
  const profiles = [];
  // Plain loops: this runs over every row of the list before the popup's first paint.
  for (let r = 0; r < rows.length; r += 1) {
    const row = rows[r];
    if (!Array.isArray(row)) continue;
    const profile = {};
    for (let i = 0; i < columns.length; i += 1) profile[columns[i]] = row[i] ?? null;
    if (typeof profile.name === 'string' && profile.name) profiles.push(profile);
  }
  return profiles;
}

/**
 * The profile table as the background keeps it in storage.local: one JSON string. Extension
 * storage converts a nested value member by member on every read (a table of 10,000 rows
 * takes about a second on a slow machine, before the popup can paint); a string is copied
 * whole, and JSON.parse reads it back in a few milliseconds.
 */
export function storedTable(table) {
  return JSON.stringify(table);
}

/** The table read back from storage.local: the JSON string, or an object kept by an older
 * version; null for anything else (the popup then waits for the host). */
export function parseStoredTable(value) {
  if (typeof value === 'string') {
    try {
      const table = JSON.parse(value);
      return table && typeof table === 'object' && !Array.isArray(table) ? table : null;
    } catch {
      return null;
    }
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
}

export const MAX_RECENT = 8;

/** Moves `name` to the front of the recently-used list, keeping at most `max` distinct names. */
export function pushRecent(recent, name, max = MAX_RECENT) {
  const rest = (Array.isArray(recent) ? recent : []).filter((item) => item !== name);
  return [name, ...rest].slice(0, max);
}

/** Adds `name` to the favourites if absent, removes it if present. */
export function toggleFavourite(favourites, name) {
  const list = Array.isArray(favourites) ? favourites : [];
  return list.includes(name) ? list.filter((item) => item !== name) : [...list, name];
}

/** How often a paged read starts over because the config changed between pages. */
export const MAX_PAGING_RESTARTS = 3;

/**
 * Reads the whole profile table through `requestPage(offset)`, following `next_offset`.
 * PROTOCOL.md "profiles", paging: a list too large for one frame comes in pages; if
 * `generation` differs between pages the files changed, so the read starts again at 0.
 */
export async function fetchAllPages(requestPage, maxRestarts = MAX_PAGING_RESTARTS) {
  for (let attempt = 0; attempt <= maxRestarts; attempt += 1) {
    const first = await requestPage(0);
    const rows = [...(Array.isArray(first?.rows) ? first.rows : [])];
    let page = first;
    let changed = false;
    while (Number.isInteger(page?.next_offset) && page.next_offset > 0) {
      // A next_offset that does not move forward would loop forever: trust only progress.
      if (page.next_offset !== rows.length) {
        throw extensionError('pagesOutOfOrder');
      }
      page = await requestPage(page.next_offset);
      if ((page?.generation ?? null) !== (first.generation ?? null)) {
        changed = true;
        break;
      }
      rows.push(...(Array.isArray(page?.rows) ? page.rows : []));
    }
    if (!changed) return { ...first, rows, next_offset: null, total: rows.length };
  }
  throw extensionError('configChanging');
}
