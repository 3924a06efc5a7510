// The background's `aws` keyword and first-run page, driven through the omnibox and
// runtime.onInstalled events exactly as the browser fires them (a fake browser API).
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import {
  HELLO, LOGIN_URL, LOGOUT_URL, fakeBrowser, sendToBackground,
} from './fakes.js';

const PROFILES = {
  columns: ['name', 'account_id', 'account_name', 'role', 'region'],
  rows: [
    ['prod-admin', '111122223333', 'Production', 'Admin', 'eu-west-1'],
    ['prod-readonly', '111122223333', 'Production', 'ReadOnly', 'eu-west-1'],
    ['dev-admin', '444455556666', 'Development', 'Admin', 'us-east-1'],
  ],
  generation: 'g1',
};

let hostMissing = false;
const fake = fakeBrowser({
  omnibox: true,
  host: (request) => {
    if (hostMissing) return { disconnect: 'Specified native messaging host not found.' };
    if (request.action === 'hello') return { ok: true, result: HELLO };
    if (request.action === 'profiles') return { ok: true, result: PROFILES };
    if (request.action === 'login') {
      return {
        ok: true,
        result: {
          url: LOGIN_URL, logout_url: LOGOUT_URL, expires_at: '2030-01-01T00:00:00Z', container: null,
          identity: { account: '444455556666', role: 'Admin' },
        },
      };
    }
    return { ok: false, error: { code: 'invalid_request', message: 'no', hint: '' } };
  },
});
globalThis.chrome = fake.api;
await import('../../extension/background.js');

const WELCOME = `chrome-extension://${fake.api.runtime.id}/extension/welcome.html`;

/** The omnibox's suggest callback, resolved with what the background suggested. */
function typed(text) {
  return new Promise((resolve) => {
    fake.api.omnibox.onInputChanged.emit(text, resolve);
  });
}

async function until(condition, what) {
  for (let i = 0; i < 200; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

beforeEach(() => {
  hostMissing = false;
  fake.created.tabs.length = 0;
  const open = fake.ports.at(-1);
  if (open && !open.disconnected) open.close('Specified native messaging host not found.');
});

describe('background: the aws keyword', () => {
  it('suggests profiles for a typed prefix, ranked, with Chromium markup', async () => {
    const suggestions = await typed('prod');
    assert.deepEqual(suggestions.map((s) => s.content), ['prod-admin', 'prod-readonly']);
    assert.match(suggestions[0].description, /^<match>prod-admin<\/match> <dim>/);
    assert.equal(fake.api.omnibox.defaults.at(-1).description,
      'Open the AWS console as <match>prod-admin</match>');
  });

  it('opens the chosen profile through the popup\'s login path on Enter', async () => {
    fake.api.omnibox.onInputEntered.emit('dev-admin', 'newForegroundTab');
    await until(() => fake.created.tabs.length === 1, 'the console tab');
    const login = fake.requests.filter((r) => r.action === 'login').at(-1);
    assert.equal(login.params.profile, 'dev-admin');
    assert.equal(fake.created.tabs[0].active, true);
    assert.ok(fake.created.tabs[0].url.includes('Action=logout'), 'signs out first, as a click does');
  });

  it('opens the best match of typed text, in the background when asked', async () => {
    fake.api.omnibox.onInputEntered.emit('prd read', 'newBackgroundTab');
    await until(() => fake.created.tabs.length === 1, 'the console tab');
    assert.equal(fake.requests.filter((r) => r.action === 'login').at(-1).params.profile,
      'prod-readonly');
    assert.equal(fake.created.tabs[0].active, false);
  });

  it('answers its own pages through the same handlers (the browser tests\' route)', async () => {
    const reply = await sendToBackground(fake.api, { type: 'omniboxSuggest', text: 'dev' });
    assert.equal(reply.ok, true);
    assert.deepEqual(reply.result.suggestions.map((s) => s.content), ['dev-admin']);
    const nothing = await sendToBackground(fake.api, { type: 'omniboxEnter', text: 'zzz' });
    assert.deepEqual(nothing.result, { profile: null });
  });
});

describe('background: first run', () => {
  it('opens the welcome page on install', async () => {
    fake.api.runtime.onInstalled.emit({ reason: 'install' });
    await until(() => fake.created.tabs.some((tab) => tab.url === WELCOME), 'the welcome tab');
  });

  it('focuses an open welcome page instead of opening another', async () => {
    fake.api.runtime.onInstalled.emit({ reason: 'install' });
    await until(() => fake.created.tabs.length === 1, 'the welcome tab');
    const reply = await sendToBackground(fake.api, { type: 'openWelcome' });
    assert.equal(reply.ok, true);
    assert.equal(fake.created.tabs.length, 1);
  });

  it('after an update, opens it only when the host cannot serve this version', async () => {
    fake.api.runtime.onInstalled.emit({ reason: 'update' });
    await until(() => fake.requests.at(-1)?.action === 'hello', 'the hello');
    // A second hello is answered after the first, whose outcome has been acted on by then.
    assert.equal((await sendToBackground(fake.api, { type: 'hello' })).ok, true);
    assert.equal(fake.created.tabs.length, 0);
    fake.ports.at(-1).close('Specified native messaging host not found.');
    hostMissing = true;
    fake.api.runtime.onInstalled.emit({ reason: 'update' });
    await until(() => fake.created.tabs.some((tab) => tab.url === WELCOME), 'the welcome tab');
  });

  it('opens it when Enter in the address bar meets a missing host', async () => {
    await typed('dev'); // caches the profile list while the host is there
    fake.ports.at(-1).close('Specified native messaging host not found.');
    hostMissing = true;
    fake.api.omnibox.onInputEntered.emit('dev-admin', 'currentTab');
    await until(() => fake.created.tabs.some((tab) => tab.url === WELCOME), 'the welcome tab');
  });
});
