/**
 * Type-to-filter for the popup: every whitespace-separated token of the query must match one
 * of a profile's fields (profile name, account name, account id, role, region), so "prd adm"
 * finds "prod-admin". Matches rank by how well the tokens hit: whole field > field prefix >
 * word prefix > substring > loose subsequence; an account id typed whole or from its start
 * ranks above all of them. When nothing matches, a typo-tolerant pass suggests a corrected query
 * ("prdo admin" -> "prod admin"). Pure functions, no DOM.
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

/** WORD_BOUNDARY by character code below 128, so that the hot path runs no regular expression. */
const ASCII_BOUNDARY = Uint8Array.from({ length: 128 },
  (_, code) => Number(WORD_BOUNDARY.test(String.fromCharCode(code))));

function isWordStart(field, index) {
  if (index === 0) return true;
  const code = field.charCodeAt(index - 1);
  return code < 128 ? ASCII_BOUNDARY[code] === 1 : WORD_BOUNDARY.test(field[index - 1]);
}

/** Returned by subsequenceFrom when the token is not a subsequence of the field's rest at all. */
const NOT_IN_REST = -1;

/**
 * The score of the subsequence of `token` (its characters: `characters`) in `field` that
 * starts at `start`, taking each next character as early as possible; 0 if it is not compact
 * (span at most three times the token length), NOT_IN_REST if it does not fit at all: then it
 * fits from no later start either.
 */
