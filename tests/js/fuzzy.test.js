import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  allowedTypos, buildIndex, collationOrder, rankProfiles, scoreToken, suggestQuery, tokenize, typoDistance,
} from '../../extension/lib/fuzzy.js';

const PROFILES = [
  { name: 'prod-admin', account_id: '111122223333', account_name: 'Production', role: 'Admin', region: 'eu-west-1' },
  { name: 'prod-readonly', account_id: '111122223333', account_name: 'Production', role: 'ReadOnly', region: 'eu-west-1' },
  { name: 'dev-admin', account_id: '444455556666', account_name: 'Development', role: 'Admin', region: 'us-east-1' },
  { name: 'sandbox', account_id: '777788889999', account_name: 'Playground', role: 'PowerUser', region: null },
];

function names(query, options) {
  return rankProfiles(buildIndex(PROFILES), query, options).matches.map((p) => p.name);
}

describe('tokenize', () => {
  it('splits on whitespace, lower-cases and drops empties', () => {
    assert.deepEqual(tokenize('  Prd   ADM '), ['prd', 'adm']);
    assert.deepEqual(tokenize(''), []);
    assert.deepEqual(tokenize(null), []);
  });
});

describe('scoreToken', () => {
  it('orders whole field > prefix > word start > substring > subsequence > none', () => {
    const whole = scoreToken('admin', 'admin');
    const prefix = scoreToken('adm', 'admin');
    const wordStart = scoreToken('adm', 'prod-admin');
    const inside = scoreToken('dmi', 'prod-admin');
    const subsequence = scoreToken('prd', 'prod-admin');
    assert.ok(whole > prefix, 'whole field beats prefix');
    assert.ok(prefix > wordStart, 'prefix beats word start');
    assert.ok(wordStart > inside, 'word start beats plain substring');
    assert.ok(inside > subsequence, 'substring beats subsequence');
    assert.ok(subsequence > 0, 'a subsequence matches');
    assert.equal(scoreToken('xyz', 'prod-admin'), 0);
  });

  it('rejects a subsequence spread over a long name', () => {
    assert.equal(scoreToken('ab', 'a-very-long-name-before-b'), 0);
    assert.ok(scoreToken('ab', 'a-b') > 0);
  });

  it('finds a compact subsequence after an earlier, distant first letter', () => {
    // The first "p" (of "payments") is too far from "rd"; the "p" of "prod" is not.
    assert.equal(scoreToken('prd', 'payments-prod-admin'), scoreToken('prd', 'prod-admin'));
    const index = buildIndex([{ name: 'payments-prod-admin' }, { name: 'payments-dev-admin' }]);
    assert.deepEqual(
      rankProfiles(index, 'prd adm').matches.map((p) => p.name),
      ['payments-prod-admin'],
    );
  });

  it('takes every white space and separator as a word boundary, ASCII or not', () => {
    // A word start scores as a word start whatever separates it (\s covers U+00A0 and U+3000).
    for (const separator of [' ', '\t', '-', '_', '.', '/', ':', '@', '\u00a0', '\u3000']) {
      assert.equal(scoreToken('adm', `prod${separator}admin`), 80, JSON.stringify(separator));
    }
    assert.equal(scoreToken('adm', 'prodxadmin'), 60);
    assert.equal(scoreToken('ad', 'prod\u00e9admin'), 60, 'a letter beyond ASCII is no boundary');
    // A subsequence that starts at a word after the first letter: "pd" from "p(rod)-d(ev)".
    assert.ok(scoreToken('pdv', 'apple-prod-dev') > 0);
    assert.equal(scoreToken('pdz', 'apple-prod-dev'), 0, 'not in the rest from any start');
  });
});

