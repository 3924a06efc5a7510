// The registry of live console sessions: records, expiry, margins, tab events, what the
// popup shows, and that nothing secret from a login reply is kept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DEFAULT_JAR, LANDING_GRACE_MS, REUSE_MARGIN_MS, applyTabUrl, classifyPage, consoleUrlToKeep,
  emptyRegistry, formatRemaining, logoutUrlToKeep, isReusable, liveSessions, newRecord, normalizeRegistry, prune,
  recordSignIn, removeJar, removeSession, removeTab, reusableSession, sessionKey, sessionMarker,
  tabsByRecency, touch,
} from '../../extension/lib/sessions.js';
import { createSessionStore } from '../../extension/lib/sessions-store.js';

const TOKEN = 'SigninTokenSECRET0123456789';
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-30T10:00:00Z');

function reply({ account = '111122223333', role = 'Admin', endsIn = 12 * HOUR } = {}) {
  return {
    url: `https://eu-west-1.signin.aws.amazon.com/federation?Action=login&Issuer=roleport&Destination=x&SigninToken=${TOKEN}`,
    expires_at: new Date(T0 + 15 * 60_000).toISOString(),
    session_expires_at: endsIn == null ? null : new Date(T0 + endsIn).toISOString(),
    identity: { account, role, session_name: 'me', partition: 'aws', region: 'eu-west-1', arn: 'arn:x' },
    container: null,
    logout_url: 'https://signin.aws.amazon.com/oauth?Action=logout',
  };
}

const CONSOLE = 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1&isauthcode=true&code=ONE-TIME-CODE';

function signedIn({ profile = 'prod', jar = 'firefox-container-1', tabId = 7, ...options } = {}) {
  const record = newRecord({ profile, jar, container: profile, reply: reply(options), tab: { id: tabId, windowId: 1 }, now: T0 });
  const registry = recordSignIn(emptyRegistry(), record);
  return applyTabUrl(registry, { tabId, windowId: 1, jar, url: CONSOLE, now: T0 + 1000 });
}

