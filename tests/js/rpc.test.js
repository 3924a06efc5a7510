import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EXTENSION_ERRORS, HostError } from '../../extension/lib/errors.js';
import { NativeClient, classifyDisconnect } from '../../extension/lib/rpc.js';
import { FakePort, FakeTimers } from './fakes.js';

/** The wire code of each catalogue entry, by the entry's name. */
const CLIENT_ERRORS = Object.fromEntries(
  Object.entries(EXTENSION_ERRORS).map(([name, entry]) => [name, entry.code]),
);

function setup({ keepAlive = false, connectError = null, handshake } = {}) {
  const timers = new FakeTimers();
  const ports = [];
  const client = new NativeClient({
    connect: () => {
      if (connectError) throw new Error(connectError);
      const port = new FakePort();
      ports.push(port);
      return port;
    },
    disconnectReason: (port) => port.error?.message,
    extensionId: 'lcdhbonoaganhbjkpgecgonmncjbaiij',
    keepAlive,
    handshake,
    setTimer: timers.set,
    clearTimer: timers.clear,
    now: () => timers.now,
  });
  return { client, timers, ports };
}

describe('NativeClient request/reply', () => {
  it('sends {id, action, params} and matches replies arriving out of order', async () => {
    const { client, ports } = setup();
    const first = client.request('hello');
    const second = client.request('profiles', { a: 1 });
    assert.equal(ports.length, 1, 'one port for both requests');
    const [helloRequest, profilesRequest] = ports[0].sent;
    assert.equal(helloRequest.action, 'hello');
    assert.deepEqual(profilesRequest.params, { a: 1 });
    assert.notEqual(helloRequest.id, profilesRequest.id);
    ports[0].reply({ id: profilesRequest.id, ok: true, result: 'P' });
    ports[0].reply({ id: helloRequest.id, ok: true, result: 'H' });
    assert.deepEqual(await Promise.all([first, second]), ['H', 'P']);
  });

  it('turns an error reply into a HostError with the wire fields', async () => {
    const { client, ports } = setup();
    const pending = client.request('login', { profile: 'p' });
    ports[0].reply({
      id: ports[0].sent[0].id,
      ok: false,
      error: { code: 'mfa_required', message: 'needs MFA', hint: 'enter code', profile: 'p', mfa_serial: 'arn:m' },
    });
    await assert.rejects(pending, (error) => {
      assert.ok(error instanceof HostError);
      assert.equal(error.code, 'mfa_required');
      assert.equal(error.message, 'needs MFA');
      assert.equal(error.hint, 'enter code');
      assert.equal(error.details.mfa_serial, 'arn:m');
      assert.deepEqual(error.toJSON(), {
        code: 'mfa_required', message: 'needs MFA', hint: 'enter code', profile: 'p', mfa_serial: 'arn:m',
      });
      return true;
    });
  });

  it('rejects a malformed reply instead of hanging', async () => {
    const { client, ports } = setup();
    const pending = client.request('hello');
    ports[0].reply({ id: ports[0].sent[0].id, ok: 'maybe' });
    await assert.rejects(pending, { code: CLIENT_ERRORS.badReply });
  });

  it('times out, forgets the request and ignores its late reply', async () => {
    const { client, timers, ports } = setup();
    const slow = client.request('login', { profile: 'p' }, { timeoutMs: 5000 });
    const other = client.request('hello', {}, { timeoutMs: 60_000 });
    timers.advance(4999);
    let settled = false;
    slow.then(() => { settled = true; }, () => { settled = true; });
    await Promise.resolve();
    assert.equal(settled, false, 'not before the deadline');
    timers.advance(1);
    await assert.rejects(slow, (error) => {
      assert.equal(error.code, CLIENT_ERRORS.timeout);
      assert.match(error.message, /'login' within 5 seconds/);
      return true;
    });
    assert.equal(client.pending.size, 1);
    ports[0].reply({ id: ports[0].sent[0].id, ok: true, result: 'late' });
    ports[0].reply({ id: ports[0].sent[1].id, ok: true, result: 'H' });
    assert.equal(await other, 'H');
    assert.equal(timers.pending.length, 0, 'no timer left behind');
  });
});

describe('NativeClient wedged host', () => {
  it('starts a fresh host for the next request after one timed out on a silent port', async () => {
    const { client, timers, ports } = setup();
    const stuck = client.request('login', { profile: 'p' }, { timeoutMs: 5000 });
    const waiting = client.request('hello', {}, { timeoutMs: 60_000 });
    timers.advance(5000);
    await assert.rejects(stuck, { code: CLIENT_ERRORS.timeout });
    const next = client.request('hello', {}, { timeoutMs: 5000 });
    assert.equal(ports.length, 2, 'a new port, so a new host process');
    assert.equal(ports[0].disconnected, true, 'the wedged host is let go');
    await assert.rejects(waiting, (error) => {
      assert.equal(error.code, CLIENT_ERRORS.timeout);
      assert.match(error.message, /stopped answering/);
      return true;
    });
    ports[1].reply({ id: ports[1].sent[0].id, ok: true, result: 'H' });
    assert.equal(await next, 'H');
    assert.equal(timers.pending.length, 0, 'no timer left behind');
  });

  it('keeps a port that answered anything after the timed-out request was sent', async () => {
    const { client, timers, ports } = setup();
    const slow = client.request('login', { profile: 'p' }, { timeoutMs: 5000 });
    const quick = client.request('hello', {}, { timeoutMs: 5000 });
    ports[0].reply({ id: ports[0].sent[1].id, ok: true, result: 'H' });
    assert.equal(await quick, 'H');
    timers.advance(5000);
    await assert.rejects(slow, { code: CLIENT_ERRORS.timeout });
    client.request('hello').catch(() => {});
    assert.equal(ports.length, 1, 'a busy host is not a wedged one');
    client.close();
  });
});

