// The console's multi-session support: per-session console URLs, the refused sign-out
// bounce, the five-identity limit and each session's own sign-out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  SESSION_LIMIT, bounceTarget, sessionDifferentiator, sessionLimitProblem, sessionSignOutUrl,
  signedOutSession,
} from '../../extension/lib/multisession.js';

const LOGIN = 'https://us-east-1.signin.aws.amazon.com/federation?Action=login&SigninToken=secret';

describe('multisession: per-session console URLs', () => {
  it('reads the differentiator from AWS hosts of every partition', () => {
    assert.equal(sessionDifferentiator('https://111122223333-abcd1234.eu-west-1.console.aws.amazon.com/ec2/home'), '111122223333-abcd1234');
    assert.equal(sessionDifferentiator('https://111122223333-abcd1234.console.aws.amazon.com/'), '111122223333-abcd1234');
    assert.equal(sessionDifferentiator('https://111122223333-abcd1234.cn-north-1.console.amazonaws.cn/'), '111122223333-abcd1234');
    assert.equal(sessionDifferentiator('https://111122223333-abcd1234.us-gov-west-1.console.amazonaws-us-gov.com/'), '111122223333-abcd1234');
  });

  it('ignores plain consoles, look-alikes and http', () => {
    assert.equal(sessionDifferentiator('https://eu-west-1.console.aws.amazon.com/ec2/home'), null);
    assert.equal(sessionDifferentiator('https://111122223333-abcd1234.console.aws.amazon.com.evil.example/'), null);
    assert.equal(sessionDifferentiator('http://111122223333-abcd1234.console.aws.amazon.com/'), null);
    assert.equal(sessionDifferentiator('https://11112222333-abcd1234.console.aws.amazon.com/'), null);
    assert.equal(sessionDifferentiator('not a url'), null);
  });

  it('on a loopback stand-in, reads it from the first path segments', () => {
    assert.equal(sessionDifferentiator('http://127.0.0.1:9/s/111122223333-abcd1234/console?x=1'), '111122223333-abcd1234');
    assert.equal(sessionDifferentiator('https://example.com/s/111122223333-abcd1234/console'), null);
  });
});

describe('multisession: the refused sign-out bounce', () => {
  it('gives back the login URL a bounce was taking the tab to', () => {
    const bounce = `https://signin.aws.amazon.com/oauth?Action=logout&redirect_uri=${encodeURIComponent(LOGIN)}`;
    assert.equal(bounceTarget(bounce), LOGIN);
  });

  it('is null for anything else', () => {
    assert.equal(bounceTarget('https://signin.aws.amazon.com/oauth?Action=logout'), null);
    assert.equal(bounceTarget(`https://signin.aws.amazon.com/oauth?Action=logout&redirect_uri=${encodeURIComponent('https://aws.amazon.com/')}`), null);
    assert.equal(bounceTarget(LOGIN), null);
    assert.equal(bounceTarget(''), null);
  });
});

describe('multisession: the session limit', () => {
  const record = (profile, account, lastUsed, role = 'Admin') => ({
    profile, multiSession: true, lastUsed, identity: { account, role },
  });
  const five = [1, 2, 3, 4, 5].map((i) => record(`p${i}`, `10000000000${i}`, 100 - i));

  it('announces a sixth identity, naming the least recently used session', () => {
    const problem = sessionLimitProblem(five, { account_id: '100000000006', role: 'Admin' });
    assert.equal(problem.count, SESSION_LIMIT);
    assert.equal(problem.leastRecent.profile, 'p5');
  });

  it('lets one of the five sign in again, and a fifth identity in', () => {
    assert.equal(sessionLimitProblem(five, { account_id: '100000000003', role: 'Admin' }), null);
    assert.equal(sessionLimitProblem(five.slice(1), { account_id: '100000000006', role: 'Admin' }), null);
  });

  it('counts identities, not profiles, and only multi-session records', () => {
    const twice = [...five.slice(0, 4), record('alias', '100000000001', 1)];
    assert.equal(sessionLimitProblem(twice, { account_id: '100000000006', role: 'Admin' }), null);
    const single = five.map((r) => ({ ...r, multiSession: false }));
    assert.equal(sessionLimitProblem(single, { account_id: '100000000006', role: 'Admin' }), null);
  });
});

describe('multisession: a session\'s own sign-out', () => {
  it('is the sign-in host\'s /sessions/<differentiator>/v1/logout', () => {
    assert.equal(sessionSignOutUrl({ differentiator: '111122223333-abcd1234', logoutUrl: 'https://signin.aws.amazon.com/oauth?Action=logout' }),
      'https://signin.aws.amazon.com/sessions/111122223333-abcd1234/v1/logout');
    assert.equal(sessionSignOutUrl({ differentiator: null, logoutUrl: 'https://signin.aws.amazon.com/oauth?Action=logout' }), null);
  });

  it('names the one session it ends; the global sign-out and other pages name none', () => {
    const url = sessionSignOutUrl({ differentiator: '111122223333-abcd1234', logoutUrl: 'https://signin.aws.amazon.com/oauth?Action=logout' });
    assert.equal(signedOutSession(url), '111122223333-abcd1234');
    assert.equal(signedOutSession('https://signin.aws.amazon.com/oauth?Action=logout'), null);
    assert.equal(signedOutSession('https://signin.aws.amazon.com/sessions/limit'), null);
    assert.equal(signedOutSession('not a url'), null);
  });
});