describe('sessions: records', () => {
  it('keeps identity, end, origins and tab, never the login URL, token or console query', () => {
    const registry = signedIn();
    const text = JSON.stringify(registry);
    assert.ok(!text.includes(TOKEN) && !text.includes('Action=login'), text);
    assert.ok(!text.includes('ONE-TIME-CODE'), 'the console query may carry one-time codes');
    const record = registry.sessions[sessionKey('prod', 'firefox-container-1')];
    assert.equal(record.landed, true);
    assert.equal(record.endsAt, T0 + 12 * HOUR);
    assert.equal(record.consoleUrl, 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1');
    assert.deepEqual(record.signinOrigins, ['https://eu-west-1.signin.aws.amazon.com', 'https://signin.aws.amazon.com']);
    assert.equal(record.logoutUrl, 'https://signin.aws.amazon.com/oauth?Action=logout');
    assert.deepEqual(record.identity, { account: '111122223333', role: 'Admin', session_name: 'me', partition: 'aws', region: 'eu-west-1' });
  });

  it('keeps of a console URL only origin, path and a region', () => {
    assert.equal(consoleUrlToKeep('http://127.0.0.1:9/console?destination=x&region=us-east-1'), 'http://127.0.0.1:9/console?region=us-east-1');
    assert.equal(consoleUrlToKeep('https://c.console.aws.amazon.com/ec2/home?region=bad%20one#x'), 'https://c.console.aws.amazon.com/ec2/home');
    assert.equal(consoleUrlToKeep('javascript:alert(1)'), null);
    assert.equal(consoleUrlToKeep('not a url'), null);
  });

  it('keeps of a sign-out URL only its endpoint', () => {
    assert.equal(logoutUrlToKeep('http://127.0.0.1:9/oauth?Action=logout&redirect_uri=x'), 'http://127.0.0.1:9/oauth?Action=logout');
    assert.equal(logoutUrlToKeep('https://signin.aws.amazon.com/federation?Action=login&SigninToken=x'), null);
    assert.equal(logoutUrlToKeep('javascript:x?Action=logout'), null);
    assert.equal(logoutUrlToKeep(undefined), null);
  });

  it('drops malformed stored data instead of trusting it', () => {
    assert.deepEqual(normalizeRegistry(null), emptyRegistry());
    assert.deepEqual(normalizeRegistry({ sessions: 'x' }), emptyRegistry());
    const cleaned = normalizeRegistry({ sessions: { a: { profile: 'p', jar: 'j', tabs: [{ id: 'x' }, { id: 3 }] }, b: { jar: 1 } } });
    assert.deepEqual(Object.keys(cleaned.sessions), [sessionKey('p', 'j')]);
    assert.deepEqual(cleaned.sessions[sessionKey('p', 'j')].tabs, [{ id: 3 }]);
  });
});

describe('sessions: reuse and expiry', () => {
  it('reuses a landed session until the margin before its end', () => {
    const registry = signedIn({ endsIn: HOUR });
    assert.ok(reusableSession(registry, 'prod', T0 + HOUR - REUSE_MARGIN_MS - 1));
    assert.equal(reusableSession(registry, 'prod', T0 + HOUR - REUSE_MARGIN_MS), null);
    assert.equal(reusableSession(registry, 'prod', T0 + 2 * HOUR), null);
    assert.equal(reusableSession(registry, 'other', T0), null);
  });

  it('never reuses a session whose end is unknown, but shows it as signed in', () => {
    const registry = signedIn({ endsIn: null });
    assert.equal(reusableSession(registry, 'prod', T0 + 60_000), null);
    assert.equal(liveSessions(registry, T0 + 60_000).length, 1);
  });

  it('a session on its way (tab opened, not landed) is reusable only briefly and with a tab', () => {
    const record = newRecord({ profile: 'p', jar: DEFAULT_JAR, reply: reply(), tab: { id: 3 }, now: T0 });
    assert.equal(isReusable(record, T0 + 1000), true, 'a second quick click focuses the first tab');
    assert.equal(isReusable(record, T0 + LANDING_GRACE_MS), false);
    assert.equal(isReusable({ ...record, tabs: [] }, T0 + 1000), false);
    const registry = recordSignIn(emptyRegistry(), record);
    assert.equal(Object.keys(prune(registry, T0 + LANDING_GRACE_MS).sessions).length, 0);
    assert.equal(liveSessions(registry, T0).length, 0, 'not signed in before it lands');
  });

  it('prunes expired sessions', () => {
    const registry = signedIn({ endsIn: HOUR });
    assert.equal(Object.keys(prune(registry, T0 + HOUR - 1).sessions).length, 1);
    assert.equal(Object.keys(prune(registry, T0 + HOUR).sessions).length, 0);
  });

  it('prefers the most recently used of several jars', () => {
    let registry = signedIn({ jar: 'firefox-container-1', tabId: 1 });
    const second = newRecord({ profile: 'prod', jar: 'firefox-container-2', reply: reply(), tab: { id: 2 }, now: T0 });
    registry = recordSignIn(registry, second);
    registry = applyTabUrl(registry, { tabId: 2, jar: 'firefox-container-2', url: CONSOLE, now: T0 });
    registry = touch(registry, sessionKey('prod', 'firefox-container-2'), { id: 2, windowId: 1 }, T0 + 5000);
    assert.equal(reusableSession(registry, 'prod', T0 + 6000).jar, 'firefox-container-2');
    assert.equal(reusableSession(registry, 'prod', T0 + 6000, { jar: 'firefox-container-1' }).jar, 'firefox-container-1');
  });
});

describe('sessions: one jar without multi-session', () => {
  it('signing in as another identity ends the previous one; the same identity stays', () => {
    let registry = signedIn({ profile: 'a', jar: DEFAULT_JAR, account: '111111111111' });
    const sameIdentity = newRecord({ profile: 'a-alias', jar: DEFAULT_JAR, reply: reply({ account: '111111111111' }), tab: { id: 8 }, now: T0 });
    registry = recordSignIn(registry, sameIdentity);
    assert.equal(Object.keys(registry.sessions).length, 2);
    const other = newRecord({ profile: 'b', jar: DEFAULT_JAR, reply: reply({ account: '222222222222' }), tab: { id: 9 }, now: T0 });
    registry = recordSignIn(registry, other);
    assert.deepEqual(Object.values(registry.sessions).map((r) => r.profile), ['b']);
  });

  it('multi-session keeps other identities side by side', () => {
    let registry = signedIn({ profile: 'a', jar: DEFAULT_JAR, account: '111111111111' });
    const other = newRecord({ profile: 'b', jar: DEFAULT_JAR, reply: reply({ account: '222222222222' }), tab: { id: 9 }, now: T0 });
    registry = recordSignIn(registry, other, { multiSession: true });
    assert.equal(Object.keys(registry.sessions).length, 2);
  });

  it('multi-session: a sign-in page (the session limit) ends only its own tab\'s session', () => {
    let registry = emptyRegistry();
    for (const [profile, account, tabId] of [['a', '111111111111', 7], ['b', '222222222222', 8]]) {
      const record = newRecord({ profile, jar: DEFAULT_JAR, reply: reply({ account }), tab: { id: tabId }, now: T0, multiSession: true });
      registry = recordSignIn(registry, record, { multiSession: true });
      registry = applyTabUrl(registry, {
        tabId, jar: DEFAULT_JAR, url: `https://${account}-abcd1234.eu-west-1.console.aws.amazon.com/console/home`,
      });
    }
    // A sixth identity opened anyway: AWS shows its tab the session limit page.
    const sixth = newRecord({ profile: 'f', jar: DEFAULT_JAR, reply: reply({ account: '666666666666' }), tab: { id: 30 }, now: T0, multiSession: true });
    registry = recordSignIn(registry, sixth, { multiSession: true });
    registry = applyTabUrl(registry, { tabId: 30, jar: DEFAULT_JAR, url: 'https://signin.aws.amazon.com/sessions/limit' });
    assert.deepEqual(Object.values(registry.sessions).map((r) => r.profile).sort(), ['a', 'b']);
    // One session's own sign-out ends that one.
    registry = applyTabUrl(registry, { tabId: 31, jar: DEFAULT_JAR, url: 'https://signin.aws.amazon.com/sessions/111111111111-abcd1234/v1/logout' });
    assert.deepEqual(Object.values(registry.sessions).map((r) => r.profile), ['b']);
    // Its own tab on a sign-in page (its session expired) ends it.
    registry = applyTabUrl(registry, { tabId: 8, jar: DEFAULT_JAR, url: 'https://signin.aws.amazon.com/session-expired' });
    assert.deepEqual(registry.sessions, {});
  });

  it('containers are separate jars: no sign-in ends another container\'s session', () => {
    let registry = signedIn({ profile: 'a', jar: 'firefox-container-1', account: '111111111111' });
    const other = newRecord({ profile: 'b', jar: 'firefox-container-2', reply: reply({ account: '222222222222' }), tab: { id: 9 }, now: T0 });
    registry = recordSignIn(registry, other);
    assert.equal(Object.keys(registry.sessions).length, 2);
  });
});

describe('sessions: pages and tab events', () => {
  const record = signedIn().sessions[sessionKey('prod', 'firefox-container-1')];

  it('classifies sign-in, sign-out and console pages', () => {
    assert.equal(classifyPage('https://signin.aws.amazon.com/oauth?Action=logout', record), 'signed-out');
    assert.equal(classifyPage('https://eu-west-1.signin.aws.amazon.com/federation/expired', record), 'signed-out');
    assert.equal(classifyPage('https://signin.amazonaws-us-gov.com/x', record), 'signed-out');
    assert.equal(classifyPage(`https://signin.aws.amazon.com/federation?Action=login&SigninToken=${TOKEN}`, record), 'login');
    const bounce = `https://signin.aws.amazon.com/oauth?Action=logout&redirect_uri=${encodeURIComponent('https://signin.aws.amazon.com/federation?Action=login&SigninToken=x')}`;
    assert.equal(classifyPage(bounce, record), 'signing-out-to-login');
    assert.equal(classifyPage('https://eu-west-1.console.aws.amazon.com/ec2/home', record), 'console');
    assert.equal(classifyPage('https://us-east-1.console.aws.amazon.com/s3/', null), 'console');
    assert.equal(classifyPage('https://example.com/signin', record), 'other');
    assert.equal(classifyPage('https://signin.aws.amazon.com.evil.example/x', record), 'other');
    assert.equal(classifyPage('about:blank', record), 'other');
  });

  it('tells a console from sign-in pages on one origin (a local stand-in)', () => {
    const local = { signinOrigins: ['http://127.0.0.1:9'], consoleUrl: null };
    assert.equal(classifyPage('http://127.0.0.1:9/console?destination=x', local), 'console');
    assert.equal(classifyPage('http://127.0.0.1:9/console/ec2', local), 'console');
    assert.equal(classifyPage('http://127.0.0.1:9/signin/session-expired', local), 'signed-out');
    assert.equal(classifyPage('http://127.0.0.1:9/oauth?Action=logout', local), 'signed-out');
    assert.equal(classifyPage('http://127.0.0.1:9/sessions/limit', local), 'signed-out');
    assert.equal(classifyPage('http://127.0.0.1:10/console', local), 'other');
  });

  it('a tab of the jar on the session-expired page ends it; another jar\'s does not', () => {
    const registry = signedIn();
    const expired = 'https://signin.aws.amazon.com/session-expired';
    const otherJar = applyTabUrl(registry, { tabId: 50, jar: 'firefox-container-2', url: expired, now: T0 });
    assert.equal(Object.keys(otherJar.sessions).length, 1);
    const sameJar = applyTabUrl(registry, { tabId: 50, jar: 'firefox-container-1', url: expired, now: T0 });
    assert.equal(Object.keys(sameJar.sessions).length, 0);
  });

  it('its own sign-out bounce does not end a new session; it ends the others in the jar', () => {
    let registry = signedIn({ profile: 'a', jar: DEFAULT_JAR, tabId: 1 });
    const fresh = newRecord({ profile: 'b', jar: DEFAULT_JAR, reply: reply({ account: '222222222222' }), tab: { id: 2 }, now: T0 });
    registry = { sessions: { ...registry.sessions, [sessionKey('b', DEFAULT_JAR)]: fresh } };
    const bounce = `https://signin.aws.amazon.com/oauth?Action=logout&redirect_uri=${encodeURIComponent('https://signin.aws.amazon.com/federation?Action=login&SigninToken=x')}`;
    registry = applyTabUrl(registry, { tabId: 2, jar: DEFAULT_JAR, url: bounce, now: T0 });
    assert.deepEqual(Object.values(registry.sessions).map((r) => r.profile), ['b']);
    registry = applyTabUrl(registry, { tabId: 2, jar: DEFAULT_JAR, url: CONSOLE, now: T0 });
    assert.equal(registry.sessions[sessionKey('b', DEFAULT_JAR)].landed, true);
  });

  it('a tab leaving for another site stops being the session\'s tab; closing one too', () => {
    let registry = signedIn({ tabId: 7 });
    registry = touch(registry, sessionKey('prod', 'firefox-container-1'), { id: 8, windowId: 2 }, T0 + 10);
    const key = sessionKey('prod', 'firefox-container-1');
    assert.deepEqual(tabsByRecency(registry.sessions[key]).map((t) => t.id), [8, 7]);
    registry = applyTabUrl(registry, { tabId: 8, jar: 'firefox-container-1', url: 'https://example.com/', now: T0 });
    assert.deepEqual(registry.sessions[key].tabs.map((t) => t.id), [7]);
    registry = removeTab(registry, 7);
    assert.deepEqual(registry.sessions[key].tabs, []);
    assert.ok(reusableSession(registry, 'prod', T0 + 1000), 'the session outlives its tabs');
  });

  it('a deleted container or roleport\'s sign-out ends the session', () => {
    assert.equal(Object.keys(removeJar(signedIn(), 'firefox-container-1').sessions).length, 0);
    assert.equal(Object.keys(removeSession(signedIn(), 'prod', 'firefox-container-1').sessions).length, 0);
    assert.equal(Object.keys(removeSession(signedIn(), 'prod', 'firefox-container-9').sessions).length, 1);
  });
});

describe('sessions: the popup marker', () => {
  it('says how long is left, and stands out in the last minutes', () => {
    const session = { endsAt: T0 + 10 * HOUR + 42 * 60_000 + 5000 };
    assert.deepEqual(sessionMarker(session, T0), { text: 'signed in, 10 h 42 m left', label: 'Signed in, 10 h 42 m left', soon: false });
    assert.deepEqual(sessionMarker({ endsAt: T0 + 4 * 60_000 + 30_000 }, T0), { text: 'expires in 4 min', label: 'Signed in, session expires in 4 min', soon: true });
    assert.equal(sessionMarker({ endsAt: T0 }, T0), null);
    assert.equal(sessionMarker({ endsAt: null }, T0).text, 'signed in');
    assert.equal(formatRemaining(2 * HOUR), '2 h');
    assert.equal(formatRemaining(59_000), 'less than a minute');
  });
});

describe('sessions: the store', () => {
  function fakeArea() {
    const data = new Map();
    return {
      data,
      async get(key) { return data.has(key) ? { [key]: structuredClone(data.get(key)) } : {}; },
      async set(items) { for (const [k, v] of Object.entries(items)) data.set(k, structuredClone(v)); },
    };
  }

  it('survives a restart of the background (a new store over the same storage)', async () => {
    const area = fakeArea();
    const clock = { now: T0 };
    const first = createSessionStore(area, { now: () => clock.now });
    await first.update(() => signedIn());
    const restarted = createSessionStore(area, { now: () => clock.now });
    assert.ok(reusableSession(await restarted.read(), 'prod', T0));
    clock.now = T0 + 13 * HOUR;
    assert.equal(Object.keys((await restarted.read()).sessions).length, 0, 'expired on read');
  });

  it('serialises concurrent updates (no lost record)', async () => {
    const store = createSessionStore(fakeArea(), { now: () => T0 });
    await Promise.all(['a', 'b', 'c'].map((profile, i) => store.update((registry) => recordSignIn(registry,
      newRecord({ profile, jar: `firefox-container-${i}`, reply: reply(), tab: { id: i }, now: T0 })))));
    assert.equal(Object.keys((await store.read()).sessions).length, 3);
  });

  it('works from memory where storage.session is missing or failing', async () => {
    const store = createSessionStore(null, { now: () => T0 });
    await store.update(() => signedIn());
    assert.equal(Object.keys((await store.read()).sessions).length, 1);
    const broken = { get: async () => { throw new Error('no'); }, set: async () => { throw new Error('no'); } };
    const fallback = createSessionStore(broken, { now: () => T0 });
    await fallback.update(() => signedIn());
    assert.equal(Object.keys((await fallback.read()).sessions).length, 1);
  });
});