function subsequenceFrom(token, characters, field, start) {
  let from = start;
  let previous = -2;
  let score = 0;
  for (let i = 0; i < characters.length; i += 1) {
    const found = field.indexOf(characters[i], from);
    if (found < 0) return NOT_IN_REST;
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
export function scoreToken(token, field, { loose = true } = {}) {
  return scoreText(token, null, field, loose);
}

/** scoreToken with the token's characters (Array.from) computed once by the caller, or null. */
function scoreText(token, characters, field, loose) {
  if (!token || !field) return 0;
  const at = field.indexOf(token);
  if (at === 0) return field.length === token.length ? 120 : 100;
  if (at > 0) {
    if (isWordStart(field, at)) return 80;
    return 60;
  }
  if (!loose) return 0;
  const first = field.indexOf(token[0]);
  if (first < 0) return 0;
  const chars = characters ?? Array.from(token);
  let best = subsequenceFrom(token, chars, field, first);
  if (best === NOT_IN_REST) return 0;
  for (let start = field.indexOf(token[0], first + 1); start >= 0;
    start = field.indexOf(token[0], start + 1)) {
    if (!isWordStart(field, start)) continue;
    const score = subsequenceFrom(token, chars, field, start);
    if (score === NOT_IN_REST) break;
    if (score > best) best = score;
  }
  return best;
}

/** Field order gives a small tie-break weight: the profile name matters most. */
const FIELD_WEIGHTS = [1.0, 0.95, 0.9, 0.9, 0.6];
const ACCOUNT_ID_FIELD = 2;

/**
 * An account id typed whole or from its start ranks above any other match: people copy ids from
 * the console, which writes them in groups of four ("1111-2222-3333"), or type their first
 * digits. These scores exceed the best a token can earn in any other field (120) plus the
 * popup's favourite and recent boosts.
 */
export const ACCOUNT_ID_EXACT = 400;
export const ACCOUNT_ID_PREFIX = 300;
const GROUPED_DIGITS = /^[0-9]+(?:-[0-9]*)*$/;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * A 32-bit set of the characters in `text` (character code modulo 32): a token whose set is not
 * contained in a field's cannot match it in any way, which rules out most fields with one AND.
 */
function characterMask(text) {
  let mask = 0;
  for (let i = 0; i < text.length; i += 1) mask |= 1 << (text.charCodeAt(i) & 31);
  return mask;
}

/**
 * One query token, prepared once per keystroke: its character set, and for a token of digits
 * (and the console's dashes) the bare digits compared with account ids. Digits never match as a
 * loose subsequence: "3333" is not a loose abbreviation of 131313131313.
 */
function prepareToken(text) {
  const digits = GROUPED_DIGITS.test(text) ? text.replace(/-/g, '') : null;
  return {
    text,
    mask: characterMask(text),
    digits,
    digitsMask: digits ? characterMask(digits) : 0,
    loose: digits === null,
    characters: Array.from(text),
  };
}

/**
 * Precomputes, once per list rather than once per keystroke, the lower-cased fields of each
 * profile, their character sets and its alphabetical position (the tie-break), because
 * collating thousands of names on every keystroke costs more than the matching itself.
 */
export function buildIndex(profiles) {
  const entries = profiles.map((profile) => {
    const fields = [
      normalize(profile.name),
      normalize(profile.account_name),
      normalize(profile.account_id),
      normalize(profile.role),
      normalize(profile.region),
    ];
    return { profile, order: 0, fields, masks: fields.map(characterMask) };
  });
  collationOrder(entries.map((entry) => entry.fields[0])).forEach((at, position) => {
    entries[at].order = position;
  });
  return entries;
}

const DIGIT_RUN = /[0-9]+/g;

/** Digit runs padded to one width, so that plain string order mostly agrees with numeric. */
function roughKey(text) {
  return text.replace(DIGIT_RUN, (digits) => digits.padStart(20, '0'));
}

/**
 * The positions of `texts` in collation order (the popup's alphabetical order: numeric,
 * case-insensitive). Sorting 10,000 names with Intl.Collator costs over a hundred thousand
 * collator calls; sorting them first by a cheap key that nearly always agrees with it (plain
 * comparison, digit runs padded) leaves the collator an almost sorted list, which its stable
 * sort checks in about one call per name. The result is the collator's order either way.
 */
export function collationOrder(texts) {
  const keyed = texts.map((text, at) => ({ text, key: roughKey(text), at }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : Number(a.key > b.key)) || a.at - b.at);
  keyed.sort((a, b) => collator.compare(a.text, b.text));
  return keyed.map((item) => item.at);
}

/** The score of a digits token against an account id: exact, prefix, else as a substring. */
function accountIdScore(token, field, mask) {
  if ((token.digitsMask & mask) !== token.digitsMask) return 0;
  if (field === token.digits) return ACCOUNT_ID_EXACT;
  if (field.startsWith(token.digits)) return ACCOUNT_ID_PREFIX;
  return scoreToken(token.digits, field, { loose: false }) * FIELD_WEIGHTS[ACCOUNT_ID_FIELD];
}

function scorePrepared(token, entry) {
  let best = 0;
  const { fields, masks } = entry;
  for (let i = 0; i < fields.length; i += 1) {
    let score;
    if (i === ACCOUNT_ID_FIELD && token.digits) {
      score = accountIdScore(token, fields[i], masks[i]);
    } else if ((token.mask & masks[i]) === token.mask) {
      score = scoreText(token.text, token.characters, fields[i], token.loose) * FIELD_WEIGHTS[i];
    } else {
      continue;
    }
    if (score > best) best = score;
  }
  return best;
}

function scorePreparedEntry(entry, prepared) {
  let total = 0;
  for (const token of prepared) {
    const best = scorePrepared(token, entry);
    if (best === 0) return 0;
    total += best;
  }
  return total;
}

/** The score of one indexed profile for the tokens, 0 if any token matches no field. */
export function scoreEntry(entry, tokens) {
  return scorePreparedEntry(entry, tokens.map(prepareToken));
}

/** Ranking order: higher score first, then alphabetical (the index's order). */
function better(a, b) {
  return b.score - a.score || a.entry.order - b.entry.order;
}

/**
 * Keeps the best `limit` of the scored items in a heap whose root is the worst kept, so that a
 * short query matching all of 10,000 profiles costs one comparison for most of them instead of
 * a full sort (which dominated a keystroke's time).
 */
class TopItems {
  constructor(limit) {
    this.limit = limit;
    this.heap = [];
  }

  offer(item) {
    const { heap } = this;
    if (heap.length < this.limit) {
      heap.push(item);
      this.up(heap.length - 1);
    } else if (better(item, heap[0]) < 0) {
      heap[0] = item;
      this.down(0);
    }
  }

  up(start) {
    const { heap } = this;
    let child = start;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (better(heap[child], heap[parent]) <= 0) return;
      [heap[child], heap[parent]] = [heap[parent], heap[child]];
      child = parent;
    }
  }

  down(start) {
    const { heap } = this;
    let parent = start;
    for (;;) {
      let worst = parent;
      for (const child of [2 * parent + 1, 2 * parent + 2]) {
        if (child < heap.length && better(heap[child], heap[worst]) > 0) worst = child;
      }
      if (worst === parent) return;
      [heap[worst], heap[parent]] = [heap[parent], heap[worst]];
      parent = worst;
    }
  }

  sorted() {
    return this.heap.sort(better);
  }
}

function rankTokens(index, tokens, limit, boost) {
  const prepared = tokens.map(prepareToken);
  const kept = limit === Infinity ? null : new TopItems(limit);
  const all = [];
  let total = 0;
  for (const entry of index) {
    const score = scorePreparedEntry(entry, prepared);
    if (score === 0) continue;
    total += 1;
    const item = { score: score + (boost ? boost(entry.profile) : 0), entry };
    if (kept) kept.offer(item);
    else all.push(item);
  }
  const best = kept ? kept.sorted() : all.sort(better);
  return { matches: best.map((item) => item.entry.profile), total };
}

/**
 * Filters and ranks an index. Returns {matches, total, suggestion}: the best `limit` profiles
 * (all when limit is omitted), how many matched, and null. An empty query keeps every profile in
 * index order. `boost(profile)` adds to the score of matching profiles (favourites, recently
 * used).
 *
 * When nothing matches, a typo-tolerant pass corrects the tokens that are not part of any word
 * of the list to the nearest word (suggestQuery); if the corrected query matches, its matches are
 * returned with `suggestion` set to it, for the popup's "Did you mean ...".
 */
export function rankProfiles(index, query, { limit = Infinity, boost } = {}) {
  const tokens = tokenize(query);
  if (tokens.length === 0) {
    const all = index.map((entry) => entry.profile);
    return { matches: all.slice(0, limit), total: all.length, suggestion: null };
  }
  const strict = rankTokens(index, tokens, limit, boost);
  if (strict.total > 0) return { ...strict, suggestion: null };
  const suggestion = suggestQuery(index, tokens);
  if (suggestion === null) return { ...strict, suggestion: null };
  const corrected = rankTokens(index, tokenize(suggestion), limit, boost);
  return corrected.total > 0 ? { ...corrected, suggestion } : { ...strict, suggestion: null };
}

// -- typo tolerance ---------------------------------------------------------------------------

const WORD_SPLIT = /[\s\-_./:@]+/;
const HAS_LETTER = /[a-z]/;
/** Shorter tokens are abbreviations, not typos: "prd" must not be "corrected" to "prod". */
const MIN_TYPO_TOKEN = 4;
const vocabularies = new WeakMap();

/** Typos tolerated in a token of this length: one up to 7 characters, two from 8. */
export function allowedTypos(length) {
  if (length < MIN_TYPO_TOKEN) return 0;
  return length >= 8 ? 2 : 1;
}

/**
 * The words of an index's fields (split where a word boundary is), each with the number of
 * profiles that hold it; built on the first typo pass and kept with the index.
 */
function vocabulary(index) {
  let words = vocabularies.get(index);
  if (words) return words;
  const counts = new Map();
  for (const entry of index) {
    const seen = new Set();
    for (const field of entry.fields) {
      for (const word of field.split(WORD_SPLIT)) {
        if (word.length >= 2 && HAS_LETTER.test(word)) seen.add(word);
      }
    }
    for (const word of seen) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  words = [...counts].map(([word, count]) => ({ word, count, mask: characterMask(word) }));
  vocabularies.set(index, words);
  return words;
}

/** How many of the characters (as mask bits, repeats counted) a word's mask lacks. */
function lacking(bits, mask) {
  let count = 0;
  for (const bit of bits) if ((bit & mask) === 0) count += 1;
  return count;
}

/**
 * The optimal string alignment distance (Levenshtein plus the transposition of two adjacent
 * characters, the commonest typing slip: "prdo", "secuirty"), or max + 1 as soon as it must
 * exceed `max`.
 */
export function typoDistance(a, b, max) {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let beforePrevious = null;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowBest = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, beforePrevious[j - 2] + 1);
      }
      current.push(value);
      if (value < rowBest) rowBest = value;
    }
    if (rowBest > max) return max + 1;
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length];
}

