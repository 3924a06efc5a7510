/**
 * The registry of live console sessions: pure logic, no browser API (sessions-store.js keeps
 * it in storage.session; background.js feeds it tab events).
 *
 * A record says which identity roleport signed in, in which cookie jar (a Firefox container's
 * cookieStoreId; in Chromium the browser profile's one jar), until when, on which console
 * origin, and which tabs roleport opened for it. It never holds a secret: no login URL, no
 * SigninToken, no credential, and no console URL beyond origin, path and region (the
 * console's own redirects can carry one-time codes in the query string).
 *
 * Rules, with their public sources:
 * - the console session ends at SessionDuration after sign-in, else with the credentials
 *   ("Enable custom identity broker access to the AWS console", IAM User Guide); the host
 *   computes it (PROTOCOL.md, login: session_expires_at);
 * - a console whose session ended (expired or signed out) sends its tabs to the sign-in host:
 *   its "Your session has expired" page and the sign-out page (oauth?Action=logout) are pages
 *   of signin.aws.amazon.com and the partitions' equivalents;
 * - one cookie jar holds one identity's console session unless multi-session is on: signing
 *   in as another identity after a sign-out ends the previous one ("Sign out of the AWS
 *   Management Console", AWS Sign-In User Guide).
 */

import { sessionDifferentiator, signedOutSession } from './multisession.js';

/** Below this much time left a click signs in again instead of reusing the session. */
export const REUSE_MARGIN_MS = 5 * 60_000;
/** Below this much time left the popup's marker stands out ("expires in 4 min"). */
export const SOON_MS = 15 * 60_000;
/** A session whose first tab never reached the console within this is forgotten. */
export const LANDING_GRACE_MS = 2 * 60_000;
/** The jar of a browser without containers (Chromium: one per browser profile). */
export const DEFAULT_JAR = 'default';

const SIGNIN_HOST = /(^|\.)signin\.(aws\.amazon\.com|amazonaws\.cn|amazonaws-us-gov\.com)$/;
const CONSOLE_HOST = /(^|\.)console\.(aws\.amazon\.com|amazonaws\.cn|amazonaws-us-gov\.com)$/;
/** The sign-in endpoint's own pages (sign-out, federation, session pages) by first path segment. */
const SIGNIN_PATHS = new Set(['oauth', 'federation', 'signin', 'sessions']);

export function emptyRegistry() {
  return { sessions: {} };
}

/** A registry read from storage, cleaned: anything malformed is dropped, never trusted. */
export function normalizeRegistry(raw) {
  const registry = emptyRegistry();
  const sessions = raw && typeof raw === 'object' ? raw.sessions : null;
  if (!sessions || typeof sessions !== 'object') return registry;
  for (const record of Object.values(sessions)) {
    if (!record || typeof record.profile !== 'string' || typeof record.jar !== 'string') continue;
    const tabs = Array.isArray(record.tabs)
      ? record.tabs.filter((tab) => Number.isInteger(tab?.id)) : [];
    registry.sessions[sessionKey(record.profile, record.jar)] = { ...record, tabs };
  }
  return registry;
}

export function sessionKey(profile, jar) {
  return `${jar}\n${profile}`;
}

