// extension/lib/rules.js against tests/rules_cases.json, the table tests/test_rules.py checks
// the host's rules.py against: the two implementations agree value by value.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import {
  DEFAULT_SSO_DISCOVERY_MAX_AGE, MAX_CONSOLE_DURATION, MAX_PROFILE_NAME,
  MAX_SSO_DISCOVERY_MAX_AGE, MIN_CONSOLE_DURATION, MIN_SSO_DISCOVERY_MAX_AGE, REGION_PATTERN,
  isAccountId, isConsoleDuration, isMfaCode, isRegion, isRoleName, isSsoDiscoveryMaxAge,
  normalizeMfaCode, normalizeRegion, profileNameProblem,
} from '../../extension/lib/rules.js';

const CASES = JSON.parse(readFileSync(new URL('../rules_cases.json', import.meta.url), 'utf8'));
const PYTHON_RULES = readFileSync(new URL('../../host/roleport/rules.py', import.meta.url), 'utf8');

const CHECKS = {
  region: isRegion,
  region_typed: (text) => isRegion(normalizeRegion(text)),
  mfa_code: isMfaCode,
  mfa_code_typed: (text) => isMfaCode(normalizeMfaCode(text)),
  console_duration: isConsoleDuration,
  sso_discovery_max_age: isSsoDiscoveryMaxAge,
  profile_name: (value) => profileNameProblem(value) === null,
  profile_name_long: (length) => profileNameProblem('a'.repeat(length)) === null,
  account_id: isAccountId,
  role_name: isRoleName,
};

const RULES = Object.keys(CASES).filter((key) => !key.startsWith('_'));

describe('rules.js against the shared table', () => {
  it('has a check for every rule of the table, and no check the table lacks', () => {
    assert.deepEqual(Object.keys(CHECKS).sort(), [...RULES].sort());
  });

  for (const rule of RULES) {
    const { valid, invalid } = CASES[rule];
    it(`${rule}: accepts every valid and refuses every invalid value`, () => {
      assert.ok(valid.length > 0 && invalid.length > 0, `${rule} has cases of both kinds`);
      for (const value of valid) assert.equal(CHECKS[rule](value), true, `${rule}(${JSON.stringify(value)})`);
      for (const value of invalid) assert.equal(CHECKS[rule](value), false, `${rule}(${JSON.stringify(value)})`);
    });
  }
});

describe('rules.js constants spelled as in rules.py', () => {
  function pythonValue(name) {
    const match = new RegExp(`^${name} = (r?"[^"]*"|\\d+)$`, 'm').exec(PYTHON_RULES);
    assert.ok(match, `${name} is defined in host/roleport/rules.py`);
    const literal = match[1];
    return literal.startsWith('r"') ? literal.slice(2, -1) : Number(literal);
  }

  it('has the same region pattern, duration and discovery age bounds and profile name limit', () => {
    assert.equal(REGION_PATTERN, pythonValue('REGION_PATTERN'));
    assert.equal(MIN_CONSOLE_DURATION, pythonValue('MIN_CONSOLE_DURATION'));
    assert.equal(MAX_CONSOLE_DURATION, pythonValue('MAX_CONSOLE_DURATION'));
    assert.equal(MAX_PROFILE_NAME, pythonValue('MAX_PROFILE_NAME'));
    assert.equal(MIN_SSO_DISCOVERY_MAX_AGE, pythonValue('MIN_SSO_DISCOVERY_MAX_AGE'));
    assert.equal(MAX_SSO_DISCOVERY_MAX_AGE, pythonValue('MAX_SSO_DISCOVERY_MAX_AGE'));
    assert.equal(DEFAULT_SSO_DISCOVERY_MAX_AGE, pythonValue('DEFAULT_SSO_DISCOVERY_MAX_AGE'));
  });
});

describe('rules.js details', () => {
  it('says why a profile name is refused', () => {
    assert.equal(profileNameProblem(' '), 'the profile name is empty');
    assert.equal(profileNameProblem('a'.repeat(257)), 'the profile name is longer than 256 characters');
    assert.equal(profileNameProblem('a\tb'), 'the profile name contains control characters');
    assert.equal(profileNameProblem(undefined), 'the profile name is empty');
  });

  it('counts a profile name in characters, not UTF-16 units', () => {
    assert.equal(profileNameProblem('\u{1F600}'.repeat(256)), null);
  });

  it('refuses values of the wrong type', () => {
    for (const value of [undefined, null, 123456, ['eu-west-1']]) {
      assert.equal(isRegion(value), false);
      assert.equal(isMfaCode(value), false);
      assert.equal(isAccountId(value), false);
      assert.equal(isRoleName(value), false);
    }
  });
});
