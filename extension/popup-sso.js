/**
 * The popup's IAM Identity Center panel: "Sign in to <start URL>" for every SSO session
 * without a usable token, the user code and a Cancel button while the sign-in waits, and the
 * discovered roles handed to the list (lib/discovery.js merges them). It never sees a token.
 */
import { ext } from './lib/browser.js';
import {
  parseDiscoveredName, rowsToDiscovered, sessionsToSignIn,
} from './lib/discovery.js';
import { parseStoredTable } from './lib/profiles.js';
import { SETUP_ERROR_CODES } from './lib/setup.js';
import { DISCOVERED_STORAGE_KEY } from './lib/sso.js';
import { callBackground, h, showError } from './lib/ui.js';

const SIGN_IN_CODES = new Set(['sso_login_required', 'sso_signin_required']);
// Errors the popup's list reports itself (see load()).
const LIST_ERROR_CODES = new Set(['config_error', ...SETUP_ERROR_CODES]);
// How often and how long the panel looks again while the host fetches the roles.
const REFRESH_POLL_MS = 1000;
const MAX_REFRESH_POLLS = 180;

/** The runtime message that opens a discovered role's console, or null for a profile. */
export function discoveredLoginMessage(entry, { background = false } = {}) {
  const parsed = parseDiscoveredName(entry?.name);
  if (!parsed) return null;
  return {
    type: 'loginDiscovered', ...parsed, account_name: entry.account_name ?? null, background,
  };
}

export function isSignInError(error) {
  return SIGN_IN_CODES.has(error?.code) && typeof error.sso_session === 'string';
}

/**
 * The sign-in offer's label: "Sign in again" where the session has a listing from an earlier
 * sign-in (it expired or was revoked; the listing stays on screen), else "Sign in".
 */
export function signInLabel(session) {
  const again = Number(session?.accounts) > 0;
  return `${again ? 'Sign in again' : 'Sign in'} to ${session?.start_url ?? session?.sso_session}`;
}

/**
 * Under "Sign in again": how old the listing on screen is, since it cannot be refreshed until
 * then (null without a listing or its time).
 */
export function listedAtText(session, locale = undefined) {
  const fetched = Date.parse(session?.fetched_at ?? '');
  if (!(Number(session?.accounts) > 0) || Number.isNaN(fetched)) return null;
  const when = new Date(fetched).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
  return `Your sign-in has ended. The roles below were listed on ${when}.`;
}

/**
 * Mounts the panel in `panel`; `onDiscovered(entries)` receives the discovered roles (from
 * storage at once, then from the host). `stored`, when given, is a promise of the cached
 * table the caller already read from storage (and listed): the panel then takes its sessions
 * from it without handing the same roles back. Its own errors (a sign-in denied or expired, a
 * listing that failed) show inside the panel, next to what fixes them: the sign-in offer, "Try
 * again". `errorBox` (the popup's top alert) gets only a failed request to the host. Returns
 * {offer(error)} for sign-in errors of logins.
 */
