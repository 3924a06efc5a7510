/**
 * Type-to-filter for the popup: every whitespace-separated token of the query must match one
 * of a profile's fields (profile name, account name, account id, role, region), so "prd adm"
 * finds "prod-admin". Matches rank by how well the tokens hit: whole field > field prefix >
 * word prefix > substring > loose subsequence. Pure functions, no DOM.
 */

const WORD_BOUNDARY = /[\s\-_./:@]/;

/** Lower-cases and trims; null/undefined become "". */
export function normalize(text) {
  return String(text ?? '').toLowerCase().trim();
}

/** Splits a query into lower-case tokens; an empty or blank query has no tokens. */
export function tokenize(query) {
  return normalize(query).split(/\s+/).filter(Boolean);
}

function isWordStart(field, index) {
  return index === 0 || WORD_BOUNDARY.test(field[index - 1]);
}

/**
 * The score of the subsequence of `token` in `field` that starts at `start`, taking each next
 * character as early as possible; 0 if it does not fit or is not compact (span at most three
 * times the token length).
 */
function subsequenceFrom(token, field, start) {
  let from = start;
  let previous = -2;
  let score = 0;
  for (const character of token) {
    const found = field.indexOf(character, from);
    if (found < 0) return 0;
    score += found === previous + 1 ? 3 : 1;
    if (isWordStart(field, found)) score += 2;
    previous = found;
    from = found + 1;
  }
  if (previous - start + 1 > token.length * 3) return 0;
  return Math.min(50, 10 + score);
}

/**
 * How well one token matches one field, 0 for no match. A subsequence must stay compact so that
 * short tokens do not match every long name. Besides the first occurrence of the token's first
 * character, each one that starts a word is tried, because a token abbreviates a word from its
 * start and the earliest letter may be far from it ("prd" in "payments-prod": the "p" of
 * "payments" is too far, the "p" of "prod" is not).
 */
export function scoreToken(token, field) {
  if (!token || !field) return 0;
  const at = field.indexOf(token);
  if (at === 0) return field.length === token.length ? 120 : 100;
  if (at > 0) {
    if (isWordStart(field, at)) return 80;
    return 60;
  }
  const first = field.indexOf(token[0]);
  if (first < 0) return 0;
  let best = subsequenceFrom(token, field, first);
  for (let start = field.indexOf(token[0], first + 1); start >= 0;
    start = field.indexOf(token[0], start + 1)) {
    if (isWordStart(field, start)) best = Math.max(best, subsequenceFrom(token, field, start));
  }
  return best;
}

/** Field order gives a small tie-break weight: the profile name matters most. */
const FIELD_WEIGHTS = [1.0, 0.95, 0.9, 0.9, 0.6];

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Precomputes, once per list rather than once per keystroke, the lower-cased fields of each
 * profile and its alphabetical position (the tie-break), because collating thousands of names on
 * every keystroke costs more than the matching itself.
 */
export function buildIndex(profiles) {
  const entries = profiles.map((profile) => ({
    profile,
    order: 0,
    fields: [
      normalize(profile.name),
      normalize(profile.account_name),
      normalize(profile.account_id),
      normalize(profile.role),
      normalize(profile.region),
    ],
  }));
  [...entries]
    .sort((a, b) => collator.compare(a.fields[0], b.fields[0]))
    .forEach((entry, position) => {
      entry.order = position;
    });
  return entries;
}

/** The score of one indexed profile for the tokens, 0 if any token matches no field. */
export function scoreEntry(entry, tokens) {
  let total = 0;
  for (const token of tokens) {
    let best = 0;
    for (let i = 0; i < entry.fields.length; i += 1) {
      const score = scoreToken(token, entry.fields[i]) * FIELD_WEIGHTS[i];
      if (score > best) best = score;
    }
    if (best === 0) return 0;
    total += best;
  }
  return total;
}

/**
 * Filters and ranks an index. Returns {matches, total}: the best `limit` profiles (all when
 * limit is omitted) and how many matched. An empty query keeps every profile in index order.
 * `boost(profile)` adds to the score of matching profiles (favourites, recently used).
 */
export function rankProfiles(index, query, { limit = Infinity, boost } = {}) {
  const tokens = tokenize(query);
  if (tokens.length === 0) {
    const all = index.map((entry) => entry.profile);
    return { matches: all.slice(0, limit), total: all.length };
  }
  const scored = [];
  for (const entry of index) {
    const score = scoreEntry(entry, tokens);
    if (score > 0) scored.push({ score: score + (boost ? boost(entry.profile) : 0), entry });
  }
  scored.sort((a, b) => b.score - a.score || a.entry.order - b.entry.order);
  return {
    matches: scored.slice(0, limit).map((item) => item.entry.profile),
    total: scored.length,
  };
}