/** The actions posted on a port so far. */
function actions(port) {
  return port.sent.map((message) => message.action);
}

/** Lets promise callbacks run (the requests that waited for a handshake). */
function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}

function replyTo(port, action, result) {
  const request = port.sent.find((message) => message.action === action);
  port.reply({ id: request.id, ok: true, result });
}

describe('NativeClient handshake', () => {
  it('runs once per new port, and what it sends goes first', async () => {
    let handshakes = 0;
    const { client, ports } = setup({
      handshake: (send) => {
        handshakes += 1;
        return send('hello');
      },
    });
    const profiles = client.request('profiles');
    const login = client.request('login');
    assert.equal(handshakes, 1);
    assert.deepEqual(actions(ports[0]), ['hello'], 'the others wait for the handshake');
    replyTo(ports[0], 'hello', 'H');
    await settle();
    assert.deepEqual(actions(ports[0]), ['hello', 'profiles', 'login']);
    ports[0].close('Native host has exited.');
    await assert.rejects(profiles);
    await assert.rejects(login);
    client.request('profiles').catch(() => {});
    assert.equal(handshakes, 2);
    assert.deepEqual(actions(ports[1]), ['hello']);
    replyTo(ports[1], 'hello', 'H');
    await settle();
    assert.deepEqual(actions(ports[1]), ['hello', 'profiles']);
    client.close();
  });

  it('fails what waits with the handshake\'s error, and the next request checks a fresh host', async () => {
    const { client, ports } = setup({
      handshake: async (send) => {
        if (await send('hello') !== 'compatible') {
          throw new HostError({ code: 'host_incompatible', message: 'old host', hint: 'update it' });
        }
      },
    });
    const waiting = [client.request('profiles'), client.request('login')];
    replyTo(ports[0], 'hello', 'old');
    for (const request of waiting) {
      await assert.rejects(request, { code: 'host_incompatible', message: 'old host', hint: 'update it' });
    }
    assert.deepEqual(actions(ports[0]), ['hello'], 'nothing reached the incompatible host');
    assert.equal(ports[0].disconnected, true, 'its port is let go');
    assert.equal(client.connected, false);

    const next = client.request('profiles');
    assert.equal(ports.length, 2, 'a new port, so a new (maybe updated) host');
    replyTo(ports[1], 'hello', 'compatible');
    await settle();
    replyTo(ports[1], 'profiles', 'P');
    assert.equal(await next, 'P');
  });

  it('fails what waits with the reason of a port that closed during the handshake', async () => {
    const { client, ports } = setup({ handshake: (send) => send('hello') });
    const waiting = client.request('profiles');
    ports[0].close('Specified native messaging host not found.');
    await assert.rejects(waiting, { code: CLIENT_ERRORS.hostNotInstalled });
    assert.deepEqual(actions(ports[0]), ['hello']);
  });

  it('tells why a port closed right after a successful handshake', async () => {
    const { client, ports } = setup({ handshake: (send) => send('hello') });
    const waiting = client.request('profiles');
    replyTo(ports[0], 'hello', 'H');
    ports[0].close('Native host has exited.');
    await assert.rejects(waiting, (error) => {
      assert.equal(error.code, CLIENT_ERRORS.hostExited);
      assert.match(error.message, /stopped unexpectedly \(Native host has exited\)/);
      return true;
    });
  });

  it('gives up on a port whose handshake timed out', async () => {
    const { client, timers, ports } = setup({ handshake: (send) => send('hello', {}, { timeoutMs: 1000 }) });
    const waiting = client.request('profiles');
    timers.advance(1000);
    await assert.rejects(waiting, (error) => {
      assert.equal(error.code, CLIENT_ERRORS.timeout);
      assert.match(error.message, /'hello' within 1 seconds/);
      return true;
    });
    assert.equal(ports[0].disconnected, true);
    client.request('profiles').catch(() => {});
    assert.equal(ports.length, 2);
    assert.deepEqual(actions(ports[1]), ['hello']);
    client.close();
  });

  it('rejects what waits when the client is closed during the handshake', async () => {
    const { client } = setup({ handshake: (send) => send('hello') });
    const waiting = client.request('profiles');
    client.close();
    await assert.rejects(waiting, { code: CLIENT_ERRORS.connectionClosed });
  });
});

