/**
 * What a click opens, as one target whatever the row: a profile of the AWS config (by name), or
 * a role discovered through IAM Identity Center that no profile names (SSO session, account id,
 * role name; discovery.js). A target has
 * - a key that names it everywhere the background keeps state (the one-click-at-a-time lock,
 *   the live-sessions registry, the recently used list): the profile name, or the list key of
 *   the discovered role, which has line breaks and so can never equal a profile name
 *   (rules.js, profile names have no control characters);
 * - the host request that signs it in: `login` for a profile, `login_sso_role` for a
 *   discovered role (PROTOCOL.md), with the same settings (region, console session duration)
 *   and "Open this page" destination;
 * - a look: the name shown (a discovered role's "Account/Role"), its account for the
 *   container and tab-group colour (style.js) and the session limit (multisession.js).
 * Nothing here is secret: account ids, names and role names only.
 */
import { extensionError } from './errors.js';
import {
  discoveredLabel, discoveredName, isDiscoveredName, parseDiscoveredName, rowsToDiscovered,
} from './discovery.js';
import { accountKey } from './grouping.js';
import { parseStoredTable, rowsToProfiles } from './profiles.js';
import { isAccountId, isRoleName, profileNameProblem } from './rules.js';
import { loginParams, STORAGE_KEYS } from './settings.js';
import { DISCOVERED_STORAGE_KEY } from './sso.js';
import { accountColors, containerStyle } from './style.js';

function checkedDiscovered({ sso_session: session, account_id: accountId, role_name: roleName }) {
  for (const [field, value] of [['sso_session', session], ['account_id', accountId], ['role_name', roleName]]) {
    if (typeof value !== 'string' || !value) throw extensionError('ssoMissingField', { field });
  }
  if (profileNameProblem(session) || !isAccountId(accountId) || !isRoleName(roleName)) {
    throw extensionError('badDiscoveredRole', { account: accountId, role: roleName });
  }
  return { sso_session: session, account_id: accountId, role_name: roleName };
}

/**
 * The target of a login request: `profile` (a profile name, or a discovered role's list key
 * as the popup's recent list and the omnibox hold it), or `discovered` ({sso_session,
 * account_id, role_name, account_name?}). Returns {key, discovered, accountName}; a malformed
 * one is refused with invalid_request before anything is sent.
 */
export function loginTarget({ profile = null, discovered = null }) {
  if (discovered) {
    const role = checkedDiscovered(discovered);
    return {
      key: discoveredName(role.sso_session, role.account_id, role.role_name),
      discovered: role,
      accountName: typeof discovered.account_name === 'string' ? discovered.account_name : null,
    };
  }
  if (typeof profile !== 'string' || !profile) throw extensionError('noProfile');
  if (isDiscoveredName(profile)) {
    const parsed = parseDiscoveredName(profile);
    if (!parsed) throw extensionError('badDiscoveredRole', { account: '', role: '' });
    return { key: profile, discovered: checkedDiscovered(parsed), accountName: null };
  }
  return { key: profile, discovered: null, accountName: null };
}

/**
 * The host request that signs the target in: {action, params}. An MFA code goes with a
 * profile only (IAM Identity Center roles need none).
 */
export function hostRequest(target, settings, { mfaCode = null, destination = null } = {}) {
  const params = loginParams(target.key, settings, target.discovered ? null : mfaCode);
  if (destination) params.destination = destination;
  if (!target.discovered) return { action: 'login', params };
  const common = { ...params };
  delete common.profile;
  return { action: 'login_sso_role', params: { ...target.discovered, ...common } };
}

/**
 * The target's look, from the lists as last fetched: {profile, style}. `profile` is the
 * profile row (a discovered role: {name: "Account/Role", account_id, account_name, role}), and
 * `style` its container style, coloured by its account among the listed profiles.
 */
export function targetLook(target, profiles, discovered = []) {
  let profile;
  if (target.discovered) {
    const listed = discovered.find((entry) => entry.name === target.key);
    const accountName = listed?.account_name || target.accountName || null;
    profile = {
      name: discoveredLabel(target.discovered, accountName),
      account_id: target.discovered.account_id,
      account_name: accountName,
      role: target.discovered.role_name,
    };
  } else {
    profile = profiles.find((candidate) => candidate.name === target.key) ?? { name: target.key };
  }
  const sameAccount = profiles.filter((candidate) => accountKey(candidate) === accountKey(profile));
  return { profile, style: containerStyle(profile, accountColors(sameAccount)) };
}

/** targetLook with the lists read from `storage` (storage.local). */
export async function findLook(storage, target) {
  const stored = await storage.get([STORAGE_KEYS.profiles, DISCOVERED_STORAGE_KEY]);
  const profiles = rowsToProfiles(parseStoredTable(stored[STORAGE_KEYS.profiles]));
  const discovered = target.discovered ? rowsToDiscovered(stored[DISCOVERED_STORAGE_KEY]) : [];
  return targetLook(target, profiles, discovered);
}
