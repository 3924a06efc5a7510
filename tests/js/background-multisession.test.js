// The background in a Chromium-like browser with the console's multi-session support: the
// first sign-in's refused sign-out bounce is retried as a direct sign-in and remembered; later
// sign-ins skip the bounce and keep the other identities' sessions.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import {
  LOGIN_URL, LOGOUT_URL, fakeBrowser, sendToBackground,
} from './fakes.js';
import { signOutFirstUrl } from '../../extension/lib/urls.js';

const PROFILES = {
  columns: ['name', 'account_id', 'account_name', 'role', 'region', 'kind', 'mfa', 'chained', 'container', 'color', 'icon', 'destination'],
  rows: [
    ['a', '111111111111', 'A', 'Admin', 'eu-west-1', 'assume-role', false, false, null, null, null, null],
    ['b', '222222222222', 'B', 'Admin', 'eu-west-1', 'assume-role', false, false, null, null, null, null],
  ],
  generation: 'g1',
};

const fake = fakeBrowser({
  tabGroups: true,
  host: (request) => {
    if (request.action === 'hello') {
      return { ok: true, result: { version: '0.1.0', protocol: 1, capabilities: ['hello', 'login', 'profiles'] } };
    }
    if (request.action === 'profiles') return { ok: true, result: PROFILES };
    const account = request.params.profile === 'a' ? '111111111111' : '222222222222';
    return {
      ok: true,
      result: {
        url: LOGIN_URL, expires_at: 'x', session_expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        identity: { account, role: 'Admin', partition: 'aws' }, container: null, logout_url: LOGOUT_URL,
      },
    };
  },
});

class Event {
  constructor() { this.listeners = []; }
  addListener(listener) { this.listeners.push(listener); }
  removeListener(listener) { this.listeners = this.listeners.filter((known) => known !== listener); }
  emit(...args) { for (const listener of this.listeners) listener(...args); }
}
const sessionArea = new Map();
fake.api.storage.session = {
  async get(key) { return sessionArea.has(key) ? { [key]: structuredClone(sessionArea.get(key)) } : {}; },
  async set(items) { for (const [k, v] of Object.entries(items)) sessionArea.set(k, structuredClone(v)); },
};
const openTabs = new Map();
const navigations = [];
let nextTabId = 2000;
const createTab = fake.api.tabs.create;
fake.api.tabs.create = async (properties) => {
  nextTabId += 1;
  const tab = { ...(await createTab(properties)), id: nextTabId };
  openTabs.set(tab.id, { ...tab });
  return tab;
};
fake.api.tabs.query = async () => [...openTabs.values()].map((tab) => ({ ...tab }));
fake.api.tabs.update = async (id, properties) => {
  navigations.push([id, properties.url]);
  return { ...openTabs.get(id) };
};
fake.api.tabs.onUpdated = new Event();
fake.api.tabs.onRemoved = new Event();

globalThis.chrome = fake.api;
delete globalThis.browser;
await import('../../extension/background.js');

function show(tabId, url, status) {
  const tab = openTabs.get(tabId);
  tab.url = url;
  fake.api.tabs.onUpdated.emit(tabId, status ? { url, status } : { url }, { ...tab });
}

async function settle() {
  await sendToBackground(fake.api, { type: 'sessions' });
}

beforeEach(async () => {
  fake.store.clear();
  sessionArea.clear();
  openTabs.clear();
  navigations.length = 0;
  fake.created.tabs.length = 0;
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
    assert.deepEqual(navigations, [[first.result.tabId, LOGIN_URL]], 'the login, directly');
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

  it('a bounce that redirected normally is not retried', async () => {
    fake.store.set('multiSessionSeen', false);
    const reply = await sendToBackground(fake.api, { type: 'login', profile: 'a' });
    show(reply.result.tabId, 'http://127.0.0.1:9/console');
    show(reply.result.tabId, 'http://127.0.0.1:9/console', 'complete');
    await settle();
    assert.deepEqual(navigations, []);
  });
});
