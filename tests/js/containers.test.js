import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ensureContainer } from '../../extension/lib/containers.js';
import { createKeyedLock } from '../../extension/lib/keyed-lock.js';
import { containerStyle } from '../../extension/lib/style.js';
import { FakeIdentities } from './fakes.js';

describe('ensureContainer', () => {
  it('creates a missing container with the given look', async () => {
    const identities = new FakeIdentities();
    const id = await ensureContainer(identities, 'prod', { color: 'red', icon: 'fence' }, createKeyedLock());
    assert.equal(id, 'firefox-container-1');
    assert.deepEqual(identities.items, [{ cookieStoreId: 'firefox-container-1', name: 'prod', color: 'red', icon: 'fence' }]);
  });

  it('never creates duplicates under concurrent clicks', async () => {
    const identities = new FakeIdentities();
    const lock = createKeyedLock();
    const style = containerStyle({ name: 'prod' });
    const ids = await Promise.all(Array.from({ length: 5 }, () => ensureContainer(identities, 'prod', style, lock)));
    assert.equal(new Set(ids).size, 1);
    assert.equal(identities.items.length, 1);
  });

  it('shows that the lock is what prevents duplicates', async () => {
    const identities = new FakeIdentities();
    const noLock = (_key, task) => task();
    const style = containerStyle({ name: 'prod' });
    await Promise.all([1, 2].map(() => ensureContainer(identities, 'prod', style, noLock)));
    assert.equal(identities.items.length, 2, 'without serialising, two are created');
  });

  it('reuses an existing container by exact name', async () => {
    const identities = new FakeIdentities([{ name: 'prod', color: 'blue', icon: 'tree' }, { name: 'prod-2', color: 'red', icon: 'tree' }]);
    const id = await ensureContainer(identities, 'prod', containerStyle({ name: 'prod' }), createKeyedLock());
    assert.equal(id, 'firefox-container-1');
    assert.equal(identities.items.length, 2);
    assert.ok(!identities.calls.some(([call]) => call === 'update'), 'derived looks never overwrite the user\'s choice');
  });

  it('updates colour and icon when the profile configures different ones', async () => {
    const identities = new FakeIdentities([{ name: 'prod', color: 'blue', icon: 'tree' }]);
    const style = containerStyle({ name: 'prod', color: 'red', icon: null });
    await ensureContainer(identities, 'prod', style, createKeyedLock());
    assert.deepEqual(identities.calls.at(-1), ['update', 'firefox-container-1', { color: 'red' }]);
    assert.equal(identities.items[0].color, 'red');
    assert.equal(identities.items[0].icon, 'tree');
  });
});

describe('createKeyedLock', () => {
  it('runs tasks of one key in order and of different keys concurrently', async () => {
    const lock = createKeyedLock();
    const log = [];
    const task = (label, ms) => async () => {
      log.push(`start ${label}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`end ${label}`);
      return label;
    };
    const results = await Promise.all([lock('a', task('a1', 5)), lock('a', task('a2', 1)), lock('b', task('b1', 1))]);
    assert.deepEqual(results, ['a1', 'a2', 'b1']);
    assert.ok(log.indexOf('end a1') < log.indexOf('start a2'), 'same key waits');
    assert.ok(log.indexOf('start b1') < log.indexOf('end a1'), 'other keys do not wait');
  });

  it('keeps going after a failed task', async () => {
    const lock = createKeyedLock();
    const failed = lock('a', async () => { throw new Error('boom'); });
    const next = lock('a', async () => 'ok');
    await assert.rejects(failed, /boom/);
    assert.equal(await next, 'ok');
  });
});

describe('ensureContainer and Firefox colour names', () => {
  it('does not recolour a turquoise container that Firefox reports as cyan', async () => {
    const updates = [];
    const identities = {
      query: async () => [{ name: 'prod', cookieStoreId: 'c1', color: 'cyan', icon: 'circle' }],
      update: async (id, changes) => updates.push(changes),
    };
    const style = { color: 'turquoise', icon: 'circle', explicitColor: true, explicitIcon: true };
    assert.equal(await ensureContainer(identities, 'prod', style, createKeyedLock()), 'c1');
    assert.deepEqual(updates, []);
  });
});

describe('ensureContainer when Firefox refuses a change', () => {
  it('still opens in the existing container', async () => {
    const identities = {
      query: async () => [{ name: 'Work', cookieStoreId: 'firefox-container-2', color: 'orange', icon: 'briefcase' }],
      update: async () => { throw new Error('refused'); },
    };
    const style = { color: 'red', icon: 'circle', explicitColor: true, explicitIcon: false };
    assert.equal(await ensureContainer(identities, 'Work', style, createKeyedLock()), 'firefox-container-2');
  });
});