export function createSsoPanel({
  panel, errorBox, onDiscovered, stored = null,
}) {
  const state = {
    // The discovered roles the list holds (as JSON; '' for none), null before any.
    sessions: [], flow: null, timer: null, polls: 0, status: '', listed: null, error: null,
    retry: false,
  };

  function setError(error, { retry = false } = {}) {
    state.error = error ?? null;
    state.retry = Boolean(error) && retry;
  }

  function errorView() {
    const box = h('div', { className: 'alert sso-error', id: 'sso-error', role: 'alert' });
    showError(box, state.error);
    if (state.retry) {
      box.append(h('button', {
        type: 'button', id: 'sso-retry', className: 'sso-retry',
        title: 'List the accounts and roles of IAM Identity Center again',
      }, 'Try again'));
    }
    return box;
  }

  function render() {
    const children = [];
    if (state.error) children.push(errorView());
    if (state.flow) {
      const { flow } = state;
      children.push(h('p', { className: 'sso-flow', id: 'sso-flow' },
        `Confirm the code `, h('strong', { id: 'sso-user-code' }, flow.user_code),
        ` on the page that opened for ${flow.start_url}.`));
      children.push(h('button', { type: 'button', id: 'sso-cancel', className: 'sso-cancel' }, 'Cancel'));
    } else {
      for (const session of sessionsToSignIn(state.sessions)) {
        children.push(h('button', {
          type: 'button', className: 'sso-sign-in', dataset: { ssoSession: session.sso_session },
        }, signInLabel(session)));
        const listedAt = listedAtText(session);
        if (listedAt) children.push(h('p', { className: 'sso-note' }, listedAt));
      }
      // On demand: the host refreshes on its own once the listing is older than the maximum
      // age (an hour unless the options say otherwise). "Try again" stands for it after a failure.
      if (state.sessions.some((session) => session.signed_in) && !state.retry
        && !state.status.startsWith('Listing')) {
        children.push(h('button', {
          type: 'button', id: 'sso-refresh', className: 'sso-refresh',
          title: 'List the accounts and roles of IAM Identity Center again',
        }, 'Refresh discovered roles'));
      }
    }
    if (state.status) children.push(h('p', { className: 'sso-status', id: 'sso-status' }, state.status));
    panel.replaceChildren(...children);
    panel.hidden = children.length === 0;
  }

  function applyTable(table, live = false, { listed = false } = {}) {
    state.sessions = Array.isArray(table?.sessions) ? table.sessions : [];
    // The same roles as the list already has (the host's answer to every popup, mostly):
    // no new list, which would be grouped and indexed again.
    const rows = Array.isArray(table?.rows) ? table.rows : [];
    const roles = rows.length ? JSON.stringify([table.columns, rows]) : '';
    if (!listed && roles !== state.listed) onDiscovered(rowsToDiscovered(table));
    state.listed = roles;
    // A sign-in started earlier (by this popup before it closed, or by another) still waits:
    // show its code and follow it.
    const waiting = live && !state.flow
      ? state.sessions.find((session) => session.sign_in?.state === 'pending') : null;
    if (waiting) {
      state.flow = waiting.sign_in;
      poll();
    }
  }

  async function load(refresh = false) {
    clearTimeout(state.timer);
    const reply = await callBackground(ext, { type: 'ssoRoles', refresh });
    if (!reply.ok) {
      // The list's own request fails the same way on a broken config file or a host that
      // cannot be reached, and popup.js shows that once, with the file and line or the link
      // to the setup guide: the same error from this second request must not replace it.
      if (!LIST_ERROR_CODES.has(reply.error?.code)) showError(errorBox, reply.error);
      if (state.status.startsWith('Listing')) state.status = '';
      render();
      return;
    }
    applyTable(reply.result, true);
    const refreshing = state.sessions.some((session) => session.refreshing);
    if (refreshing && state.polls < MAX_REFRESH_POLLS) {
      state.polls += 1;
      state.status = 'Listing your accounts and roles\u2026';
      state.timer = setTimeout(() => load(false), REFRESH_POLL_MS);
    } else {
      state.polls = 0;
      if (state.status.startsWith('Listing')) state.status = '';
      // A session that needs a sign-in is offered one (the host says signed_in false, also
      // when the portal refused its token); any other failure is shown with "Try again",
      // above the listing it kept.
      const failed = state.sessions.find((session) => session.error && !session.refreshing
        && !isSignInError(session.error));
      if (failed) {
        setError({
          ...failed.error,
          message: `The accounts and roles of ${failed.start_url ?? failed.sso_session} could not `
            + `be listed: ${failed.error.message}`,
        }, { retry: true });
      } else if (state.retry) {
        setError(null);
      }
    }
    render();
  }

  function poll() {
    const { flow } = state;
    clearTimeout(state.timer);
    if (!flow) return;
    state.timer = setTimeout(async () => {
      const reply = await callBackground(ext, { type: 'ssoLoginStatus', flow_id: flow.flow_id });
      if (state.flow !== flow) return;
      if (reply.ok && reply.result.state === 'pending') {
        poll();
        return;
      }
      state.flow = null;
      if (reply.ok && reply.result.state === 'succeeded') {
        setError(null);
        state.status = `Signed in to ${flow.start_url}.`;
        render();
        await load(true);
        return;
      }
      // Denied, expired, or the host lost it: said here, above the offer to start again.
      state.status = '';
      setError(reply.ok ? reply.result.error : reply.error);
      render();
    }, Math.max(1, Number(flow.interval) || 1) * 1000);
  }

  async function start(ssoSession) {
    setError(null);
    state.status = 'Starting the sign-in\u2026';
    render();
    const reply = await callBackground(ext, { type: 'ssoLoginStart', sso_session: ssoSession });
    state.status = '';
    if (!reply.ok) {
      setError(reply.error);
      render();
      return;
    }
    state.flow = reply.result;
    render();
    poll();
  }

  async function cancel() {
    const { flow } = state;
    if (!flow) return;
    clearTimeout(state.timer);
    state.flow = null;
    state.status = 'Sign-in cancelled.';
    render();
    await callBackground(ext, { type: 'ssoLoginCancel', flow_id: flow.flow_id });
  }

  function listAgain() {
    setError(null);
    state.status = 'Listing your accounts and roles\u2026';
    render();
    load(true);
  }

  panel.addEventListener('click', (event) => {
    const signIn = event.target.closest('button.sso-sign-in');
    if (signIn) start(signIn.dataset.ssoSession);
    else if (event.target.closest('#sso-cancel')) cancel();
    else if (event.target.closest('#sso-refresh, #sso-retry')) listAgain();
  });

  (async () => {
    if (stored) {
      applyTable(await stored, false, { listed: true });
    } else {
      const cached = await ext.storage.local.get(DISCOVERED_STORAGE_KEY);
      const table = parseStoredTable(cached[DISCOVERED_STORAGE_KEY]);
      if (table) applyTable(table);
    }
    render();
    await load(false);
  })();

  return {
    /** A login failed for want of a sign-in: offer it for that session. */
    offer(error) {
      if (!isSignInError(error)) return;
      const known = state.sessions.find((session) => session.sso_session === error.sso_session);
      if (known) known.signed_in = false;
      else state.sessions.push({ sso_session: error.sso_session, start_url: error.start_url ?? error.sso_session, signed_in: false });
      render();
    },
  };
}
