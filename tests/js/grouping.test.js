import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { accountTitle, groupProfiles } from '../../extension/lib/grouping.js';

const PROFILES = [
  { name: 'prod-readonly', account_id: '111122223333', account_name: 'Production' },
  { name: 'dev-admin', account_id: '444455556666', account_name: 'Development' },
  { name: 'prod-admin', account_id: '111122223333', account_name: 'Production' },
  { name: 'loose', account_id: null, account_name: null },
  { name: 'only-id', account_id: '999900001111', account_name: null },
];

describe('groupProfiles', () => {
  it('groups by account, titles sorted, roles sorted, unknown account last', () => {
    const sections = groupProfiles(PROFILES);
    assert.deepEqual(sections.map((s) => s.title), ['999900001111', 'Development', 'Production', 'Other profiles']);
    const production = sections.find((s) => s.title === 'Production');
    assert.equal(production.subtitle, '111122223333');
    assert.deepEqual(production.profiles.map((p) => p.name), ['prod-admin', 'prod-readonly']);
  });

  it('puts favourites then recently used first, each profile once', () => {
    const sections = groupProfiles(PROFILES, {
      favourites: ['prod-readonly', 'missing'], recent: ['prod-readonly', 'dev-admin'],
    });
    assert.deepEqual(sections.slice(0, 2).map((s) => s.id), ['favourites', 'recent']);
    assert.deepEqual(sections[0].profiles.map((p) => p.name), ['prod-readonly']);
    assert.deepEqual(sections[1].profiles.map((p) => p.name), ['dev-admin']);
    const all = sections.flatMap((s) => s.profiles.map((p) => p.name));
    assert.equal(new Set(all).size, all.length, 'no profile appears twice');
    assert.equal(all.length, PROFILES.length);
    assert.ok(!sections.some((s) => s.title === 'Development'), 'an emptied account disappears');
  });

  it('keeps the ranking order when ranked', () => {
    const ranked = [PROFILES[2], PROFILES[1], PROFILES[0]];
    const sections = groupProfiles(ranked, { ranked: true, favourites: ['dev-admin'] });
    assert.deepEqual(sections.map((s) => s.title), ['Production', 'Development']);
    assert.deepEqual(sections[0].profiles.map((p) => p.name), ['prod-admin', 'prod-readonly']);
  });
});

describe('accountTitle', () => {
  it('prefers the account name and shows the id beside it', () => {
    assert.deepEqual(accountTitle({ account_name: 'Prod', account_id: '1' }), { title: 'Prod', subtitle: '1' });
    assert.deepEqual(accountTitle({ account_id: '1' }), { title: '1', subtitle: '' });
    assert.deepEqual(accountTitle({}), { title: 'Other profiles', subtitle: '' });
  });
});
