// The background's side of the console's multi-session support, on its own: whether the
// browser profile opted in, and the session limit checked before a sign-in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MULTI_SESSION_KEY, createMultiSessionWatch } from '../../extension/lib/multisession-watch.js';
import { createSessionStore } from '../../extension/lib/sessions-store.js';
import { DEFAULT_JAR, newRecord, recordSignIn } from '../../extension/lib/sessions.js';

const NOW = 1_800_000_000_000;

function fakeExt({ tabs = [], stored = {} } = {}) {
  return {
    tabs: { query: async () => tabs },
    storage: {
      local: {
        get: async (key) => (key in stored ? { [key]: stored[key] } : {}),
        set: async (items) => Object.assign(stored, items),
      },
    },
  };
}

/** A store with a live multi-session record per [key, label, account] in the default jar. */
async function storeWith(sessions) {
  const store = createSessionStore(null, { now: () => NOW });
  await store.update((registry) => sessions.reduce((next, [key, label, account], i) => {
    const record = newRecord({
      profile: key,
      label,
      jar: DEFAULT_JAR,
      reply: { identity: { account, role: 'Admin' }, session_expires_at: new Date(NOW + 3_600_000).toISOString() },
      tab: { id: i + 1 },
      now: NOW - 1000 * (10 - i),
      multiSession: true,
    });
    return recordSignIn(next, { ...record, landed: true }, { multiSession: true });
  }, registry));
  return store;
}

const FIVE = [1, 2, 3, 4, 5].map((n) => [`key-${n}`, `Account ${n}/Admin`, `${n}`.repeat(12)]);
const look = (account, role = 'Admin') => ({ profile: { name: 'new', account_id: account, role } });

describe('multi-session watch', () => {
  it('refuses a sixth identity, naming the least recently used session and its label', async () => {
    const watch = createMultiSessionWatch({ ext: fakeExt(), store: await storeWith(FIVE), now: () => NOW });
    await assert.rejects(
      watch.checkLimit(look('999999999999'), { openMode: 'automatic' }, { containers: false }),
      (error) => {
        assert.deepEqual({ ...error.toJSON(), message: undefined, hint: undefined }, {
          code: 'session_limit', message: undefined, hint: undefined, profile: 'new', lru_profile: FIVE[0][0], lru_label: 'Account 1/Admin',
        });
        return true;
      },
    );
  });

  it('lets an identity already signed in, containers, and sign-out-first through', async () => {
    const watch = createMultiSessionWatch({ ext: fakeExt(), store: await storeWith(FIVE), now: () => NOW });
    await watch.checkLimit(look('111111111111'), { openMode: 'keep-sessions' }, { containers: false });
    await watch.checkLimit(look('999999999999'), { openMode: 'automatic' }, { containers: true });
    await watch.checkLimit(look('999999999999'), { openMode: 'signout-first' }, { containers: false });
  });

  it('is opted in with a per-session console tab, or when remembered', async () => {
    const store = await storeWith([]);
    const plain = createMultiSessionWatch({ ext: fakeExt({ tabs: [{ url: 'https://console.aws.amazon.com/' }] }), store });
    assert.equal(await plain.optedIn(), false);
    const perSession = createMultiSessionWatch({
      ext: fakeExt({ tabs: [{ url: 'https://111122223333-abcd1234.eu-west-1.console.aws.amazon.com/' }] }), store,
    });
    assert.equal(await perSession.optedIn(), true);
    const stored = {};
    const remembered = createMultiSessionWatch({ ext: fakeExt({ stored }), store });
    remembered.noteLanded({ jar: DEFAULT_JAR, differentiator: '111122223333-abcd1234' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(stored[MULTI_SESSION_KEY], true);
    assert.equal(await remembered.optedIn(), true);
  });
});
