import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  accountLabel, accountTitle, groupProfiles, oneRowEach, rowKey, sourceOnlyNames,
} from '../../extension/lib/grouping.js';

const PROFILES = [
  { name: 'prod-readonly', account_id: '111122223333', account_name: 'Production', role: 'ReadOnly' },
  { name: 'dev-admin', account_id: '444455556666', account_name: 'Development', role: 'Admin' },
  { name: 'prod-admin', account_id: '111122223333', account_name: 'Production', role: 'Admin' },
  { name: 'loose', account_id: null, account_name: null },
  { name: 'only-id', account_id: '099900001111', account_name: null, role: 'Dev' },
];

const titles = (sections) => sections.map((s) => s.title);
const names = (section) => section.profiles.map((p) => p.name);

describe('groupProfiles', () => {
  it('puts named accounts first, then bare ids, then profiles without an account', () => {
    const sections = groupProfiles(PROFILES);
    assert.deepEqual(titles(sections), ['Development', 'Production', '099900001111', 'Other profiles']);
    const production = sections.find((s) => s.title === 'Production');
    assert.equal(production.subtitle, '111122223333');
    assert.equal(production.kind, 'account');
    assert.deepEqual(names(production), ['prod-admin', 'prod-readonly']);
  });

  it('names an account from any of its profiles', () => {
    const sections = groupProfiles([
      { name: 'a', account_id: '1', role: 'A' }, { name: 'b', account_id: '1', account_name: 'Named', role: 'B' },
    ]);
    assert.deepEqual(titles(sections), ['Named']);
    assert.deepEqual(names(sections[0]), ['a', 'b']);
  });

  it('shows favourites then recently used first, and keeps them in their accounts too', () => {
    const sections = groupProfiles(PROFILES, {
      favourites: ['prod-readonly', 'missing'], recent: ['prod-readonly', 'dev-admin'],
    });
    assert.deepEqual(sections.slice(0, 2).map((s) => s.id), ['favourites', 'recent']);
    assert.deepEqual(names(sections[0]), ['prod-readonly']);
    assert.deepEqual(names(sections[1]), ['dev-admin'], 'a recent favourite shows once on top');
    const production = sections.find((s) => s.title === 'Production');
    assert.deepEqual(names(production), ['prod-admin', 'prod-readonly'], 'the favourite stays in its account');
    assert.ok(sections.some((s) => s.title === 'Development'));
    const accountRows = sections.filter((s) => s.kind === 'account').flatMap(names);
    assert.equal(new Set(accountRows).size, PROFILES.length, 'every profile once in the accounts');
  });

  it('keeps the ranking order when ranked, with nothing set apart', () => {
    const ranked = [PROFILES[2], PROFILES[1], PROFILES[0]];
    const sections = groupProfiles(ranked, { ranked: true, favourites: ['dev-admin'] });
    assert.deepEqual(titles(sections), ['Production', 'Development']);
    assert.deepEqual(names(sections[0]), ['prod-admin', 'prod-readonly']);
  });
});

describe('Source credentials', () => {
  const chain = [
    { name: 'keys', kind: 'static', account_name: 'Identity' },
    { name: 'sso-base', kind: 'sso', account_id: '1', role: 'PowerUser' },
    { name: 'admin', account_id: '2', role: 'Admin', source_profile: 'keys' },
    { name: 'deploy', account_id: '3', role: 'Deploy', source_profile: 'sso-base' },
    { name: 'lonely-keys', kind: 'static' },
    { name: 'self', kind: 'static', source_profile: 'self' },
  ];

  it('sets apart profiles that feed others and have no role of their own', () => {
    assert.deepEqual([...sourceOnlyNames(chain)], ['keys']);
  });

  it('lists them last, collapsed, and only there', () => {
    const sections = groupProfiles(chain);
    const last = sections.at(-1);
    assert.equal(last.kind, 'sources');
    assert.equal(last.collapsed, true);
    assert.deepEqual(names(last), ['keys']);
    assert.ok(!sections.some((s) => s.title === 'Identity'), 'not in an account as well');
    assert.ok(sections.some((s) => s.kind === 'account' && names(s).includes('sso-base')),
      'an SSO role others chain from is still a console to open');
  });

  it('leaves them in place when searching', () => {
    const sections = groupProfiles(chain, { ranked: true });
    assert.ok(!sections.some((s) => s.kind === 'sources'));
    assert.ok(sections.some((s) => names(s).includes('keys')));
  });
});

