import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  buildIndex, rankProfiles, scoreToken, tokenize,
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