describe('rankProfiles', () => {
  it('finds prod-admin for "prd adm" and ranks it first', () => {
    const found = names('prd adm');
    assert.equal(found[0], 'prod-admin');
    assert.ok(!found.includes('sandbox'));
  });

  it('requires every token to match some field', () => {
    assert.deepEqual(names('prod zzz'), []);
  });

  it('matches account id, account name, role and region', () => {
    assert.deepEqual(names('4444'), ['dev-admin']);
    assert.deepEqual(names('playground'), ['sandbox']);
    assert.deepEqual(names('poweruser'), ['sandbox']);
    assert.deepEqual(names('us-east-1'), ['dev-admin']);
  });

  it('keeps every profile in order for an empty query', () => {
    assert.deepEqual(names('   '), PROFILES.map((p) => p.name));
  });

  it('honours the limit but counts every match', () => {
    const ranked = rankProfiles(buildIndex(PROFILES), 'admin', { limit: 1 });
    assert.equal(ranked.matches.length, 1);
    assert.equal(ranked.total, 2);
  });

  it('lets a boost lift a profile among equal matches', () => {
    assert.deepEqual(names('admin'), ['dev-admin', 'prod-admin']);
    const boost = (profile) => (profile.name === 'prod-admin' ? 25 : 0);
    assert.deepEqual(names('admin', { boost }), ['prod-admin', 'dev-admin']);
  });

  it('ranks an exact or prefix account-id match first, and never a loose digit subsequence', () => {
    const accounts = [
      // A name matching the digits as a word outranks an account-id substring by field weight;
      // the loose letter-by-letter match 1-3-1-3-1-3... must not match at all.
      { name: 'loose', account_id: '131313131313' },
      { name: 'team-3333-tools', account_id: '999988887777' },
      { name: 'ends-with', account_id: '111122223333' },
      { name: 'starts-with', account_id: '333344445555' },
      { name: 'exact', account_id: '333333333333' },
    ];
    const index = buildIndex(accounts);
    const ranked = (query) => rankProfiles(index, query).matches.map((p) => p.name);
    const found = ranked('3333');
    assert.ok(!found.includes('loose'), `a loose digit subsequence matched: ${found}`);
    assert.deepEqual(found.slice(0, 2).sort(), ['exact', 'starts-with']);
    assert.deepEqual(ranked('333333333333'), ['exact']);
    assert.equal(ranked('3333-4444-5555')[0], 'starts-with', 'the console writes ids in groups');
    // A favourite boost does not lift another match above an account-id match.
    const boost = (profile) => (profile.name === 'team-3333-tools' ? 35 : 0);
    const boosted = rankProfiles(index, '3333', { boost }).matches.map((p) => p.name);
    assert.deepEqual(boosted.slice(0, 2).sort(), ['exact', 'starts-with']);
  });

  // Its speed is a benchmark figure (bench/ranking.mjs, `make bench`), not a test assertion.
  it('ranks 5,000 profiles and caps what it returns', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({
      name: `team${i % 50}-env${i % 7}-role${i}`,
      account_id: String(100000000000 + i),
      account_name: `Account ${i % 300}`,
      role: i % 2 ? 'Admin' : 'ReadOnly',
      region: 'eu-west-1',
    }));
    const index = buildIndex(many);
    const ranked = rankProfiles(index, 'tm4 adm', { limit: 200 });
    assert.ok(ranked.total > 200);
    assert.equal(ranked.matches.length, 200);
  });
});

// A config where the typos below match nothing strictly (no "Production" account name, whose
// letters would match "prdo" as a loose subsequence).
const TEAMS = [
  { name: 'prod-admin', account_id: '111122223333', account_name: 'Shop', role: 'Admin', region: 'eu-west-1' },
  { name: 'prod-readonly', account_id: '111122223333', account_name: 'Shop', role: 'ReadOnly', region: 'eu-west-1' },
  { name: 'dev-admin', account_id: '444455556666', account_name: 'Sandbox', role: 'Admin', region: 'us-east-1' },
  { name: 'security-audit', account_id: '777788889999', account_name: 'Security', role: 'Auditor', region: 'eu-central-1' },
  { name: 'security-admin', account_id: '777788889999', account_name: 'Security', role: 'Admin', region: 'eu-central-1' },
];