describe('titles and labels', () => {
  it('prefers the account name and shows the id beside it', () => {
    assert.deepEqual(accountTitle({ account_name: 'Prod', account_id: '1' }), { title: 'Prod', subtitle: '1' });
    assert.deepEqual(accountTitle({ account_id: '1' }), { title: '1', subtitle: '' });
    assert.deepEqual(accountTitle({}), { title: 'Other profiles', subtitle: '' });
  });

  it('names the account on rows of mixed sections', () => {
    assert.equal(accountLabel({ account_name: 'Prod', account_id: '1' }), 'Prod');
    assert.equal(accountLabel({ account_id: '1' }), '1');
    assert.equal(accountLabel({}), '');
  });

  it('tells a profile\'s rows apart by section', () => {
    assert.notEqual(rowKey('favourites', 'a'), rowKey('account:1', 'a'));
  });
});

describe('groupProfiles with a row limit', () => {
  // A deterministic pseudo-random list: accounts named, bare ids and none, in any order,
  // groups of different sizes, source-only profiles, favourites and recent profiles.
  function randomProfiles(seed, count) {
    let state = seed;
    const next = (n) => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % n;
    };
    const profiles = [];
    for (let i = 0; i < count; i += 1) {
      const account = next(count / 3 + 1);
      const kind = next(10);
      profiles.push({
        name: `p${next(1000)}-${i}`,
        account_id: kind === 0 ? null : String(100000000000 + account),
        account_name: kind < 3 ? null : `Acct ${account % 7}-${account}`,
        role: kind === 9 ? null : 'Admin',
        source_profile: next(5) === 0 ? `p${next(1000)}-${next(count)}` : null,
      });
    }
    return profiles;
  }

  const flat = (sections, limit) => sections.flatMap((section) => section.profiles
    .map((profile) => `${section.id}|${profile.name}`)).slice(0, limit);

  it('returns the sections of the first rows, the same as without a limit', () => {
    for (let seed = 1; seed <= 30; seed += 1) {
      const profiles = randomProfiles(seed, 40 + seed * 7);
      const favourites = profiles.slice(0, seed % 4).map((profile) => profile.name);
      const recent = profiles.slice(seed % 5, seed % 5 + 3).map((profile) => profile.name);
      const whole = groupProfiles(profiles, { favourites, recent });
      for (const limit of [1, 5, 17, 60, 150, 10000]) {
        const limited = groupProfiles(profiles, { favourites, recent, limit });
        assert.deepEqual(flat(limited, limit), flat(whole, limit), `seed ${seed}, limit ${limit}`);
        assert.deepEqual(limited, whole.slice(0, limited.length));
      }
      // The accounts after the first rows are left out.
      assert.ok(groupProfiles(profiles, { limit: 5 }).length < whole.length);
    }
  });

  it('keeps Source credentials when every account fits', () => {
    const chain = [
      { name: 'keys', account_id: null, role: null },
      { name: 'admin', account_id: '111122223333', role: 'Admin', source_profile: 'keys' },
    ];
    assert.deepEqual(titles(groupProfiles(chain, { limit: 150 })), ['111122223333', 'Source credentials']);
    assert.deepEqual(titles(groupProfiles(chain, { limit: 1 })), ['111122223333']);
  });
});

describe('oneRowEach', () => {
  // The page's rows in order: Favourites and Recently used repeat rows of the accounts below.
  const page = [
    { profile: 'dev-admin', section: 'favourites' },
    { profile: 'prod-admin', section: 'recent' },
    { profile: 'dev-admin', section: 'recent' },
    { profile: 'dev-admin', section: 'account:444455556666' },
    { profile: 'prod-admin', section: 'account:111122223333' },
    { profile: 'prod-readonly', section: 'account:111122223333' },
  ];

  it('keeps each wanted profile once, in its own account, not under Favourites or Recent', () => {
    assert.deepEqual(oneRowEach(page, new Set(['dev-admin', 'prod-admin'])), new Set([3, 4]));
  });

  it('leaves out the profiles not wanted', () => {
    assert.deepEqual(oneRowEach(page, new Set(['prod-readonly'])), new Set([5]));
    assert.deepEqual(oneRowEach(page, new Set()), new Set());
  });

  it('keeps a profile whose account is not on the page in its first section', () => {
    // The first list shows the first accounts only: Development's section is not there yet.
    const first = page.filter((row) => row.section !== 'account:444455556666');
    assert.deepEqual(oneRowEach(first, new Set(['dev-admin', 'prod-admin'])), new Set([0, 3]));
  });

  it('keeps a source credential in its first section: Source credentials starts collapsed', () => {
    const rows = [{ profile: 'keys', section: 'recent' }, { profile: 'keys', section: 'sources' }];
    assert.deepEqual(oneRowEach(rows, new Set(['keys'])), new Set([0]));
    assert.deepEqual(oneRowEach(rows.slice(1), new Set(['keys'])), new Set([0]));
  });
});
