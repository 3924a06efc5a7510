/**
 * The host's profile table ({columns, rows}, PROTOCOL.md "profiles") turned into plain objects,
 * plus the favourites / recently-used lists kept in storage. No secrets ever live here.
 */

/** Converts {columns, rows} into objects keyed by column name; rows without a name are dropped. */
export function rowsToProfiles(table) {
  const columns = Array.isArray(table?.columns) ? table.columns : [];
  const rows = Array.isArray(table?.rows) ? table.rows : [];
  const profiles = [];
  for (const row of rows) {
    if (!Array.isArray(row)) continue;
    const profile = {};
    columns.forEach((column, i) => {
      profile[column] = row[i] ?? null;
    });
    if (typeof profile.name === 'string' && profile.name) profiles.push(profile);
  }
  return profiles;
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