describe('typo-tolerant pass', () => {
  const index = buildIndex(TEAMS);

  it('measures typos as edits, a swap of neighbours counting once', () => {
    assert.equal(typoDistance('prdo', 'prod', 2), 1);
    assert.equal(typoDistance('secuirty', 'security', 2), 1);
    assert.equal(typoDistance('admn', 'admin', 2), 1);
    assert.equal(typoDistance('abcdef', 'uvwxyz', 2), 3, 'stops past the maximum');
    assert.equal(allowedTypos(3), 0);
    assert.equal(allowedTypos(4), 1);
    assert.equal(allowedTypos(8), 2);
  });

  it('finds prod-admin for "prdo admin" and suggests the corrected query', () => {
    const ranked = rankProfiles(index, 'prdo admin');
    assert.equal(ranked.suggestion, 'prod admin');
    assert.equal(ranked.matches[0].name, 'prod-admin');
    assert.ok(!ranked.matches.some((p) => p.name.startsWith('dev')), 'the kept token still filters');
  });

  it('finds security for "secuirty" and a word still being typed ("secuirt")', () => {
    const ranked = rankProfiles(index, 'secuirty');
    assert.equal(ranked.suggestion, 'security');
    assert.deepEqual(ranked.matches.map((p) => p.name).sort(), ['security-admin', 'security-audit']);
    assert.equal(rankProfiles(index, 'secuirt').suggestion, 'security');
  });

  it('suggests nothing when the query matches, or when a token is too far from every word', () => {
    assert.equal(rankProfiles(index, 'prod admin').suggestion, null);
    const none = rankProfiles(index, 'zzzzzz');
    assert.deepEqual([none.total, none.suggestion], [0, null]);
    // Short tokens are abbreviations: "xdm" is not corrected to "adm".
    assert.equal(suggestQuery(index, ['xdm']), null);
    // Every token can be corrected, yet no profile holds both words: no suggestion.
    assert.equal(rankProfiles(index, 'sandbxo audtor').suggestion, null);
  });

  it('prefers a whole word, then the word more profiles hold', () => {
    const words = buildIndex([
      { name: 'admin' }, { name: 'adman' }, { name: 'adman-two' }, { name: 'administrators' },
    ]);
    // "admni": one swap from "admin", one substitution from "adman" (held by two profiles).
    assert.equal(suggestQuery(words, ['admni']), 'admin');
    assert.equal(suggestQuery(words, ['adnan']), 'adman');
  });

  it('keeps the tokens that are part of a word as typed', () => {
    assert.equal(suggestQuery(index, ['eu', 'secuirty']), 'eu security');
  });

  it('honours the limit and the boost in the corrected ranking', () => {
    const boost = (profile) => (profile.name === 'security-audit' ? 25 : 0);
    const ranked = rankProfiles(index, 'secuirty', { limit: 1, boost });
    assert.deepEqual(ranked.matches.map((p) => p.name), ['security-audit']);
    assert.equal(ranked.total, 2);
  });
});

describe('collationOrder', () => {
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  const ALPHABET = ['a', 'b', 'B', 'z', 'é', '0', '1', '2', '9', '-', '_', '.', '/', '@', ' '];

  it('is the collator\'s order, whatever the input order', () => {
    let state = 7;
    const next = (n) => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % n;
    };
    for (let round = 0; round < 20; round += 1) {
      const texts = Array.from({ length: 300 }, () => Array.from(
        { length: 1 + next(8) }, () => ALPHABET[next(ALPHABET.length)]).join(''));
      const order = collationOrder(texts);
      assert.deepEqual([...order].sort((a, b) => a - b), texts.map((_, at) => at));
      for (let i = 1; i < order.length; i += 1) {
        assert.ok(collator.compare(texts[order[i - 1]], texts[order[i]]) <= 0,
          `${texts[order[i - 1]]} before ${texts[order[i]]}`);
      }
    }
  });

  it('orders numbers by value and ignores case, as the list shows names', () => {
    const texts = ['acct10-admin', 'acct9-admin', 'Acct9-Dev', 'acct100-admin', 'acct9-admin2'];
    assert.deepEqual(collationOrder(texts).map((at) => texts[at]),
      ['acct9-admin', 'acct9-admin2', 'Acct9-Dev', 'acct10-admin', 'acct100-admin']);
  });
});
