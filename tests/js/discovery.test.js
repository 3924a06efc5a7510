import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  discoveredName, isDiscoveredName, isOpenableVerificationUrl, mergeDiscovered,
  parseDiscoveredName, rowsToDiscovered, sessionsToSignIn,
} from '../../extension/lib/discovery.js';

const TABLE = {
  columns: ['sso_session', 'account_id', 'account_name', 'account_email', 'role'],
  rows: [
    ['corp', '111111111111', 'Production', 'prod@example.com', 'AdministratorAccess'],
    ['corp', '111111111111', 'Production', 'prod@example.com', 'ReadOnly'],
    ['corp', '222222222222', 'Development', null, 'Developer'],
    ['corp', null, 'Broken', null, 'X'],
    'not a row',
  ],
};

test('rows become discovered entries keyed so they never collide with profile names', () => {
  const found = rowsToDiscovered(TABLE);
  assert.equal(found.length, 3);
  assert.deepEqual(found[2], {
    name: discoveredName('corp', '222222222222', 'Developer'),
    account_id: '222222222222',
    account_name: 'Development',
    account_email: null,
    role: 'Developer',
    region: null,
    kind: 'sso',
    discovered: true,
    sso_session: 'corp',
  });
  assert.ok(isDiscoveredName(found[0].name));
  assert.ok(!isDiscoveredName('sso-admin'));
  assert.deepEqual(parseDiscoveredName(found[1].name), {
    sso_session: 'corp', account_id: '111111111111', role_name: 'ReadOnly',
  });
  assert.equal(parseDiscoveredName('sso\nonly-two\nparts'), null);
  assert.equal(rowsToDiscovered(null).length, 0);
});

test('a configured profile naming the same account and role shows once, as configured', () => {
  const profiles = [
    { name: 'prod-admin', account_id: '111111111111', account_name: null, role: 'AdministratorAccess' },
    { name: 'keys', account_id: null, role: null },
  ];
  const merged = mergeDiscovered(profiles, rowsToDiscovered(TABLE));
  assert.deepEqual(merged.map((entry) => entry.name), [
    'prod-admin', 'keys',
    discoveredName('corp', '111111111111', 'ReadOnly'),
    discoveredName('corp', '222222222222', 'Developer'),
  ]);
  // The portal's account name fills the configured profile's missing one.
  assert.equal(merged[0].account_name, 'Production');
  assert.equal(merged[0].discovered, undefined);
  assert.equal(mergeDiscovered(profiles, []), profiles);
});

test('sessions without a usable token are offered a sign-in', () => {
  assert.deepEqual(sessionsToSignIn([
    { sso_session: 'corp', signed_in: false }, { sso_session: 'other', signed_in: true }, null,
  ]).map((session) => session.sso_session), ['corp']);
});

test('only https or loopback verification pages are opened', () => {
  assert.ok(isOpenableVerificationUrl('https://device.sso.eu-west-1.amazonaws.com/?user_code=AB'));
  assert.ok(isOpenableVerificationUrl('http://127.0.0.1:4000/device?user_code=AB'));
  assert.ok(!isOpenableVerificationUrl('http://evil.example/device'));
  assert.ok(!isOpenableVerificationUrl('javascript:alert(1)'));
  assert.ok(!isOpenableVerificationUrl('not a url'));
});
