// The background page against a Chromium-like API (no containers): sender checks, host calls,
// sign-out-first / keep-sessions / new-window opening, tab groups, and where the URL may go.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import {
  EXTENSION_ID, HELLO, LOGIN_URL, LOGOUT_URL, SECRET_TOKEN, fakeBrowser, popupSender, sendToBackground,
} from './fakes.js';
import { signOutFirstUrl } from '../../extension/lib/urls.js';

const PROFILES = {
  columns: ['name', 'account_id', 'account_name', 'role', 'region', 'kind', 'mfa', 'chained', 'container', 'color', 'icon', 'destination'],
  rows: [['prod-admin', '111122223333', 'Production', 'Admin', 'eu-west-1', 'assume-role', true, false, null, 'red', null, null]],
  config_file: '/tmp/home/.aws/config',
  generation: 'g1',
};


let hostBehaviour;
const fake = fakeBrowser({ tabGroups: true, host: (request) => hostBehaviour(request) });
globalThis.chrome = fake.api;
await import('../../extension/background.js');

function loginReply() {
  return {
    ok: true,
    result: {
      url: LOGIN_URL,
      expires_at: '2026-11-29T10:15:00Z',
      identity: { account: '111122223333', role: 'Admin', session_name: 'roleport', partition: 'aws', region: 'eu-west-1', arn: 'arn:aws:sts::111122223333:assumed-role/Admin/roleport' },
      container: null,
      logout_url: LOGOUT_URL,
    },
  };
}

function defaultHost(request) {
  if (request.action === 'hello') return { ok: true, result: HELLO };
  if (request.action === 'profiles') return { ok: true, result: PROFILES };
  if (request.action === 'login') return loginReply();
  return { ok: false, error: { code: 'unknown_action', message: 'no', hint: '' } };
}

function everythingStored() {
  return JSON.stringify([...fake.store.entries()]);
}

beforeEach(async () => {
  hostBehaviour = defaultHost;
  fake.store.clear();
  fake.created.tabs.length = 0;
  fake.created.windows.length = 0;
  fake.created.groups.length = 0;
  fake.created.groupUpdates.length = 0;
  fake.requests.length = 0;
});

describe('background: who may ask', () => {
  it('refuses another extension and pages outside the extension, without calling the host', async () => {
    for (const sender of [
      { id: 'someone-else', url: `chrome-extension://someone-else/x.html` },
      { id: EXTENSION_ID, url: 'https://evil.example/page' },
      { id: EXTENSION_ID },
    ]) {
      const reply = await sendToBackground(fake.api, { type: 'hello' }, sender);
      assert.equal(reply.ok, false);
      assert.equal(reply.error.code, 'forbidden_caller');
    }
    assert.equal(fake.requests.length, 0);
  });

  it('ignores message types it does not serve', async () => {
    assert.equal(await sendToBackground(fake.api, { type: 'nope' }), undefined);
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      assert.equal(await sendToBackground(fake.api, { type }), undefined, type);
    }
    assert.equal(await sendToBackground(fake.api, null), undefined);
  });
});

describe('background: hello and profiles', () => {
  it('relays hello', async () => {
    const reply = await sendToBackground(fake.api, { type: 'hello' });
    assert.deepEqual(reply, { ok: true, result: HELLO });
    assert.deepEqual(fake.requests.at(-1).params, {});
  });

  it('caches the profile table in storage.local', async () => {
    const reply = await sendToBackground(fake.api, { type: 'profiles' });
    assert.equal(reply.ok, true);
    assert.deepEqual(reply.result.rows, PROFILES.rows);
    const stored = fake.store.get('profilesCache');
    assert.equal(typeof stored, 'string'); // one string: storage reads it back in one piece
    const cached = JSON.parse(stored);
    assert.deepEqual(cached.columns, PROFILES.columns);
    assert.deepEqual(cached.rows, PROFILES.rows);
    assert.equal(cached.generation, 'g1');
  });

  it('shares one host request among concurrent profile refreshes', async () => {
    await Promise.all([sendToBackground(fake.api, { type: 'profiles' }), sendToBackground(fake.api, { type: 'profiles' })]);
    assert.equal(fake.requests.filter((r) => r.action === 'profiles').length, 1);
  });
});