/**
 * The word of the list nearest to a token within its allowed typos, or null: the fewest typos
 * first, a whole word before a word's start (a token still being typed), then the word more
 * profiles hold, then alphabetical order so that the choice is stable.
 */
function nearestWord(token, words) {
  const max = allowedTypos(token.length);
  if (max === 0 || !HAS_LETTER.test(token)) return null;
  const bits = Array.from(token, (character) => 1 << (character.charCodeAt(0) & 31));
  let best = null;
  for (const { word, count, mask } of words) {
    // Each character of the token that the word lacks costs an edit: most words lack too many.
    if (word === token || lacking(bits, mask) > max) continue;
    let distance = typoDistance(token, word, max);
    let partial = 0;
    if (distance > max && word.length > token.length) {
      distance = typoDistance(token, word.slice(0, token.length), max);
      partial = 1;
    }
    if (distance > max) continue;
    const candidate = { word, distance, partial, count };
    if (best === null || compareCandidates(candidate, best) < 0) best = candidate;
  }
  return best?.word ?? null;
}

function compareCandidates(a, b) {
  return a.distance - b.distance || a.partial - b.partial || b.count - a.count
    || (a.word < b.word ? -1 : Number(a.word > b.word));
}

/**
 * The query with each token that is neither a word of the list nor part of one replaced by the
 * nearest word within its allowed typos, or null when nothing changed. A token that matches only
 * as a loose subsequence is corrected too ("prdo" loosely matches "prod-readonly" yet means
 * "prod"); one with no near word is kept as typed.
 */
export function suggestQuery(index, tokens) {
  let changed = false;
  const corrected = tokens.map((token) => {
    const exact = { ...prepareToken(token), loose: false };
    if (index.some((entry) => scorePrepared(exact, entry) > 0)) return token;
    const word = nearestWord(token, vocabulary(index));
    if (word === null) return token;
    changed = true;
    return word;
  });
  return changed ? corrected.join(' ') : null;
}
