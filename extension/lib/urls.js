/**
 * Where a login URL is opened. The URL is a credential: the federation endpoint's
 * Action=login URL signs anyone in who opens it within 15 minutes (IAM User Guide, "Enable
 * custom identity broker access to the AWS console"). These functions only compose it, they
 * never keep or print it.
 */
import { HostError, errorFields } from './errors.js';

/**
 * 'automatic': the console's multi-session support when the browser profile has turned it on
 * (never the sign-out bounce then), else 'signout-first' (lib/multisession.js decides).
 */
export const OPEN_MODES = Object.freeze(['automatic', 'signout-first', 'keep-sessions', 'new-window']);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Accepts https URLs, and http only on loopback (the local stand-ins of the test suites), so
 * a broken or hostile host reply can never make the browser open javascript:, file: or data:.
 */
export function isOpenableUrl(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * "Sign out first": the console's sign-out endpoint (oauth?Action=logout) with the login URL as
 * redirect_uri, so a console session of another identity does not block the login.
 */
export function signOutFirstUrl(logoutUrl, loginUrl) {
  const separator = logoutUrl.includes('?') ? '&' : '?';
  return `${logoutUrl}${separator}redirect_uri=${encodeURIComponent(loginUrl)}`;
}

/** A refused host reply (a catalogue error, code open_failed); it never contains the URL. */
export class OpeningError extends HostError {
  constructor(name) {
    super(errorFields(name));
    this.name = 'OpeningError';
  }
}

/**
 * Chooses the URL and the kind of target for a login reply when no container isolates the
 * session. Returns {url, newWindow}. Throws an OpeningError without the URL when the reply's URLs are
 * not acceptable.
 */
export function planOpening(mode, loginUrl, logoutUrl) {
  if (!isOpenableUrl(loginUrl)) {
    throw new OpeningError('loginUrlRefused');
  }
  if (mode === 'keep-sessions') return { url: loginUrl, newWindow: false };
  if (logoutUrl && !isOpenableUrl(logoutUrl)) {
    throw new OpeningError('logoutUrlRefused');
  }
  const url = logoutUrl ? signOutFirstUrl(logoutUrl, loginUrl) : loginUrl;
  return { url, newWindow: mode === 'new-window' };
}
