// The background page against a Firefox-like API: a container per profile, reused by name,
// created once under concurrent clicks, styled from the profile, and the switch to turn it off.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import {
  LOGIN_URL, LOGOUT_URL, PROFILE_COLUMNS, fakeBrowser, listingHost, popupSender, sendToBackground,
} from './fakes.js';
import { signOutFirstUrl } from '../../extension/lib/urls.js';
import { DEFAULT_ICON, stableColor } from '../../extension/lib/style.js';

const PROFILES = {
  columns: PROFILE_COLUMNS,
  rows: [
    ['prod-admin', '111122223333', 'Production', 'Admin', 'eu-west-1', 'assume-role', false, false, null, 'purple', 'briefcase', null],
    ['dev', '444455556666', 'Dev', 'Dev', 'eu-west-1', 'sso', false, false, 'Development', null, null, null],
  ],
  generation: 'g1',
};

const fake = fakeBrowser({
  containers: true,
  host: listingHost(PROFILES, (request) => {
    const container = request.params.profile === 'dev' ? 'Development' : null;
    return { ok: true, result: { url: LOGIN_URL, expires_at: 'x', identity: {}, container, logout_url: LOGOUT_URL } };
  }),
});
globalThis.browser = fake.api;
await import('../../extension/background.js');

beforeEach(async () => {
  fake.store.clear();
  fake.created.tabs.length = 0;
  fake.api.contextualIdentities.items.length = 0;
  await sendToBackground(fake.api, { type: 'profiles' });
});

describe('background: Firefox containers', () => {
  it('opens the plain login URL in a new container styled from the profile', async () => {
    const reply = await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' });
    assert.equal(reply.ok, true, JSON.stringify(reply.error));
    assert.deepEqual(fake.api.contextualIdentities.items, [
      { cookieStoreId: 'firefox-container-1', name: 'prod-admin', color: 'purple', icon: 'briefcase' },
    ]);
    assert.equal(fake.created.tabs[0].url, LOGIN_URL, 'a container needs no sign-out');
    assert.equal(fake.created.tabs[0].cookieStoreId, 'firefox-container-1');
    assert.equal(reply.result.container, 'prod-admin');
  });

  it('uses the container named by the host (roleport_container)', async () => {
    await sendToBackground(fake.api, { type: 'login', profile: 'dev' });
    const [container] = fake.api.contextualIdentities.items;
    assert.equal(container.name, 'Development');
    // Nothing configured: the account id's colour, the neutral icon.
    assert.equal(container.color, stableColor('444455556666'));
    assert.equal(container.icon, DEFAULT_ICON);
  });

  it('signs out first in a container named by the config, which profiles may share', async () => {
    await sendToBackground(fake.api, { type: 'login', profile: 'dev' });
    assert.equal(fake.created.tabs[0].url, signOutFirstUrl(LOGOUT_URL, LOGIN_URL));
    await fake.api.storage.local.set({ settings: { openMode: 'keep-sessions' } });
    await sendToBackground(fake.api, { type: 'login', profile: 'dev' });
    assert.equal(fake.created.tabs[1].url, LOGIN_URL, 'console multi-session users keep theirs');
    assert.deepEqual(fake.created.tabs.map((t) => t.cookieStoreId), ['firefox-container-1', 'firefox-container-1']);
  });

  it('applies the prefix and reuses the container on the next click', async () => {
    await fake.api.storage.local.set({ settings: { containerPrefix: 'aws: ' } });
    await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' });
    await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' });
    assert.deepEqual(fake.api.contextualIdentities.items.map((c) => c.name), ['aws: prod-admin']);
    assert.deepEqual(fake.created.tabs.map((t) => t.cookieStoreId), ['firefox-container-1', 'firefox-container-1']);
  });

  it('creates one container for concurrent clicks', async () => {
    const replies = await Promise.all([1, 2, 3].map(() => sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' })));
    assert.ok(replies.every((reply) => reply.ok));
    assert.equal(fake.api.contextualIdentities.items.length, 1);
    assert.equal(fake.created.tabs.length, 3);
  });

  it('falls back to sign-out-first when containers are switched off', async () => {
    await fake.api.storage.local.set({ settings: { containersEnabled: false } });
    await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' });
    assert.equal(fake.api.contextualIdentities.items.length, 0);
    assert.deepEqual(fake.created.tabs[0], { url: signOutFirstUrl(LOGOUT_URL, LOGIN_URL), active: true });
  });

  it('falls back when Firefox refuses containers', async () => {
    const query = fake.api.contextualIdentities.query;
    fake.api.contextualIdentities.query = async () => { throw new Error('Contextual identities are currently disabled'); };
    try {
      const reply = await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' });
      assert.equal(reply.ok, true);
      assert.equal(fake.created.tabs[0].cookieStoreId, undefined);
      assert.equal(fake.created.tabs[0].url, signOutFirstUrl(LOGOUT_URL, LOGIN_URL));
    } finally {
      fake.api.contextualIdentities.query = query;
    }
  });

  it('says what to do when the popup is in a private window, where containers do not exist', async () => {
    fake.api.windows.getCurrent = async () => ({ id: 3, incognito: true });
    fake.api.windows.get = async (id) => ({ id, incognito: id === 3 });
    try {
      const reply = await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' });
      assert.equal(reply.ok, false);
      assert.equal(reply.error.code, 'open_failed');
      assert.equal(reply.error.profile, 'prod-admin');
      assert.match(reply.error.message, /no containers in private windows/);
      assert.match(reply.error.hint, /normal \(non-private\) window/);
      assert.equal(fake.created.tabs.length, 0, 'no tab was attempted');
      assert.equal(fake.api.contextualIdentities.items.length, 0, 'no container was made for it');
      // The popup opened as a tab names its window: a normal one opens as usual.
      const normal = await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' },
        popupSender({ tab: { id: 9, windowId: 1 } }));
      assert.equal(normal.ok, true, JSON.stringify(normal));
      // Containers switched off in roleport: the private window takes the plain console tab.
      await fake.api.storage.local.set({ settings: { containersEnabled: false } });
      const plain = await sendToBackground(fake.api, { type: 'login', profile: 'prod-admin' });
      assert.equal(plain.ok, true);
    } finally {
      delete fake.api.windows.getCurrent;
      delete fake.api.windows.get;
    }
  });
});
