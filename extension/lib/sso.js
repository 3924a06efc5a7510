/**
 * The background's IAM Identity Center handlers (PROTOCOL.md "IAM Identity Center"): sign-in
 * start / status / cancel and the discovered roles. A discovered role opens through the one
 * login path (login.js, login-targets.js: `login_sso_role`).
 *
 * - The verification page opens in a normal tab: never in an account's container (Firefox:
 *   the default cookie store), never in a profile's tab group, once per sign-in even when two
 *   popups start it.
 * - Replies to the pages carry the user code and verification address, never a token; the
 *   discovered table (account ids, names, e-mail addresses, roles) is cached in
 *   storage.local (one JSON string) for an instant first paint.
 */
import { HostError, errorFields, extensionError } from './errors.js';
import { DISCOVERED_STORAGE_KEY, isOpenableVerificationUrl } from './discovery.js';
import { storedTable } from './profiles.js';
import { ssoRolesParams } from './settings.js';

export const SSO_TIMEOUTS_MS = { start: 40_000, status: 10_000, roles: 20_000 };
export { DISCOVERED_STORAGE_KEY };
const FIREFOX_DEFAULT_STORE = 'firefox-default';

function requireText(value, what) {
  if (typeof value !== 'string' || !value) {
    throw extensionError('ssoMissingField', { field: what });
  }
  return value;
}

/** Reads every page of `sso_roles` (same paging rule as `profiles`). */
async function fetchRoles(request, params) {
  const first = await request(params);
  const rows = [...(Array.isArray(first?.rows) ? first.rows : [])];
  let page = first;
  while (Number.isInteger(page?.next_offset) && page.next_offset > 0) {
    if (page.next_offset !== rows.length) throw extensionError('pagesOutOfOrder');
    page = await request({ offset: page.next_offset });
    rows.push(...(Array.isArray(page?.rows) ? page.rows : []));
  }
  return { ...first, rows, next_offset: null };
}

/** The handlers, given the background's `client` (the native port), `ext` (the API object) and
 * `readSettings` (the options, for the discovery cache's maximum age). */
export function createSsoHandlers({ client, ext, readSettings }) {
  const openedFlows = new Set();

  async function openVerification(flow, sender) {
    if (openedFlows.has(flow.flow_id)) return false;
    const url = flow.verification_uri_complete || flow.verification_uri;
    if (!isOpenableVerificationUrl(url)) throw extensionError('ssoVerificationRefused');
    openedFlows.add(flow.flow_id);
    const properties = { url, active: true };
    // Firefox: explicitly the default store, so the page never lands in an account's
    // container whatever tab the popup belongs to.
    if (typeof ext.contextualIdentities?.query === 'function') {
      properties.cookieStoreId = FIREFOX_DEFAULT_STORE;
    }
    if (sender?.tab?.windowId != null) properties.windowId = sender.tab.windowId;
    try {
      await ext.tabs.create(properties);
    } catch {
      throw new HostError(errorFields('tabRefused'));
    }
    return true;
  }

  return {
    ssoRoles: async (message) => {
      // The options page's maximum age goes with the request (the host's default otherwise).
      const params = ssoRolesParams(await readSettings(), { refresh: message?.refresh === true });
      let table;
      try {
        table = await fetchRoles(
          (pageParams) => client.request('sso_roles', { ...params, ...pageParams }, {
            timeoutMs: SSO_TIMEOUTS_MS.roles,
          }),
          params,
        );
      } catch (error) {
        // A host without IAM Identity Center support: no discovered roles, no sign-in offers.
        if (error?.code === 'unknown_action') return { columns: [], rows: [], sessions: [] };
        throw error;
      }
      const sessions = Array.isArray(table.sessions) ? table.sessions : [];
      // Storage keeps the listing only: a waiting sign-in's code is for this answer alone.
      const cache = {
        columns: table.columns,
        rows: table.rows,
        sessions: sessions.map(({ sign_in: _signIn, ...rest }) => rest),
        fetched_at: Date.now(),
      };
      // One JSON string, as the profile table (lib/profiles.js storedTable): thousands of
      // roles are read back in one piece when the popup opens.
      await ext.storage.local.set({ [DISCOVERED_STORAGE_KEY]: storedTable(cache) });
      return { ...cache, sessions };
    },
    ssoLoginStart: async (message, sender) => {
      const session = requireText(message?.sso_session, 'sso_session');
      const flow = await client.request('sso_login_start', { sso_session: session }, {
        timeoutMs: SSO_TIMEOUTS_MS.start,
      });
      const opened = await openVerification(flow, sender);
      return { ...flow, opened };
    },
    ssoLoginStatus: (message) => client.request('sso_login_status', {
      flow_id: requireText(message?.flow_id, 'flow_id'),
    }, { timeoutMs: SSO_TIMEOUTS_MS.status }),
    ssoLoginCancel: (message) => client.request('sso_login_cancel', {
      flow_id: requireText(message?.flow_id, 'flow_id'),
    }, { timeoutMs: SSO_TIMEOUTS_MS.status }),
  };
}
