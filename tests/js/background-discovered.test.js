// A role discovered through IAM Identity Center (no profile in the config) opens through the
// same login path as a profile: one sign-in at a time per role, its live session reused (or a
// fresh sign-in on request), "Open this page", the session limit, Sign out, and nothing secret
// in storage. Its key in the registry is the list's key, which no profile name can equal.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import {
  HELLO, LOGIN_URL, LOGOUT_URL, PROFILE_COLUMNS, SECRET_TOKEN, fakeBrowser, listingHost, popupSender,
  sendToBackground, withLiveTabs,
} from './fakes.js';
import { discoveredName } from '../../extension/lib/discovery.js';
import { DISCOVERED_STORAGE_KEY } from '../../extension/lib/sso.js';

const PROFILES = {
  columns: PROFILE_COLUMNS,
  rows: [1, 2, 3, 4, 5].map((n) => [
    `p${n}`, `${n}`.repeat(12), `Account ${n}`, 'Admin', 'eu-west-1', 'assume-role', false, false, null, null, null, null,
  ]),
  generation: 'g1',
};
const ACCOUNT = '999988887777';
const KEY = discoveredName('corp', ACCOUNT, 'Developer');
const CONSOLE = 'http://127.0.0.1:9/console';

const fake = fakeBrowser({
  tabGroups: true,
  omnibox: true,
  host: listingHost(PROFILES, (request) => {
    const discovered = request.action === 'login_sso_role';
    const account = discovered ? request.params.account_id : `${request.params.profile.slice(1)}`.repeat(12);
    return {
      ok: true,
      result: {
        url: LOGIN_URL,
        expires_at: 'x',
        session_expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        identity: {
          account, role: discovered ? request.params.role_name : 'Admin', session_name: 'me', partition: 'aws', region: 'eu-west-1',
        },
        container: null,
        logout_url: LOGOUT_URL,
      },
    };
  }, { hello: { ...HELLO, capabilities: [...HELLO.capabilities, 'login_sso_role'] } }),
});
const live = withLiveTabs(fake, { firstTabId: 3000 });

globalThis.chrome = fake.api;
delete globalThis.browser;
await import('../../extension/background.js');

/** The popup's message for a discovered row (popup-sso.js), with the popup's own options. */
function clickDiscovered(extra = {}) {
  return sendToBackground(fake.api, {
    type: 'loginDiscovered',
    sso_session: 'corp',
    account_id: ACCOUNT,
    role_name: 'Developer',
    account_name: 'Sandbox',
    background: false,
    ...extra,
  }, popupSender());
}

function ssoRequests() {
  return fake.requests.filter((request) => request.action === 'login_sso_role');
}

async function signInDiscovered() {
  const reply = await clickDiscovered();
  assert.equal(reply.ok, true, JSON.stringify(reply.error));
  live.show(reply.result.tabId, CONSOLE);
  await live.settle();
  return reply.result;
}

beforeEach(async () => {
  live.reset();
  // Sign out first: each sign-in replaces the jar's other identity, as without multi-session.
  fake.store.set('settings', { openMode: 'signout-first' });
  fake.store.set(DISCOVERED_STORAGE_KEY, {
    columns: ['sso_session', 'account_id', 'account_name', 'role'],
    rows: [['corp', ACCOUNT, 'Sandbox', 'Developer']],
    sessions: [],
  });
  await sendToBackground(fake.api, { type: 'profiles' });
});

