// The pure part of the popup's IAM Identity Center panel (the DOM part is covered by the
// browser suites, tests/e2e/test_sso_*.py).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isSignInError, listedAtText, signInLabel } from '../../extension/popup-sso.js';

const START_URL = 'https://corp.awsapps.com/start';

describe('the sign-in offer', () => {
  it('says "Sign in again" where a listing from an earlier sign-in is on screen', () => {
    assert.equal(signInLabel({ sso_session: 'corp', start_url: START_URL }), `Sign in to ${START_URL}`);
    assert.equal(signInLabel({ sso_session: 'corp', start_url: START_URL, accounts: 0 }), `Sign in to ${START_URL}`);
    assert.equal(signInLabel({ sso_session: 'corp', start_url: START_URL, accounts: 2 }), `Sign in again to ${START_URL}`);
    assert.equal(signInLabel({ sso_session: 'corp' }), 'Sign in to corp');
  });

  it('tells how old the listing is, only when there is one with its time', () => {
    const session = { accounts: 2, fetched_at: '2026-11-29T10:00:00Z' };
    const text = listedAtText(session, 'en-GB');
    assert.match(text, /^Your sign-in has ended\. The roles below were listed on .*2026.*\.$/);
    assert.equal(listedAtText({ ...session, accounts: 0 }), null);
    assert.equal(listedAtText({ accounts: 2, fetched_at: null }), null);
    assert.equal(listedAtText({ accounts: 2, fetched_at: 'soon' }), null);
    assert.equal(listedAtText(undefined), null);
  });

  it('is offered for the sign-in errors that name their session only', () => {
    assert.equal(isSignInError({ code: 'sso_signin_required', sso_session: 'corp' }), true);
    assert.equal(isSignInError({ code: 'sso_login_required', sso_session: 'corp' }), true);
    assert.equal(isSignInError({ code: 'sso_signin_required' }), false);
    assert.equal(isSignInError({ code: 'throttled', sso_session: 'corp' }), false);
  });
});
