/**
 * The first screen of the popup's list, kept apart in storage.local: the sections and rows the
 * popup showed last without a query (its first rows only), with their colours, the list's
 * size and the favourites and recent lists they were grouped with. The next popup paints them
 * from this small value before it has read, parsed and grouped the whole table (thousands of
 * rows, which take longer than the rest of the popup's start), then checks them against the
 * whole list and rebuilds the list if they differ. Pure functions, no DOM; the rows hold what
 * the profile table holds (names, account ids and names, roles, regions), never a secret.
 */

export const LIST_HEAD_KEY = 'listHead';
/** Changes whenever the stored shape does: an older head is then ignored. */
const VERSION = 1;

function sameNames(a, b) {
  const left = Array.isArray(a) ? a : [];
  const right = Array.isArray(b) ? b : [];
  return left.length === right.length && left.every((name, i) => name === right[i]);
}

/**
 * The head of a list as stored (a JSON string): `parts` are the first sections as
 * {section, profiles, color, rowColors} (section without its full profile list), `shown` and
 * `total` the row counts the status line gives, `favourites` and `recent` the lists the
 * sections were grouped with.
 */
export function listHead({
  parts, shown, total, favourites = [], recent = [],
}) {
  return JSON.stringify({
    version: VERSION,
    shown,
    total,
    favourites,
    recent,
    parts: parts.map(({
      section, profiles, color = null, rowColors = [],
    }) => {
      const meta = { ...section };
      delete meta.profiles; // the whole group: the head keeps only the rows it shows
      return {
        section: meta, profiles, color, rowColors,
      };
    }),
  });
}

function validPart(part) {
  return part && typeof part === 'object'
    && part.section && typeof part.section.id === 'string' && typeof part.section.title === 'string'
    && Array.isArray(part.profiles) && part.profiles.length > 0
    && part.profiles.every((profile) => profile && typeof profile.name === 'string' && profile.name)
    && Array.isArray(part.rowColors);
}

/**
 * The stored head, if it can be painted now: same version, a list with rows, well formed,
 * grouped with the favourites and recent lists the popup has now (else the sections would be
 * wrong until the whole list is read); null otherwise.
 */
export function parseListHead(value, { favourites = [], recent = [] } = {}) {
  if (typeof value !== 'string') return null;
  let head;
  try {
    head = JSON.parse(value);
  } catch {
    return null;
  }
  if (!head || head.version !== VERSION || !Array.isArray(head.parts) || head.parts.length === 0) {
    return null;
  }
  if (!Number.isInteger(head.total) || head.total <= 0 || !Number.isInteger(head.shown)) return null;
  if (!head.parts.every(validPart)) return null;
  if (!sameNames(head.favourites, favourites) || !sameNames(head.recent, recent)) return null;
  return head;
}
