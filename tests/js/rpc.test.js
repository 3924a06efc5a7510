import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  CLIENT_ERRORS, HostError, NativeClient, classifyDisconnect,
} from '../../extension/lib/rpc.js';
import { FakePort, FakeTimers } from './fakes.js';

function setup({ keepAlive = false, connectError = null, onConnect, holder = {} } = {}) {
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
    onConnect,
    setTimer: timers.set,
    clearTimer: timers.clear,
    now: () => timers.now,
  });
  holder.client = client;
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

describe('NativeClient onConnect', () => {
  it('runs once per new port, and what it sends goes first', async () => {
    const holder = {};
    let connects = 0;
    const { client, ports } = setup({
      onConnect: () => {
        connects += 1;
        holder.client.request('hello').catch(() => {});
      },
    });
    holder.client = client;
    const profiles = client.request('profiles');
    client.request('login').catch(() => {});
    assert.equal(connects, 1);
    assert.deepEqual(ports[0].sent.map((m) => m.action), ['hello', 'profiles', 'login']);
    ports[0].close('Native host has exited.');
    await assert.rejects(profiles);
    client.request('profiles').catch(() => {});
    assert.equal(connects, 2);
    assert.deepEqual(ports[1].sent.map((m) => m.action), ['hello', 'profiles']);
    client.close();
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
    const holder = {};
    const { client, timers, ports } = setup({
      keepAlive: true,
      holder,
      // Like the background: every new port starts with the warm-up hello.
      onConnect: () => holder.client.request('hello').catch(() => {}),
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
