import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clockTime, mfaBadge, sessionsByProfile } from '../../extension/lib/mfa.js';

const ENDS = '2026-11-30T18:40:00Z';

describe('MFA sessions in the popup', () => {
  it('maps every covered profile to the end of its session', () => {
    const byProfile = sessionsByProfile({
      sessions: [{ mfa_serial: 'arn:aws:iam::1:mfa/me', source_profile: 'me', expires_at: ENDS,
        profiles: ['prod', 'dev'] }],
    });
    assert.deepEqual([...byProfile.keys()].sort(), ['dev', 'prod']);
    assert.equal(byProfile.get('prod').toISOString(), '2026-11-30T18:40:00.000Z');
  });

  it('ignores malformed entries and keeps the later of two sessions', () => {
    const byProfile = sessionsByProfile({
      sessions: [
        null,
        { expires_at: 'not a time', profiles: ['a'] },
        { expires_at: ENDS, profiles: 'prod' },
        { expires_at: ENDS, profiles: ['prod', 3] },
        { expires_at: '2026-11-30T12:00:00Z', profiles: ['prod'] },
      ],
    });
    assert.deepEqual([...byProfile.keys()], ['prod']);
    assert.equal(byProfile.get('prod').toISOString(), '2026-11-30T18:40:00.000Z');
    assert.equal(sessionsByProfile(undefined).size, 0);
    assert.equal(sessionsByProfile({ sessions: 'x' }).size, 0);
  });

  it('writes the local time on a 24-hour clock', () => {
    assert.equal(clockTime(new Date(2026, 10, 30, 8, 5)), '08:05');
    assert.equal(clockTime(new Date(2026, 10, 30, 18, 40)), '18:40');
  });

  it('badges a covered profile with the time and an uncovered one as needing a code', () => {
    const ends = new Date(2026, 10, 30, 18, 40);
    const sessions = new Map([['prod', ends]]);
    const before = new Date(2026, 10, 30, 17, 0);
    assert.deepEqual(mfaBadge({ name: 'prod', mfa: true }, sessions, before),
      ['MFA until 18:40', 'MFA active until 18:40: no code needed until then']);
    assert.deepEqual(mfaBadge({ name: 'dev', mfa: true }, sessions, before),
      ['MFA', 'Needs an MFA code']);
    const after = new Date(2026, 10, 30, 18, 41);
    assert.deepEqual(mfaBadge({ name: 'prod', mfa: true }, sessions, after),
      ['MFA', 'Needs an MFA code']);
    assert.equal(mfaBadge({ name: 'plain', mfa: false }, sessions, before), null);
    assert.deepEqual(mfaBadge({ name: 'prod', mfa: true }, undefined, before),
      ['MFA', 'Needs an MFA code']);
  });
});
