// The background reuses a live console session instead of signing in again: it focuses the
// session's tab, reopens its console in its container without a host request, signs in
// afresh on request (fresh) or near the end, and keeps the registry current from tab events.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import {
  LOGIN_URL, LOGOUT_URL, PROFILE_COLUMNS, SECRET_TOKEN, fakeBrowser, listingHost, sendToBackground,
  withLiveTabs,
} from './fakes.js';
import { SESSIONS_KEY } from '../../extension/lib/sessions-store.js';

const PROFILES = {
  columns: PROFILE_COLUMNS,
  rows: [
    ['prod', '111122223333', 'Production', 'Admin', 'eu-west-1', 'assume-role', false, false, null, 'purple', 'briefcase', null],
  ],
  generation: 'g1',
};
const CONSOLE = 'http://127.0.0.1:9/console?destination=https%3A%2F%2Fconsole.aws.amazon.com%2F';
let sessionEndsIn = 12 * 3_600_000;

const fake = fakeBrowser({
  containers: true,
  host: listingHost(PROFILES, () => {
    return {
      ok: true,
      result: {
        url: LOGIN_URL,
        expires_at: 'x',
        session_expires_at: new Date(Date.now() + sessionEndsIn).toISOString(),
        identity: { account: '111122223333', role: 'Admin', session_name: 'me', partition: 'aws', region: 'eu-west-1' },
        container: null,
        logout_url: LOGOUT_URL,
      },
    };
  }),
});

const live = withLiveTabs(fake);
const { sessionArea, openTabs } = live;

globalThis.browser = fake.api;
await import('../../extension/background.js');

function loginRequests() {
  return fake.requests.filter((request) => request.action === 'login');
}

/** The browser follows the login URL to the console: the tab's URL changes. */
function land(tabId, url = CONSOLE) {
  live.show(tabId, url);
}

const { settle } = live;

async function signIn() {
  const reply = await sendToBackground(fake.api, { type: 'login', profile: 'prod' });
  assert.equal(reply.ok, true, JSON.stringify(reply.error));
  land(reply.result.tabId);
  await settle();
  return reply.result;
}

beforeEach(async () => {
  live.reset();
  sessionEndsIn = 12 * 3_600_000;
  await sendToBackground(fake.api, { type: 'profiles' });
});