describe('background: login on Chromium', () => {
  it('signs out first by default, in the sender\'s window, and never hands out the URL', async () => {
    await sendToBackground(fake.api, { type: 'profiles' });
    const reply = await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' }, popupSender({ tab: { id: 3, windowId: 42 } }));
    assert.equal(reply.ok, true, JSON.stringify(reply.error));
    assert.deepEqual(fake.requests.at(-1).params, { profile: 'prod-admin' });
    assert.equal(fake.created.tabs.length, 1);
    assert.deepEqual(fake.created.tabs[0], { url: signOutFirstUrl(LOGOUT_URL, LOGIN_URL), active: true, windowId: 42 });
    assert.ok(!JSON.stringify(reply).includes(SECRET_TOKEN), 'the popup never sees the login URL');
    assert.ok(!everythingStored().includes(SECRET_TOKEN), 'storage never holds the login URL');
    assert.deepEqual(fake.store.get('recent'), ['prod-admin']);
    assert.equal(reply.result.identity.account, '111122223333');
  });

  it('groups the tab under the profile name, reusing the group', async () => {
    await sendToBackground(fake.api, { type: 'profiles' });
    await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' });
    await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' });
    assert.equal(fake.created.groupUpdates.length, 1);
    assert.deepEqual(fake.created.groupUpdates[0], { id: 500, title: 'prod-admin', color: 'red', collapsed: false });
    assert.equal(fake.created.groups[1].reused, true);
  });

  it('puts the tabs of quick repeated clicks into one group', async () => {
    await sendToBackground(fake.api, { type: 'profiles' });
    const replies = await Promise.all([1, 2, 3].map(() => sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' })));
    assert.ok(replies.every((reply) => reply.ok));
    assert.equal(fake.created.groupUpdates.length, 1, 'one group named prod-admin');
    assert.deepEqual(fake.created.groups.map((g) => g.reused), [false, true, true]);
  });

  it('remembers every profile of quick background opens as recently used', async () => {
    // Real storage calls are asynchronous round trips: let them interleave.
    const { get, set } = fake.api.storage.local;
    const later = (call) => async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return call(...args);
    };
    fake.api.storage.local.get = later(get);
    fake.api.storage.local.set = later(set);
    try {
      const names = ['a', 'b', 'c'];
      const replies = await Promise.all(names.map((profile) => sendToBackground(fake.api, { type: 'login', profile, background: true })));
      assert.ok(replies.every((reply) => reply.ok));
      assert.deepEqual([...fake.store.get('recent')].sort(), names);
    } finally {
      Object.assign(fake.api.storage.local, { get, set });
    }
  });

  it('opens in the background without focusing when asked', async () => {
    await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin', background: true });
    assert.equal(fake.created.tabs[0].active, false);
  });

  it('follows the options: keep sessions, new window, region and session length', async () => {
    await fake.api.storage.local.set({ settings: { openMode: 'keep-sessions', region: 'us-west-2', sessionDuration: 3600 } });
    await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' });
    assert.equal(fake.created.tabs[0].url, LOGIN_URL);
    assert.deepEqual(fake.requests.at(-1).params, { profile: 'prod-admin', region: 'us-west-2', duration: 3600 });

    await fake.api.storage.local.set({ settings: { openMode: 'new-window' } });
    await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' });
    assert.deepEqual(fake.created.windows, [{ url: signOutFirstUrl(LOGOUT_URL, LOGIN_URL), focused: true }]);
  });

  it('passes mfa_required through with the device and retries with the code', async () => {
    hostBehaviour = (request) => (request.action === 'hello' || request.params.mfa_code === '123456'
      ? defaultHost(request)
      : { ok: false, error: { code: 'mfa_required', message: 'needs MFA', hint: 'enter code', profile: 'prod-admin', mfa_serial: 'arn:aws:iam::1:mfa/me' } });
    const first = await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' });
    assert.deepEqual(first.error, { code: 'mfa_required', message: 'needs MFA', hint: 'enter code', profile: 'prod-admin', mfa_serial: 'arn:aws:iam::1:mfa/me' });
    assert.equal(fake.created.tabs.length, 0);
    const second = await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin', mfa_code: '123456' });
    assert.equal(second.ok, true);
    assert.equal(fake.requests.at(-1).params.mfa_code, '123456');
  });

  it('rejects a malformed MFA code or profile before asking the host', async () => {
    const before = fake.requests.length;
    const badCode = await sendToBackground(fake.api, { type: 'login', profile: 'p', mfa_code: '12ab' });
    // The host answers a malformed code with invalid_request (mfa_invalid means AWS refused
    // a well-formed one): the extension's own check says the same.
    assert.equal(badCode.error.code, 'invalid_request');
    assert.match(badCode.error.message, /6 digits/);
    for (const mfa_code of ['', '12345', '1234567', '123 456', 123456, '１２３４５６']) {
      const reply = await sendToBackground(fake.api, { type: 'login', profile: 'p', mfa_code });
      assert.equal(reply.error.code, 'invalid_request', JSON.stringify(mfa_code));
    }
    const noProfile = await sendToBackground(fake.api, { type: 'login' });
    assert.equal(noProfile.error.code, 'invalid_request');
    assert.equal(fake.requests.length, before);
  });

  it('refuses a non-https login URL without repeating it', async () => {
    hostBehaviour = (request) => (request.action === 'hello'
      ? defaultHost(request)
      : { ok: true, result: { ...loginReply().result, url: `javascript:alert('${SECRET_TOKEN}')` } });
    const reply = await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' });
    assert.equal(reply.error.code, 'open_failed');
    assert.ok(!JSON.stringify(reply).includes(SECRET_TOKEN));
    assert.equal(fake.created.tabs.length, 0);
  });

  it('hides the browser\'s own error text, which may quote the URL', async () => {
    const create = fake.api.tabs.create;
    fake.api.tabs.create = async () => { throw new Error(`Illegal URL: ${LOGIN_URL}`); };
    try {
      const reply = await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' });
      assert.equal(reply.error.code, 'open_failed');
      assert.ok(!JSON.stringify(reply).includes(SECRET_TOKEN));
    } finally {
      fake.api.tabs.create = create;
    }
  });

  it('reports a missing host with the install fix, then recovers once it is there', async () => {
    hostBehaviour = () => ({ disconnect: 'Specified native messaging host not found.' });
    const reply = await sendToBackground(fake.api, { type: 'hello' });
    assert.equal(reply.error.code, 'host_not_installed');
    assert.match(reply.error.hint, /roleport install/);
    hostBehaviour = defaultHost;
    const again = await sendToBackground(fake.api, { type: 'hello' });
    assert.equal(again.ok, true);
  });
});