describe('background: discovered IAM Identity Center roles', () => {
  it('two quick clicks sign in once and open one tab', async () => {
    const [a, b] = await Promise.all([clickDiscovered(), clickDiscovered()]);
    assert.equal(a.ok && b.ok, true, JSON.stringify([a.error, b.error]));
    assert.equal(ssoRequests().length, 1);
    assert.equal(fake.created.tabs.length, 1);
    assert.equal(b.result.tabId, a.result.tabId);
  });

  it('a click with a live session focuses its tab without asking the host', async () => {
    const first = await signInDiscovered();
    const again = await clickDiscovered();
    assert.equal(again.ok, true, JSON.stringify(again.error));
    assert.equal(again.result.reused, true);
    assert.equal(again.result.tabId, first.tabId);
    assert.equal(ssoRequests().length, 1, 'no second sign-in');
    assert.deepEqual(live.updates[0], ['tab', first.tabId, { active: true }]);
  });

  it('is listed live under its list key with its name, and no secret is stored', async () => {
    await signInDiscovered();
    const { sessions } = (await sendToBackground(fake.api, { type: 'sessions' })).result;
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0].profile, KEY);
    assert.equal(sessions[0].label, 'Sandbox/Developer');
    assert.equal(sessions[0].account, ACCOUNT);
    const stored = JSON.stringify([...live.sessionArea.values(), ...fake.store.values()]);
    assert.ok(!stored.includes(SECRET_TOKEN) && !stored.includes('Action=login'), stored);
    assert.deepEqual(fake.store.get('recent'), [KEY]);
  });

  it('the list key alone (the omnibox, a recent entry) opens it the same way', async () => {
    const first = await signInDiscovered();
    const again = await sendToBackground(fake.api, { type: 'login', profile: KEY });
    assert.equal(again.result.reused, true);
    assert.equal(again.result.tabId, first.tabId);
    assert.equal(ssoRequests().length, 1);
  });

  it('the aws keyword suggests it by account and role, and Enter opens it', async () => {
    const suggested = await sendToBackground(fake.api, { type: 'omniboxSuggest', text: 'sandbox' });
    assert.equal(suggested.ok, true, JSON.stringify(suggested.error));
    const contents = suggested.result.suggestions.map((s) => s.content);
    assert.deepEqual(contents, [`Sandbox/Developer (${ACCOUNT}, corp)`]);
    const opened = await sendToBackground(fake.api, { type: 'omniboxEnter', text: contents[0] });
    assert.equal(opened.ok, true, JSON.stringify(opened.error));
    assert.equal(ssoRequests().length, 1);
    assert.deepEqual(ssoRequests()[0].params.account_id, ACCOUNT);
    assert.equal(fake.store.get('recent')[0], KEY);
  });

  it('fresh (Alt+click) signs in again; the settings and "Open this page" reach the host', async () => {
    fake.store.set('settings', { openMode: 'signout-first', region: 'us-east-2', sessionDuration: 3600 });
    await signInDiscovered();
    const destination = 'https://console.aws.amazon.com/s3/home';
    const fresh = await clickDiscovered({ fresh: true });
    assert.equal(fresh.ok, true, JSON.stringify(fresh.error));
    assert.equal(fresh.result.reused, undefined);
    const page = await clickDiscovered({ destination });
    assert.equal(page.ok, true, JSON.stringify(page.error));
    const sent = ssoRequests().map((request) => request.params);
    assert.equal(sent.length, 3);
    assert.deepEqual(sent[1], {
      sso_session: 'corp', account_id: ACCOUNT, role_name: 'Developer', region: 'us-east-2', duration: 3600,
    });
    assert.equal(sent[2].destination, destination);
  });

  it('opens in a tab group named after the role, not after its key', async () => {
    await clickDiscovered();
    assert.equal(fake.created.groupUpdates.at(-1).title, 'Sandbox/Developer');
  });

  it('counts towards the console\'s session limit like a profile', async () => {
    fake.store.set('settings', { openMode: 'keep-sessions' });
    for (const n of [1, 2, 3, 4, 5]) {
      const reply = await sendToBackground(fake.api, { type: 'login', profile: `p${n}` });
      assert.equal(reply.ok, true, JSON.stringify(reply.error));
    }
    const sixth = await clickDiscovered();
    assert.equal(sixth.ok, false);
    assert.equal(sixth.error.code, 'session_limit');
    assert.equal(sixth.error.profile, 'Sandbox/Developer');
    assert.equal(ssoRequests().length, 0);
    const anyway = await clickDiscovered({ sessionLimit: 'open-anyway' });
    assert.equal(anyway.ok, true, JSON.stringify(anyway.error));
  });

  it('Sign out signs its session out', async () => {
    await signInDiscovered();
    const reply = await sendToBackground(fake.api, { type: 'signOut', profile: KEY });
    assert.equal(reply.ok, true, JSON.stringify(reply.error));
    assert.equal(reply.result.signedOut, 1);
    assert.deepEqual((await sendToBackground(fake.api, { type: 'sessions' })).result.sessions, []);
  });

  it('a malformed target is refused before anything is sent', async () => {
    const reply = await clickDiscovered({ account_id: '12' });
    assert.equal(reply.ok, false);
    assert.equal(reply.error.code, 'invalid_request');
    const bad = await sendToBackground(fake.api, { type: 'login', profile: 'sso\ncorp\nnot-an-account\nX' });
    assert.equal(bad.error.code, 'invalid_request');
    assert.equal(ssoRequests().length, 0);
  });
});