function parseUrl(text) {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** The origin of a URL, or null: an origin never carries a token. */
export function originOf(text) {
  const url = parseUrl(text);
  return url && url.origin !== 'null' ? url.origin : null;
}

/**
 * The part of a console URL worth keeping to reopen it: origin, path and the region
 * parameter, nothing else (the console's redirects put one-time codes in the query).
 */
export function consoleUrlToKeep(text) {
  const url = parseUrl(text);
  if (!url || !/^https?:$/.test(url.protocol)) return null;
  const region = url.searchParams.get('region');
  const kept = new URL(`${url.origin}${url.pathname}`);
  if (region && /^[a-z0-9-]{1,32}$/.test(region)) kept.searchParams.set('region', region);
  return kept.href;
}

/** True for a federation login (Action=login) URL: in flight, neither console nor signed out. */
export function isLoginUrl(text) {
  const url = parseUrl(text);
  return Boolean(url && url.searchParams.get('Action') === 'login');
}

/**
 * What a tab of the session's jar shows: 'login' (the sign-in in flight),
 * 'signing-out-to-login' (the sign-out bounce in front of a login), 'signed-out' (a page of
 * the sign-in host: session expired, signed out, session limit), 'console' (a page of the
 * console the session landed on), or 'other'.
 */
export function classifyPage(text, record) {
  const url = parseUrl(text);
  if (!url) return 'other';
  if (url.searchParams.get('Action') === 'login') return 'login';
  if (url.searchParams.get('Action') === 'logout' && isLoginUrl(url.searchParams.get('redirect_uri'))) {
    // Sign out first, then this login: the end of every other session in the jar.
    return 'signing-out-to-login';
  }
  const signinOrigins = record?.signinOrigins ?? [];
  if (SIGNIN_HOST.test(url.hostname)) return 'signed-out';
  const onSigninOrigin = signinOrigins.includes(url.origin);
  if (onSigninOrigin && SIGNIN_PATHS.has(url.pathname.split('/')[1])) return 'signed-out';
  // The console: AWS's console hosts, the origin this session landed on, or (a federation
  // endpoint configured on another host, such as a local stand-in) the rest of its origin.
  if (CONSOLE_HOST.test(url.hostname) || onSigninOrigin) return 'console';
  if (record?.consoleUrl && originOf(record.consoleUrl) === url.origin) return 'console';
  return 'other';
}

/** Milliseconds since the epoch of an ISO 8601 time, or null. */
export function parseTime(text) {
  if (typeof text !== 'string') return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * A new record for a login reply just opened in `jar`. Only non-secret facts are copied:
 * identity fields, the session's end, origins of the sign-in endpoints, the tab.
 */
export function newRecord({
  profile, label = null, jar, container = null, reply, tab, now, multiSession = false,
}) {
  const identity = reply?.identity ?? {};
  const signinOrigins = [originOf(reply?.url), originOf(reply?.logout_url)].filter(Boolean);
  return {
    // The target's key (a profile name, or a discovered role's list key: login-targets.js)
    // and, where that is not for people, the name the popup shows ("Account/Role").
    profile,
    label: stringOrNull(label),
    jar,
    container,
    identity: {
      account: stringOrNull(identity.account),
      role: stringOrNull(identity.role),
      session_name: stringOrNull(identity.session_name),
      partition: stringOrNull(identity.partition),
      region: stringOrNull(identity.region),
    },
    endsAt: parseTime(reply?.session_expires_at),
    signinOrigins: [...new Set(signinOrigins)],
    logoutUrl: logoutUrlToKeep(reply?.logout_url),
    consoleUrl: null,
    // Multi-session (multisession.js): the session's differentiator, once it landed.
    multiSession,
    differentiator: null,
    landed: false,
    openedAt: now,
    lastUsed: now,
    tabs: tab?.id != null ? [{ id: tab.id, windowId: tab.windowId ?? null, at: now }] : [],
  };
}

/**
 * The sign-out endpoint to sign this session out later: origin and path with Action=logout,
 * nothing else of the reply's URL (it is a fixed endpoint, but keep only what is needed).
 */
export function logoutUrlToKeep(text) {
  const url = parseUrl(text);
  if (!url || !/^https?:$/.test(url.protocol) || url.searchParams.get('Action') !== 'logout') {
    return null;
  }
  return `${url.origin}${url.pathname}?Action=logout`;
}

function stringOrNull(value) {
  return typeof value === 'string' && value ? value : null;
}

function sameIdentity(a, b) {
  return a.account === b.account && a.role === b.role && a.partition === b.partition;
}

/**
 * Records a sign-in. In a jar without multi-session, signing in ends every other identity's
 * session there (the sign-out first did it); the same profile's record is replaced.
 */
export function recordSignIn(registry, record, { multiSession = false } = {}) {
  const sessions = { ...registry.sessions };
  for (const [key, other] of Object.entries(sessions)) {
    if (other.jar !== record.jar) continue;
    // The same identity signing in again replaces its session in a multi-session jar too.
    const same = sameIdentity(other.identity, record.identity);
    if (other.profile === record.profile || (multiSession ? same : !same)) {
      delete sessions[key];
    }
  }
  sessions[sessionKey(record.profile, record.jar)] = record;
  return { sessions };
}

/** Is the record a session that a click may reuse now? */
export function isReusable(record, now, margin = REUSE_MARGIN_MS) {
  if (!record) return false;
  if (!record.landed) {
    // Opened moments ago and still on its way: the same click again must not sign in twice.
    return now - record.openedAt < LANDING_GRACE_MS && record.tabs.length > 0;
  }
  return record.endsAt != null && record.endsAt - now > margin;
}

/** Is the record a session the popup may call live (signed in, not past its end)? */
export function isLive(record, now) {
  return Boolean(record?.landed) && (record.endsAt == null || record.endsAt > now);
}

/** The profile's record to reuse now, preferring `jar` when given; null when none. */
export function reusableSession(registry, profile, now, { jar = null, margin } = {}) {
  const candidates = Object.values(registry.sessions)
    .filter((record) => record.profile === profile && (jar == null || record.jar === jar))
    .filter((record) => isReusable(record, now, margin))
    .sort((a, b) => b.lastUsed - a.lastUsed);
  return candidates[0] ?? null;
}

/** The record's tabs, most recently used first. */
export function tabsByRecency(record) {
  return [...record.tabs].sort((a, b) => b.at - a.at);
}

function mapRecords(registry, change) {
  const sessions = {};
  for (const [key, record] of Object.entries(registry.sessions)) {
    const changed = change(record);
    if (changed) sessions[key] = changed;
  }
  return { sessions };
}

/** Drops expired records and those whose tab never reached the console. */
export function prune(registry, now) {
  return mapRecords(registry, (record) => {
    if (record.landed) return record.endsAt != null && record.endsAt <= now ? null : record;
    return now - record.openedAt < LANDING_GRACE_MS ? record : null;
  });
}

/**
 * A tab moved to `url` (tabs.onUpdated). A session's own tab reaching the console lands it;
 * any tab of a session's jar on a sign-in page of that session ends it (in a multi-session
 * jar, only the session whose own tab it is or whose per-session sign-out it is); a
 * session's tab going elsewhere stops being its tab.
 */
export function applyTabUrl(registry, {
  tabId, windowId = null, jar, url,
}) {
  const oneSession = signedOutSession(url);
  return mapRecords(registry, (record) => {
    const owns = record.tabs.some((tab) => tab.id === tabId);
    let page = classifyPage(url, record);
    if (page === 'signing-out-to-login') page = owns ? 'login' : 'signed-out';
    // A multi-session jar holds several sessions: a sign-in page ends the one a per-session
    // sign-out names, or its own tab's (expired, or the session limit), not the others.
    if (page === 'signed-out' && (oneSession ? record.differentiator !== oneSession
      : !owns && record.multiSession && record.differentiator != null)) {
      page = 'other';
    }
    if (record.jar === jar && page === 'signed-out' && (owns || record.landed)) {
      // Another site's sign-in pages cannot end it: only this session's sign-in origins or
      // AWS's sign-in hosts count (classifyPage).
      return null;
    }
    if (!owns) return record;
    if (page === 'console') {
      return {
        ...record,
        landed: true,
        consoleUrl: record.consoleUrl ?? consoleUrlToKeep(url),
        differentiator: record.differentiator ?? sessionDifferentiator(url),
        tabs: record.tabs.map((tab) => (tab.id === tabId ? { ...tab, windowId: windowId ?? tab.windowId } : tab)),
      };
    }
    if (page === 'login') return record;
    return { ...record, tabs: record.tabs.filter((tab) => tab.id !== tabId) };
  });
}

/**
 * The sign-in through this tab turned out to be a multi-session one (its sign-out bounce was
 * refused): it signs in beside the jar's other sessions instead of replacing them.
 */
export function markMultiSession(registry, tabId) {
  return mapRecords(registry, (record) => (record.tabs.some((tab) => tab.id === tabId)
    ? { ...record, multiSession: true }
    : record));
}

/** A tab was closed: it is nobody's tab any more (the session itself lives on). */
export function removeTab(registry, tabId) {
  return mapRecords(registry, (record) => (record.tabs.some((tab) => tab.id === tabId)
    ? { ...record, tabs: record.tabs.filter((tab) => tab.id !== tabId) }
    : record));
}

/** A cookie jar is gone (a container deleted): so are its sessions. */
export function removeJar(registry, jar) {
  return mapRecords(registry, (record) => (record.jar === jar ? null : record));
}

/** Ends one profile's session in one jar (signed out by roleport). */
export function removeSession(registry, profile, jar) {
  return mapRecords(registry, (record) => (
    record.profile === profile && record.jar === jar ? null : record));
}

/** The session was used now, through `tab` (focused or opened). */
export function touch(registry, key, tab, now) {
  const record = registry.sessions[key];
  if (!record) return registry;
  const others = record.tabs.filter((known) => known.id !== tab?.id);
  const tabs = tab?.id != null
    ? [...others, { id: tab.id, windowId: tab.windowId ?? null, at: now }] : others;
  return { sessions: { ...registry.sessions, [key]: { ...record, tabs, lastUsed: now } } };
}

/**
 * What the popup shows about each profile's live session, without anything but the profile,
 * the end and the jar: [{profile, label, jar, container, endsAt, account, role}].
 */
export function liveSessions(registry, now) {
  return Object.values(registry.sessions)
    .filter((record) => isLive(record, now))
    .map((record) => ({
      profile: record.profile,
      label: record.label ?? null,
      jar: record.jar,
      container: record.container ?? null,
      endsAt: record.endsAt,
      account: record.identity?.account ?? null,
      role: record.identity?.role ?? null,
    }));
}

/** "10 h 42 m", "4 min", "less than a minute". */
export function formatRemaining(ms) {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} m` : `${hours} h`;
}

/**
 * The popup's marker for a live session: {text, label, soon}. `text` is what the row shows,
 * `label` what a screen reader says, `soon` whether it should stand out.
 */
export function sessionMarker(session, now) {
  if (session.endsAt == null) {
    return { text: 'signed in', label: 'Signed in (session end unknown)', soon: false };
  }
  const left = session.endsAt - now;
  if (left <= 0) return null;
  const remaining = formatRemaining(left);
  if (left < SOON_MS) {
    return { text: `expires in ${remaining}`, label: `Signed in, session expires in ${remaining}`, soon: true };
  }
  return { text: `signed in, ${remaining} left`, label: `Signed in, ${remaining} left`, soon: false };
}
