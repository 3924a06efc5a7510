// The background in a Chromium-like browser with the console's multi-session support: the
// first sign-in's refused sign-out bounce is retried as a direct sign-in and remembered; later
// sign-ins skip the bounce and keep the other identities' sessions.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import {
  LOGIN_URL, LOGOUT_URL, PROFILE_COLUMNS, fakeBrowser, listingHost, sendToBackground, withLiveTabs,
} from './fakes.js';
import { signOutFirstUrl } from '../../extension/lib/urls.js';

const PROFILES = {
  columns: PROFILE_COLUMNS,
  rows: [
    ['a', '111111111111', 'A', 'Admin', 'eu-west-1', 'assume-role', false, false, null, null, null, null],
    ['b', '222222222222', 'B', 'Admin', 'eu-west-1', 'assume-role', false, false, null, null, null, null],
  ],
  generation: 'g1',
};

const fake = fakeBrowser({
  tabGroups: true,
  host: listingHost(PROFILES, (request) => {
    const account = request.params.profile === 'a' ? '111111111111' : '222222222222';
    return {
      ok: true,
      result: {
        url: LOGIN_URL, expires_at: 'x', session_expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        identity: { account, role: 'Admin', partition: 'aws' }, container: null, logout_url: LOGOUT_URL,
      },
    };
  }),
});

const live = withLiveTabs(fake, { firstTabId: 2000 });
const { sessionArea } = live;
/** Where the background sent a tab: [tabId, url]. */
const navigations = () => live.updates.filter(([kind, , p]) => kind === 'tab' && p.url).map(([, id, p]) => [id, p.url]);

globalThis.chrome = fake.api;
delete globalThis.browser;
await import('../../extension/background.js');

const { show, settle } = live;

beforeEach(async () => {
  live.reset();
  await sendToBackground(fake.api, { type: 'profiles' });
});

describe('background: console multi-session (Chromium)', () => {
  it('retries a refused sign-out bounce as a direct sign-in and remembers multi-session', async () => {
    const first = await sendToBackground(fake.api, { type: 'login', profile: 'a' });
    assert.equal(first.ok, true, JSON.stringify(first.error));
    const bounce = signOutFirstUrl(LOGOUT_URL, LOGIN_URL);
    assert.equal(fake.created.tabs[0].url, bounce, 'nothing known yet: sign out first');
    // AWS answers the bounce with 400: the tab stays on it and finishes loading there.
    show(first.result.tabId, bounce, 'complete');
    await settle();
    assert.deepEqual(navigations(), [[first.result.tabId, LOGIN_URL]], 'the login, directly');
    assert.equal((await fake.api.storage.local.get('multiSessionSeen')).multiSessionSeen, true);
    show(first.result.tabId, 'http://127.0.0.1:9/s/111111111111-abcd1234/console');
    await settle();

    const second = await sendToBackground(fake.api, { type: 'login', profile: 'b' });
    assert.equal(fake.created.tabs[1].url, LOGIN_URL, 'no bounce any more');
    show(second.result.tabId, 'http://127.0.0.1:9/s/222222222222-abcd1234/console');
    await settle();
    const live = (await sendToBackground(fake.api, { type: 'sessions' })).result.sessions;
    assert.deepEqual(live.map((s) => s.profile).sort(), ['a', 'b'], 'side by side');
    assert.ok(!JSON.stringify([...sessionArea.values()]).includes('SigninToken'));
  });

  it('signing one role out of a multi-session profile keeps the other sessions', async () => {
    fake.store.set('multiSessionSeen', true);
    const tabs = {};
    for (const [profile, account] of [['a', '111111111111'], ['b', '222222222222']]) {
      const reply = await sendToBackground(fake.api, { type: 'login', profile });
      assert.equal(reply.ok, true, JSON.stringify(reply.error));
      tabs[profile] = reply.result.tabId;
      show(reply.result.tabId, `http://127.0.0.1:9/s/${account}-abcd1234/console`);
    }
    await settle();
    // The browser shows the sign-out tab's URL, then its page loads, as a real tab does.
    const { create } = fake.api.tabs;
    fake.api.tabs.create = async (properties) => {
      const tab = await create(properties);
      if (properties.url.includes('/logout')) {
        setTimeout(() => {
          show(tab.id, properties.url);
          show(tab.id, properties.url, 'complete');
        }, 1);
      }
      return tab;
    };
    try {
      const reply = await sendToBackground(fake.api, { type: 'signOut', profile: 'a' });
      assert.equal(reply.result.signedOut, 1);
    } finally {
      fake.api.tabs.create = create;
    }
    const signOutTab = fake.created.tabs.at(-1);
    assert.equal(signOutTab.url, 'http://127.0.0.1:9/sessions/111111111111-abcd1234/v1/logout');
    const left = (await sendToBackground(fake.api, { type: 'sessions' })).result.sessions;
    assert.deepEqual(left.map((session) => session.profile), ['b'], 'b is still signed in');
    // b's next click focuses its tab: nothing to sign in again.
    const before = fake.requests.filter((request) => request.action === 'login').length;
    const again = await sendToBackground(fake.api, { type: 'login', profile: 'b' });
    assert.equal(again.result.tabId, tabs.b);
    assert.equal(fake.requests.filter((request) => request.action === 'login').length, before);
  });

  it('a bounce refused before its sign-in is recorded still makes that session a multi-session one', async () => {
    fake.store.set('multiSessionSeen', false);
    const bounce = signOutFirstUrl(LOGOUT_URL, LOGIN_URL);
    // AWS answers the bounce (400) while the new tab is still being put in its tab group, so
    // the refusal is seen before the sign-in is in the registry.
    const { group } = fake.api.tabs;
    fake.api.tabs.group = async (options) => {
      for (const tabId of [options.tabIds].flat()) show(tabId, bounce, 'complete');
      await new Promise((resolve) => { setTimeout(resolve, 5); });
      return group(options);
    };
    let first;
    try {
      first = await sendToBackground(fake.api, { type: 'login', profile: 'a' });
    } finally {
      fake.api.tabs.group = group;
    }
    assert.equal(first.ok, true, JSON.stringify(first.error));
    assert.deepEqual(navigations(), [[first.result.tabId, LOGIN_URL]], 'the login, directly');
    show(first.result.tabId, 'http://127.0.0.1:9/s/111111111111-abcd1234/console');
    await settle();
    // Signing it out must end this session only: its own per-session sign-out, not the global
    // one, which would end every identity of the browser profile.
    const { create } = fake.api.tabs;
    fake.api.tabs.create = async (properties) => {
      const tab = await create(properties);
      setTimeout(() => show(tab.id, properties.url, 'complete'), 1);
      return tab;
    };
    try {
      const reply = await sendToBackground(fake.api, { type: 'signOut', profile: 'a' });
      assert.equal(reply.ok, true, JSON.stringify(reply.error));
    } finally {
      fake.api.tabs.create = create;
    }
    assert.equal(fake.created.tabs.at(-1).url,
      'http://127.0.0.1:9/sessions/111111111111-abcd1234/v1/logout');
  });

  it('a bounce that redirected normally is not retried', async () => {
    fake.store.set('multiSessionSeen', false);
    const reply = await sendToBackground(fake.api, { type: 'login', profile: 'a' });
    show(reply.result.tabId, 'http://127.0.0.1:9/console');
    show(reply.result.tabId, 'http://127.0.0.1:9/console', 'complete');
    await settle();
    assert.deepEqual(navigations(), []);
  });
});
