import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { listHead, parseListHead } from '../../extension/lib/list-head.js';

const ADMIN = { name: 'prod-admin', account_id: '111122223333', account_name: 'Production', role: 'Admin' };
const READ = { name: 'prod-read', account_id: '111122223333', account_name: 'Production', role: 'ReadOnly' };
const SECTION = {
  id: 'account:111122223333', kind: 'account', key: '111122223333', title: 'Production',
  subtitle: '111122223333', profiles: [ADMIN, READ, { name: 'not-shown' }],
};
const HEAD = {
  parts: [{
    section: SECTION, profiles: [ADMIN, READ], color: 'red', rowColors: ['red', 'blue'],
  }],
  shown: 150,
  total: 10000,
  favourites: ['prod-admin'],
  recent: [],
};

describe('the first screen kept apart', () => {
  it('comes back as stored, without the sections\' other rows', () => {
    const head = parseListHead(listHead(HEAD), { favourites: ['prod-admin'], recent: [] });
    assert.equal(head.total, 10000);
    assert.equal(head.shown, 150);
    assert.deepEqual(head.parts[0].profiles, [ADMIN, READ]);
    assert.deepEqual(head.parts[0].rowColors, ['red', 'blue']);
    assert.equal(head.parts[0].color, 'red');
    assert.equal(head.parts[0].section.title, 'Production');
    assert.equal(head.parts[0].section.profiles, undefined);
    assert.ok(!listHead(HEAD).includes('not-shown'));
  });

  it('is the same string for the same list, so a popup can tell it painted the right one', () => {
    assert.equal(listHead(HEAD), listHead(structuredClone(HEAD)));
    assert.notEqual(listHead(HEAD), listHead({ ...HEAD, total: 10001 }));
  });

  it('is not painted once the favourites or recent lists changed', () => {
    const stored = listHead(HEAD);
    assert.equal(parseListHead(stored, { favourites: [], recent: [] }), null);
    assert.equal(parseListHead(stored, { favourites: ['prod-admin'], recent: ['prod-read'] }), null);
    assert.notEqual(parseListHead(stored, { favourites: ['prod-admin'], recent: [] }), null);
  });

  it('ignores what is not a head of this version', () => {
    for (const value of [undefined, null, 42, '', '{', '[]', '{"version":1}',
      JSON.stringify({ ...JSON.parse(listHead(HEAD)), version: 0 }),
      listHead({ ...HEAD, parts: [] }),
      listHead({ ...HEAD, total: 0 }),
      listHead({ ...HEAD, parts: [{ ...HEAD.parts[0], profiles: [{ name: '' }] }] })]) {
      assert.equal(parseListHead(value, { favourites: ['prod-admin'] }), null, String(value));
    }
  });
});
