// The background judges every new host process once, by its hello: another protocol version
// or a missing action fails every request with host_incompatible, which says which versions
// and how to fix it; a compatible host is not asked again until its port is replaced.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { fakeBrowser, sendToBackground } from './fakes.js';
import { PROTOCOL_VERSION, REQUIRED_CAPABILITIES, helloProblem } from '../../extension/lib/protocol.js';

const GOOD_HELLO = { version: '0.1.0', protocol: 1, capabilities: ['hello', 'login', 'profiles'] };
const PROFILES = { columns: ['name'], rows: [['dev']], generation: 'g1' };

let hello;
const fake = fakeBrowser({
  host: (request) => {
    if (request.action === 'hello') return { ok: true, result: hello };
    if (request.action === 'profiles') return { ok: true, result: PROFILES };
    return { ok: false, error: { code: 'profile_not_found', message: 'no such profile', hint: '' } };
  },
});
globalThis.chrome = fake.api;
await import('../../extension/background.js');

/** The actions the host has been sent on a port, in order. */
function sentOn(port) {
  return port.sent.map((message) => message.action);
}

beforeEach(() => {
  // Each test meets a new host process: end the port the previous test left open (a browser
  // that cannot start the host closes the port like this, and the background does not respawn).
  const open = fake.ports.at(-1);
  if (open && !open.disconnected) open.close('Specified native messaging host not found.');
  hello = GOOD_HELLO;
});

describe('background: the hello check', () => {
  it('lets requests through to a host of the same protocol with every action', async () => {
    const profiles = await sendToBackground(fake.api, { type: 'profiles' });
    assert.equal(profiles.ok, true, JSON.stringify(profiles.error));
    const login = await sendToBackground(fake.api, { type: 'login', profile: 'dev' });
    assert.equal(login.error.code, 'profile_not_found', 'the login reached the host');
    assert.deepEqual(sentOn(fake.ports.at(-1)), ['hello', 'profiles', 'login'], 'one hello per port');
  });

  it('refuses every request to a host of a newer protocol, saying to update the extension', async () => {
    hello = { ...GOOD_HELLO, protocol: 2 };
    for (const message of [{ type: 'profiles' }, { type: 'login', profile: 'dev' }, { type: 'hello' }]) {
      const reply = await sendToBackground(fake.api, message);
      assert.equal(reply.ok, false, message.type);
      assert.equal(reply.error.code, 'host_incompatible');
      assert.equal(reply.error.message,
        'The roleport helper program speaks protocol 2, this extension speaks protocol 1.');
      assert.match(reply.error.hint, /Update the roleport extension/);
    }
    for (const port of fake.ports.slice(-3)) {
      assert.deepEqual(sentOn(port), ['hello'], 'nothing but hello reaches an incompatible host');
      assert.equal(port.disconnected, true, 'and its process is let go');
    }
  });

  it('refuses a host of an older or unknown protocol, saying to update the helper program', async () => {
    for (const protocol of [0, undefined, '1']) {
      hello = { ...GOOD_HELLO, protocol };
      const reply = await sendToBackground(fake.api, { type: 'profiles' });
      assert.equal(reply.error.code, 'host_incompatible', String(protocol));
      assert.match(reply.error.message, /speaks protocol (0|unknown), this extension speaks protocol 1\./);
      assert.match(reply.error.hint, /`pipx upgrade roleport`/);
      assert.match(reply.error.hint, /`roleport install`/);
    }
  });

  it('refuses a host that lacks an action the extension sends, naming it', async () => {
    hello = { ...GOOD_HELLO, version: '0.0.9', capabilities: ['hello', 'profiles'] };
    const reply = await sendToBackground(fake.api, { type: 'profiles' });
    assert.equal(reply.error.code, 'host_incompatible');
    assert.equal(reply.error.message,
      'The roleport helper program (version 0.0.9) does not offer \'login\', which this extension needs.');
    assert.match(reply.error.hint, /`pipx upgrade roleport`/);
    assert.deepEqual(sentOn(fake.ports.at(-1)), ['hello']);

    hello = { version: '0.0.1', protocol: 1 };
    const none = await sendToBackground(fake.api, { type: 'profiles' });
    assert.match(none.error.message, /does not offer 'hello', 'profiles', 'login'/);
  });

  it('checks a new port again, and an open one only once', async () => {
    hello = { ...GOOD_HELLO, protocol: 2 };
    const refused = await sendToBackground(fake.api, { type: 'profiles' });
    assert.equal(refused.error.code, 'host_incompatible');
    const portsBefore = fake.ports.length;

    // The user updated roleport: the next request starts a new host and checks it.
    hello = GOOD_HELLO;
    const accepted = await sendToBackground(fake.api, { type: 'profiles' });
    assert.equal(accepted.ok, true, JSON.stringify(accepted.error));
    assert.equal(fake.ports.length, portsBefore + 1);

    // The same host process keeps its verdict: no second hello on its port.
    hello = { ...GOOD_HELLO, protocol: 2 };
    const again = await sendToBackground(fake.api, { type: 'profiles' });
    assert.equal(again.ok, true);
    assert.deepEqual(sentOn(fake.ports.at(-1)), ['hello', 'profiles', 'profiles']);

    // A port that closed is replaced, and the new host is judged on its own hello.
    fake.ports.at(-1).close('Specified native messaging host not found.');
    const replaced = await sendToBackground(fake.api, { type: 'profiles' });
    assert.equal(replaced.error.code, 'host_incompatible');
    assert.equal(fake.ports.length, portsBefore + 2);
  });

  it('answers the options page\'s hello with the host\'s details once the host passed', async () => {
    const reply = await sendToBackground(fake.api, { type: 'hello' });
    assert.deepEqual(reply, { ok: true, result: GOOD_HELLO });
  });
});

describe('helloProblem', () => {
  it('accepts the hello PROTOCOL.md shows, with extra capabilities', () => {
    assert.equal(helloProblem({ ...GOOD_HELLO, capabilities: [...REQUIRED_CAPABILITIES, 'sso_login'] }), null);
    assert.equal(PROTOCOL_VERSION, 1);
  });

  it('refuses a reply that is not a hello at all', () => {
    for (const reply of [null, undefined, 'H', [], {}]) {
      assert.equal(helloProblem(reply)?.code, 'host_incompatible', JSON.stringify(reply));
    }
  });
});