describe('background: live sessions', () => {
  it('a second click focuses the live session\'s tab without asking the host', async () => {
    const first = await signIn();
    const before = loginRequests().length;
    const again = await sendToBackground(fake.api, { type: 'login', profile: 'prod' });
    assert.equal(again.ok, true);
    assert.equal(again.result.reused, true);
    assert.equal(again.result.tabId, first.tabId);
    assert.equal(loginRequests().length, before, 'no host request');
    assert.deepEqual(live.updates[0], ['tab', first.tabId, { active: true }]);
    assert.equal(live.updates[1][0], 'window');
    assert.equal(fake.created.tabs.length, 1, 'no new tab');
  });

  it('lists the live session for the popup, and keeps no secret in storage', async () => {
    await signIn();
    const reply = await sendToBackground(fake.api, { type: 'sessions' });
    assert.equal(reply.result.sessions.length, 1);
    assert.equal(reply.result.sessions[0].profile, 'prod');
    const stored = JSON.stringify([...sessionArea.values()]);
    assert.ok(stored.length > 10 && !stored.includes(SECRET_TOKEN) && !stored.includes('Action=login'), stored);
    assert.ok(sessionArea.has(SESSIONS_KEY));
  });

  it('with the tab closed, reopens the console in the container, still without the host', async () => {
    const first = await signIn();
    live.close(first.tabId);
    const before = loginRequests().length;
    const again = await sendToBackground(fake.api, { type: 'login', profile: 'prod' });
    assert.equal(again.result.reused, true);
    assert.equal(loginRequests().length, before);
    const opened = fake.created.tabs.at(-1);
    assert.equal(opened.url, 'http://127.0.0.1:9/console');
    assert.equal(opened.cookieStoreId, first.cookieStoreId);
  });

  it('a tab closed while it is being focused: reopens the console instead of an error', async () => {
    const first = await signIn();
    // The user closes the tab between the background finding it and bringing it forward; the
    // browser then refuses tabs.update for it, as Chromium and Firefox do for a closed tab.
    const { get, update } = fake.api.tabs;
    fake.api.tabs.get = async (id) => {
      const tab = await get(id);
      if (id === first.tabId) live.close(id);
      return tab;
    };
    fake.api.tabs.update = async (id, properties) => {
      if (!openTabs.has(id)) throw new Error(`No tab with id: ${id}.`);
      return update(id, properties);
    };
    try {
      const before = loginRequests().length;
      const again = await sendToBackground(fake.api, { type: 'login', profile: 'prod' });
      assert.equal(again.ok, true, JSON.stringify(again.error));
      assert.equal(again.result.reused, true);
      assert.notEqual(again.result.tabId, first.tabId);
      assert.equal(fake.created.tabs.at(-1).url, 'http://127.0.0.1:9/console');
      assert.equal(loginRequests().length, before);
    } finally {
      Object.assign(fake.api.tabs, { get, update });
    }
  });

  it('fresh (Alt+click) signs in again', async () => {
    await signIn();
    const before = loginRequests().length;
    const again = await sendToBackground(fake.api, { type: 'login', profile: 'prod', fresh: true });
    assert.equal(again.result.reused, undefined);
    assert.equal(loginRequests().length, before + 1);
  });

  it('within the margin before the end, signs in again', async () => {
    sessionEndsIn = 4 * 60_000;
    await signIn();
    const before = loginRequests().length;
    await sendToBackground(fake.api, { type: 'login', profile: 'prod' });
    assert.equal(loginRequests().length, before + 1);
  });

  it('a console that signed out by itself (session-expired page) is not reused', async () => {
    const first = await signIn();
    land(first.tabId, 'http://127.0.0.1:9/signin/session-expired');
    await settle();
    assert.deepEqual((await sendToBackground(fake.api, { type: 'sessions' })).result.sessions, []);
    const before = loginRequests().length;
    await sendToBackground(fake.api, { type: 'login', profile: 'prod' });
    assert.equal(loginRequests().length, before + 1);
  });

  it('a container deleted by the user ends its session; the next click signs in', async () => {
    const first = await signIn();
    openTabs.delete(first.tabId);
    fake.api.contextualIdentities.items.length = 0; // deleted without an event reaching us
    const before = loginRequests().length;
    const again = await sendToBackground(fake.api, { type: 'login', profile: 'prod' });
    assert.equal(again.ok, true, JSON.stringify(again.error));
    assert.equal(loginRequests().length, before + 1);
  });

  it('two quick clicks make one session and one tab', async () => {
    const [a, b] = await Promise.all([
      sendToBackground(fake.api, { type: 'login', profile: 'prod' }),
      sendToBackground(fake.api, { type: 'login', profile: 'prod' }),
    ]);
    assert.equal(a.ok && b.ok, true);
    assert.equal(loginRequests().length, 1);
    assert.equal(fake.created.tabs.length, 1);
    assert.equal(b.result.tabId, a.result.tabId);
  });

  it('a tab closed before its login was recorded leaves no tab in the registry', async () => {
    const reply = await sendToBackground(fake.api, { type: 'login', profile: 'prod' });
    live.close(reply.result.tabId);
    await settle();
    const before = loginRequests().length;
    const again = await sendToBackground(fake.api, { type: 'login', profile: 'prod' });
    assert.equal(again.result.reused, undefined);
    assert.equal(loginRequests().length, before + 1, 'nothing to focus: sign in');
  });

  it('sign out opens the sign-out endpoint in the container, then forgets the session', async () => {
    const first = await signIn();
    const reply = await sendToBackground(fake.api, { type: 'signOut', profile: 'prod' });
    assert.equal(reply.ok, true, JSON.stringify(reply.error));
    assert.equal(reply.result.signedOut, 1);
    const logout = fake.created.tabs.at(-1);
    assert.equal(logout.url, LOGOUT_URL);
    assert.equal(logout.cookieStoreId, first.cookieStoreId);
    assert.equal(logout.active, false);
    assert.ok(live.closed.length === 1 && live.closed[0] !== first.tabId, 'the sign-out tab closed');
    assert.deepEqual(live.reloaded, [first.tabId], 'its console tab stays, reloaded');
    assert.deepEqual((await sendToBackground(fake.api, { type: 'sessions' })).result.sessions, []);
    const before = loginRequests().length;
    await sendToBackground(fake.api, { type: 'login', profile: 'prod' });
    assert.equal(loginRequests().length, before + 1, 'signed out: the next click signs in');
  });

  it('sign out closes the console tabs when the options say so', async () => {
    fake.store.set('settings', { signOutClosesTabs: true });
    const first = await signIn();
    await sendToBackground(fake.api, { type: 'signOut', profile: 'prod' });
    assert.ok(live.closed.includes(first.tabId));
    assert.deepEqual(live.reloaded, []);
  });

  it('sign out of a role without a live session does nothing', async () => {
    const reply = await sendToBackground(fake.api, { type: 'signOut', profile: 'prod' });
    assert.deepEqual(reply.result, { profile: 'prod', signedOut: 0 });
    assert.equal(fake.created.tabs.length, 0);
  });
});
