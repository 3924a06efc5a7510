/**
 * The AWS console's multi-session support (up to 5 identities in one browser profile, turned
 * on once from the console's account menu; "Signing in to multiple accounts", AWS Management
 * Console Getting Started Guide, MULTI_SESSION_HELP_URL): the Chromium counterpart of a
 * Firefox container. Pure logic; background.js asks the browser.
 *
 * Signals that a browser profile has opted in, all seen through the tabs permission roleport
 * already has (no new permission, no install-time warning; the console's opt-in cookie
 * `aws-prism-opt-in` would need a host permission for the console's domain to be read):
 * - a tab on a per-session console host, `<account>-<8 characters>.<region>.console.aws.amazon
 *   .com` (and the partitions' equivalents);
 * - the sign-out bounce (oauth?Action=logout&redirect_uri=<login URL>) staying on its own URL:
 *   with multi-session on AWS answers it with HTTP 400 instead of redirecting. roleport then
 *   opens the login URL of that tab's redirect_uri directly and remembers that the profile uses
 *   multi-session.
 * Without either, roleport signs out first as before.
 */

export const MULTI_SESSION_HELP_URL = 'https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/multisession.html';
export const SESSION_LIMIT = 5;

const DIFFERENTIATOR = '[0-9]{12}-[a-z0-9]{8}';
const SESSION_HOST = new RegExp(
  `^(${DIFFERENTIATOR})\\.([a-z0-9-]+\\.)?console\\.(aws\\.amazon\\.com|amazonaws\\.cn|amazonaws-us-gov\\.com)$`,
);
// A federation endpoint on a loopback address (a local stand-in, PROTOCOL.md test hooks) cannot
// give each session a host name; it puts the differentiator first in the path instead.
const LOOPBACK_SESSION_PATH = new RegExp(`^/s/(${DIFFERENTIATOR})/`);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function parseUrl(text) {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** The session differentiator of a per-session console URL, or null for any other URL. */
export function sessionDifferentiator(text) {
  const url = parseUrl(text);
  if (!url) return null;
  const host = SESSION_HOST.exec(url.hostname);
  if (host && url.protocol === 'https:') return host[1];
  if (LOOPBACK.has(url.hostname)) return LOOPBACK_SESSION_PATH.exec(url.pathname)?.[1] ?? null;
  return null;
}

/**
 * The login URL a refused sign-out bounce was taking the tab to (its redirect_uri), when `text`
 * is such a bounce; null otherwise. The caller only hands it to the tab: it is a credential.
 */
export function bounceTarget(text) {
  const url = parseUrl(text);
  if (!url || url.searchParams.get('Action') !== 'logout') return null;
  const target = parseUrl(url.searchParams.get('redirect_uri') ?? '');
  return target && target.searchParams.get('Action') === 'login' ? target.href : null;
}

/**
 * Would signing `profile` (its account and role from the profile table) in add a sixth
 * identity to the jar's `records` (those live or on their way, sessions.js)? Returns null, or {count, leastRecent} naming the least recently used
 * session roleport opened, which the user may sign out first.
 */
export function sessionLimitProblem(records, profile) {
  const identities = new Map();
  for (const record of records.filter((candidate) => candidate.multiSession)) {
    const key = `${record.identity?.account}\n${record.identity?.role}`;
    const known = identities.get(key);
    if (!known || record.lastUsed > known.lastUsed) identities.set(key, record);
  }
  const wanted = `${profile.account_id ?? ''}\n${profile.role ?? ''}`;
  if (identities.has(wanted) || identities.size < SESSION_LIMIT) return null;
  const leastRecent = [...identities.values()].sort((a, b) => a.lastUsed - b.lastUsed)[0];
  return { count: identities.size, leastRecent };
}

const SESSION_SIGN_OUT_PATH = new RegExp(`^/sessions/(${DIFFERENTIATOR})/v1/logout$`);

/**
 * The differentiator of the one session a per-session sign-out URL (sessionSignOutUrl) ends,
 * or null for any other URL: the jar's other sessions stay signed in.
 */
export function signedOutSession(text) {
  const url = parseUrl(text);
  return url ? SESSION_SIGN_OUT_PATH.exec(url.pathname)?.[1] ?? null : null;
}

/** The per-session sign-out endpoint of a multi-session record, or null. */
export function sessionSignOutUrl(record) {
  if (!record?.differentiator || !record.logoutUrl) return null;
  const url = parseUrl(record.logoutUrl);
  return url ? `${url.origin}/sessions/${record.differentiator}/v1/logout` : null;
}
