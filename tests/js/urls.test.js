import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  OpeningError, isOpenableUrl, planOpening, signOutFirstUrl,
} from '../../extension/lib/urls.js';

const LOGIN = 'https://signin.aws.amazon.com/federation?Action=login&Issuer=roleport&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2F&SigninToken=abc%2Bdef%3D';
const LOGOUT = 'https://signin.aws.amazon.com/oauth?Action=logout';

describe('signOutFirstUrl', () => {
  it('appends the encoded login URL as redirect_uri', () => {
    const url = signOutFirstUrl(LOGOUT, LOGIN);
    assert.equal(url, `${LOGOUT}&redirect_uri=${encodeURIComponent(LOGIN)}`);
    const parsed = new URL(url);
    assert.equal(parsed.searchParams.get('Action'), 'logout');
    assert.equal(parsed.searchParams.get('redirect_uri'), LOGIN, 'the login URL survives intact');
  });

  it('starts a query when the logout URL has none', () => {
    assert.ok(signOutFirstUrl('https://x.example/oauth', 'https://y/').startsWith('https://x.example/oauth?redirect_uri='));
  });
});

describe('isOpenableUrl', () => {
  it('accepts https anywhere and http on loopback only', () => {
    assert.ok(isOpenableUrl(LOGIN));
    assert.ok(isOpenableUrl('http://127.0.0.1:8080/federation?Action=login'));
    assert.ok(isOpenableUrl('http://localhost:1/x'));
    assert.ok(!isOpenableUrl('http://signin.aws.amazon.com/federation'));
    assert.ok(!isOpenableUrl('javascript:alert(1)'));
    assert.ok(!isOpenableUrl('file:///etc/passwd'));
    assert.ok(!isOpenableUrl('not a url'));
  });
});

describe('planOpening', () => {
  it('signs out first by default', () => {
    assert.deepEqual(planOpening('signout-first', LOGIN, LOGOUT), {
      url: signOutFirstUrl(LOGOUT, LOGIN), newWindow: false,
    });
  });

  it('opens the plain URL when keeping sessions', () => {
    assert.deepEqual(planOpening('keep-sessions', LOGIN, LOGOUT), { url: LOGIN, newWindow: false });
  });

  it('opens a new window, signing out first', () => {
    assert.deepEqual(planOpening('new-window', LOGIN, LOGOUT), {
      url: signOutFirstUrl(LOGOUT, LOGIN), newWindow: true,
    });
  });

  it('falls back to the plain URL without a logout URL', () => {
    assert.deepEqual(planOpening('signout-first', LOGIN, null), { url: LOGIN, newWindow: false });
  });

  it('refuses bad URLs without quoting them', () => {
    const secret = 'javascript:steal("SigninToken=s3cr3t")';
    assert.throws(() => planOpening('keep-sessions', secret, LOGOUT), (error) => {
      assert.ok(error instanceof OpeningError);
      assert.equal(error.code, 'open_failed');
      assert.ok(!error.message.includes('s3cr3t'));
      assert.ok(!JSON.stringify(error.toJSON()).includes('s3cr3t'));
      return true;
    });
    assert.throws(() => planOpening('signout-first', LOGIN, 'http://evil.example/?x'), OpeningError);
  });
});
