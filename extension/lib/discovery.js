/**
 * Roles discovered through IAM Identity Center (PROTOCOL.md "sso_roles") merged with the
 * configured profiles: pure functions, no DOM, no secrets (the host's table holds account
 * ids, names, e-mail addresses and role names only).
 *
 * - A configured profile that names the same account and role as a discovered one is shown
 *   once: the configured one, with its settings.
 * - Every other discovered role becomes a row like a profile: grouped by account, searchable
 *   by account name, account id and role, marked `discovered`, named by a key that can never
 *   be a profile name (profile names have no line breaks), so favourites and recent work.
 */

/** The extension storage key of the discovered roles' table (a stored JSON table). */
export const DISCOVERED_STORAGE_KEY = 'discovered';
const KEY_PREFIX = 'sso\n';

/** The list key of a discovered role. */
export function discoveredName(ssoSession, accountId, role) {
  return `${KEY_PREFIX}${ssoSession}\n${accountId}\n${role}`;
}

export function isDiscoveredName(name) {
  return typeof name === 'string' && name.startsWith(KEY_PREFIX);
}

/** {sso_session, account_id, role_name} of a discovered row's key, or null. */
export function parseDiscoveredName(name) {
  if (!isDiscoveredName(name)) return null;
  const parts = name.slice(KEY_PREFIX.length).split('\n');
  if (parts.length !== 3 || parts.some((part) => !part)) return null;
  const [ssoSession, accountId, roleName] = parts;
  return { sso_session: ssoSession, account_id: accountId, role_name: roleName };
}

/** A discovered role's name in messages and the sessions registry: "Account name/Role". */
export function discoveredLabel(role, accountName = null) {
  return `${accountName || role.account_id}/${role.role_name}`;
}

/** The host's {columns, rows} of discovered roles as list entries. */
export function rowsToDiscovered(table) {
  const columns = Array.isArray(table?.columns) ? table.columns : [];
  const rows = Array.isArray(table?.rows) ? table.rows : [];
  const found = [];
  for (const row of rows) {
    if (!Array.isArray(row)) continue;
    const cells = {};
    columns.forEach((column, i) => { cells[column] = row[i] ?? null; });
    const { sso_session: session, account_id: accountId, role } = cells;
    if (typeof session !== 'string' || !session || typeof accountId !== 'string' || !accountId
      || typeof role !== 'string' || !role) continue;
    found.push({
      name: discoveredName(session, accountId, role),
      account_id: accountId,
      account_name: cells.account_name ?? null,
      account_email: cells.account_email ?? null,
      role,
      region: null,
      kind: 'sso',
      discovered: true,
      sso_session: session,
    });
  }
  return found;
}

/**
 * Configured profiles plus the discovered roles no configured profile names (same account
 * id and role); an account name the portal knows fills in a configured profile's missing one.
 */
export function mergeDiscovered(profiles, discovered) {
  const configured = Array.isArray(profiles) ? profiles : [];
  const found = Array.isArray(discovered) ? discovered : [];
  if (found.length === 0) return configured;
  const taken = new Set();
  for (const profile of configured) {
    if (profile.account_id && profile.role) taken.add(`${profile.account_id}\n${profile.role}`);
  }
  const accountNames = new Map();
  for (const entry of found) {
    if (entry.account_name) accountNames.set(entry.account_id, entry.account_name);
  }
  const merged = configured.map((profile) => (
    !profile.account_name && accountNames.has(profile.account_id)
      ? { ...profile, account_name: accountNames.get(profile.account_id) }
      : profile));
  for (const entry of found) {
    if (!taken.has(`${entry.account_id}\n${entry.role}`)) merged.push(entry);
  }
  return merged;
}

/** The sessions that need a sign-in before their roles can be listed or opened. */
export function sessionsToSignIn(sessions) {
  return (Array.isArray(sessions) ? sessions : []).filter(
    (session) => session && typeof session.sso_session === 'string' && session.signed_in === false,
  );
}

/**
 * Whether a verification address may be opened: https, or http on the loopback host (a
 * local test stand-in). Anything else is refused.
 */
export function isOpenableVerificationUrl(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost');
}
