// What a click opens: a profile or a discovered IAM Identity Center role, its key, its host
// request and its look.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { discoveredLabel, discoveredName } from '../../extension/lib/discovery.js';
import { hostRequest, loginTarget, targetLook } from '../../extension/lib/login-targets.js';
import { profileNameProblem } from '../../extension/lib/rules.js';

const ROLE = { sso_session: 'corp', account_id: '999988887777', role_name: 'Developer' };
const KEY = discoveredName('corp', '999988887777', 'Developer');
const SETTINGS = { region: 'us-east-2', sessionDuration: 3600 };

describe('login targets', () => {
  it('a discovered role is keyed by its list key, which no profile name can be', () => {
    const target = loginTarget({ discovered: { ...ROLE, account_name: 'Sandbox' } });
    assert.equal(target.key, KEY);
    assert.deepEqual(target.discovered, ROLE);
    assert.notEqual(profileNameProblem(target.key), null, 'not a possible profile name');
    assert.deepEqual(loginTarget({ profile: KEY }).discovered, ROLE, 'the key alone names it too');
  });

  it('a profile is keyed by its name', () => {
    assert.deepEqual(loginTarget({ profile: 'prod' }), { key: 'prod', discovered: null, accountName: null });
  });

  it('refuses what is not a target with invalid_request', () => {
    for (const bad of [
      {}, { profile: '' }, { discovered: { ...ROLE, account_id: '12' } },
      { discovered: { ...ROLE, role_name: 'has space' } }, { discovered: { ...ROLE, sso_session: '' } },
      { profile: 'sso\ncorp\n999988887777' }, { profile: 'sso\ncorp\nnot-digits\nDeveloper' },
    ]) {
      assert.throws(() => loginTarget(bad), { code: 'invalid_request' }, JSON.stringify(bad));
    }
  });

  it('a profile signs in with login, a discovered role with login_sso_role, both with the settings', () => {
    const options = { mfaCode: '123456', destination: 'https://console.aws.amazon.com/s3/' };
    assert.deepEqual(hostRequest(loginTarget({ profile: 'prod' }), SETTINGS, options), {
      action: 'login',
      params: {
        profile: 'prod', region: 'us-east-2', duration: 3600, mfa_code: '123456', destination: options.destination,
      },
    });
    assert.deepEqual(hostRequest(loginTarget({ profile: KEY }), SETTINGS, options), {
      action: 'login_sso_role',
      params: { ...ROLE, region: 'us-east-2', duration: 3600, destination: options.destination },
    });
    assert.deepEqual(hostRequest(loginTarget({ profile: KEY }), {}).params, ROLE);
  });

  it('a discovered role looks like "Account/Role", coloured by its account', () => {
    const profiles = [{
      name: 'sandbox-admin', account_id: '999988887777', role: 'Admin', account_color: 'purple',
    }];
    const listed = [{ name: KEY, account_id: '999988887777', account_name: 'Sandbox' }];
    const look = targetLook(loginTarget({ profile: KEY }), profiles, listed);
    assert.equal(look.profile.name, 'Sandbox/Developer');
    assert.equal(look.profile.role, 'Developer');
    assert.equal(look.style.color, targetLook(loginTarget({ profile: 'sandbox-admin' }), profiles).style.color);
    assert.equal(discoveredLabel(ROLE), '999988887777/Developer', 'no name known: the account id');
    assert.equal(targetLook(loginTarget({ profile: 'gone' }), profiles).profile.name, 'gone');
  });
});
