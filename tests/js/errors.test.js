// The extension's error catalogue: complete, frozen, documented in PROTOCOL.md, and the only
// place where the extension spells an error.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';

import {
  EXTENSION_ERRORS, HostError, errorFields, extensionError, toErrorPayload,
} from '../../extension/lib/errors.js';

const EXTENSION_DIR = new URL('../../extension/', import.meta.url);

function sources(folder = EXTENSION_DIR) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((item) => {
    if (item.isDirectory()) return sources(new URL(`${item.name}/`, folder));
    return item.name.endsWith('.js') ? [new URL(item.name, folder)] : [];
  });
}

describe('the error catalogue', () => {
  it('gives every entry a code, a message and a hint, and cannot be changed', () => {
    assert.ok(Object.isFrozen(EXTENSION_ERRORS));
    for (const [name, entry] of Object.entries(EXTENSION_ERRORS)) {
      assert.ok(Object.isFrozen(entry), name);
      assert.match(entry.code, /^[a-z]+(_[a-z]+)*$/, name);
      assert.ok(entry.message.endsWith('.'), `${name}: a message is a sentence`);
      assert.equal(typeof entry.hint, 'string', name);
    }
  });

  it('lists every code in PROTOCOL.md, "Errors the extension adds"', () => {
    const protocol = readFileSync(new URL('../../PROTOCOL.md', import.meta.url), 'utf8');
    const section = protocol.split('## Errors the extension adds')[1].split('\n## ')[0];
    const documented = new Set([...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]));
    const codes = new Set(Object.values(EXTENSION_ERRORS).map((entry) => entry.code));
    assert.deepEqual([...codes].sort(), [...documented].sort());
  });

  it('fills the templates from the fields and keeps the details apart', () => {
    const error = extensionError('timeout', { action: 'login', seconds: 40 }, { profile: 'dev' });
    assert.ok(error instanceof HostError);
    assert.equal(error.code, 'timeout');
    assert.equal(error.message, 'The roleport helper program did not answer \'login\' within 40 seconds.');
    assert.deepEqual(error.toJSON(), { ...errorFields('timeout', { action: 'login', seconds: 40 }), profile: 'dev' });
    assert.equal(errorFields('hostExited').message, 'The roleport helper program stopped unexpectedly.');
  });

  it('refuses a name it does not know, even one of Object.prototype', () => {
    assert.throws(() => errorFields('noSuchError'), TypeError);
    assert.throws(() => errorFields('toString'), TypeError);
  });

  it('is the only place where the extension writes an error code', () => {
    for (const file of sources()) {
      if (file.pathname.endsWith('/lib/errors.js')) continue;
      const text = readFileSync(file, 'utf8');
      assert.doesNotMatch(text, /\bcode: ['"`]/, `${file.pathname} spells an error by hand`);
    }
  });
});

describe('toErrorPayload', () => {
  it('turns something unexpected into the catalogue\'s internal error', () => {
    for (const thrown of [undefined, null, 'text', new TypeError('')]) {
      const payload = toErrorPayload(thrown);
      assert.equal(payload.code, 'internal_error');
      assert.equal(typeof payload.message, 'string');
      assert.ok(payload.message.length > 0);
    }
    assert.deepEqual(toErrorPayload(undefined), errorFields('internal'));
  });
});

describe('what a page does with a host error', async () => {
  const { isTemporary, refreshesProfileList } = await import('../../extension/lib/errors.js');

  it('refreshes the profile list only for an unknown profile', () => {
    assert.equal(refreshesProfileList({ code: 'profile_not_found' }), true);
    for (const code of ['config_error', 'access_denied', 'throttled', 'internal_error']) {
      assert.equal(refreshesProfileList({ code }), false, code);
    }
    assert.equal(refreshesProfileList(null), false);
  });

  it('calls throttling, server faults, timeouts and network errors temporary', () => {
    for (const code of ['throttled', 'aws_unavailable', 'timeout', 'network_error']) {
      assert.equal(isTemporary({ code }), true, code);
    }
    for (const code of ['access_denied', 'sso_login_required', 'profile_not_found',
      'federation_failed', 'mfa_invalid']) {
      assert.equal(isTemporary({ code }), false, code);
    }
    assert.equal(isTemporary(undefined), false);
  });
});