describe('NativeClient disconnects', () => {
  const cases = [
    ['Specified native messaging host not found.', CLIENT_ERRORS.hostNotInstalled, /roleport install/],
    ['No such native application roleport', CLIENT_ERRORS.hostNotInstalled, /roleport install/],
    ['Access to the specified native messaging host is forbidden.', CLIENT_ERRORS.hostForbidden,
      /roleport install --extension-id lcdhbonoaganhbjkpgecgonmncjbaiij/],
    ['Native host has exited.', CLIENT_ERRORS.hostExited, /roleport doctor/],
    [undefined, CLIENT_ERRORS.hostExited, /roleport doctor/],
  ];
  for (const [reason, code, hint] of cases) {
    it(`reports ${code} for ${JSON.stringify(reason)} and rejects what is pending`, async () => {
      const { client, ports, timers } = setup();
      const pending = [client.request('hello'), client.request('profiles')];
      ports[0].close(reason);
      for (const request of pending) {
        await assert.rejects(request, (error) => {
          assert.equal(error.code, code);
          assert.match(error.hint, hint);
          return true;
        });
      }
      assert.equal(timers.pending.length, 0, 'timeouts cleared');
      assert.equal(client.connected, false);
    });
  }

  it('classifies distinctly with a message saying what happened', () => {
    const codes = new Set(cases.map(([reason]) => classifyDisconnect(reason).code));
    assert.equal(codes.size, 3);
    assert.match(classifyDisconnect('Native host has exited.').message, /stopped unexpectedly \(Native host has exited\)/);
  });

  it('opens a new port for the next request after a disconnect', async () => {
    const { client, ports } = setup();
    const first = client.request('hello');
    ports[0].close('Native host has exited.');
    await assert.rejects(first);
    const second = client.request('hello');
    assert.equal(ports.length, 2);
    ports[1].reply({ id: ports[1].sent[0].id, ok: true, result: 'again' });
    assert.equal(await second, 'again');
  });

  it('ignores events of a port it has replaced', async () => {
    const { client, ports } = setup();
    const first = client.request('hello');
    ports[0].close('Native host has exited.');
    await assert.rejects(first);
    const second = client.request('hello');
    ports[0].close('late duplicate');
    ports[1].reply({ id: ports[1].sent[0].id, ok: true, result: 'fine' });
    assert.equal(await second, 'fine');
  });

  it('reports a connect that throws as an error, not an exception', async () => {
    const { client } = setup({ connectError: 'Specified native messaging host not found.' });
    await assert.rejects(client.request('hello'), { code: CLIENT_ERRORS.hostNotInstalled });
  });

  it('with keepAlive reconnects after a crash, backing off, and stops after a few tries', () => {
    const { client, timers, ports } = setup({ keepAlive: true });
    client.request('hello').catch(() => {});
    ports[0].reply({ id: ports[0].sent[0].id, ok: true, result: 'H' });
    ports[0].close('Native host has exited.');
    const delays = [];
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const [timer] = timers.pending;
      if (!timer) break;
      delays.push(timer.delay);
      timers.advance(timer.delay);
      ports.at(-1).close('Native host has exited.');
    }
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000]);
    assert.equal(ports.length, 6);
  });

  it('with keepAlive backs off from a host that answers hello and then dies', () => {
    const { client, timers, ports } = setup({
      keepAlive: true,
      // Like the background: every new port starts with the hello that also warms the host up.
      handshake: (send) => send('hello'),
    });
    const crashAfterHello = () => {
      const port = ports.at(-1);
      port.reply({ id: port.sent[0].id, ok: true, result: 'H' });
      port.close('Native host has exited.');
    };
    client.request('profiles').catch(() => {});
    crashAfterHello();
    const delays = [];
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const [timer] = timers.pending;
      if (!timer) break;
      delays.push(timer.delay);
      timers.advance(timer.delay);
      crashAfterHello();
    }
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000]);
  });

  it('with keepAlive starts the backoff over after a host that ran for a while', () => {
    const { client, timers, ports } = setup({ keepAlive: true });
    client.request('hello').catch(() => {});
    ports[0].close('Native host has exited.');
    timers.advance(timers.pending[0].delay);
    ports[1].close('Native host has exited.');
    assert.equal(timers.pending[0].delay, 1000, 'a quick crash backs off');
    timers.advance(1000);
    timers.advance(10 * 60_000);
    ports[2].close('Native host has exited.');
    assert.equal(timers.pending[0].delay, 500, 'ten healthy minutes reset the backoff');
    client.close();
  });

  it('with keepAlive does not respawn a host that is not installed', () => {
    const { client, timers, ports } = setup({ keepAlive: true });
    client.request('hello').catch(() => {});
    ports[0].close('Specified native messaging host not found.');
    assert.equal(timers.pending.length, 0);
  });

  it('close() rejects pending requests and cancels reconnection', async () => {
    const { client, timers, ports } = setup({ keepAlive: true });
    const pending = client.request('hello');
    client.close();
    await assert.rejects(pending, { code: CLIENT_ERRORS.hostExited });
    assert.ok(ports[0].disconnected);
    assert.equal(timers.pending.length, 0);
  });
});
