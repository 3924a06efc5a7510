/**
 * The one login path (a popup click on a profile or a discovered role, omnibox Enter): one
 * click at a time per role, the role's live session reused unless asked for a fresh sign-in or
 * another page, the console's session limit, the host's login URL opened per the settings, the
 * session recorded and the role put first in the recently used list.
 */
import { HostError, errorFields, extensionError } from './errors.js';
import { createKeyedLock } from './keyed-lock.js';
import { findLook, hostRequest, loginTarget } from './login-targets.js';
import { pushRecent } from './profiles.js';
import { isMfaCode } from './rules.js';
import { DEFAULT_JAR } from './sessions.js';
import { STORAGE_KEYS } from './settings.js';
import { OpeningError } from './urls.js';

const MAX_DESTINATION = 2048;

/**
 * `ext` the API object; `request(action, params)` the host; `readSettings()`; `tabs`
 * console-tabs.js; `sessions` live-sessions.js; `multiSession` multisession-watch.js.
 * Returns {openProfile, rememberRecent}.
 */
export function createLogin({
  ext, request, readSettings, tabs, sessions, multiSession,
}) {
  const storageLock = createKeyedLock();
  const jarLock = createKeyedLock();

  /** Read-modify-write, one at a time: quick Shift+Enter opens would otherwise drop entries. */
  function rememberRecent(key) {
    return storageLock(STORAGE_KEYS.recent, async () => {
      const stored = await ext.storage.local.get(STORAGE_KEYS.recent);
      await ext.storage.local.set({ [STORAGE_KEYS.recent]: pushRecent(stored[STORAGE_KEYS.recent], key) });
    });
  }

  async function signInAndOpen(target, look, options, settings, where) {
    const { action, params } = hostRequest(target, settings, options);
    const reply = await request(action, params);
    let opened;
    try {
      opened = await tabs.openConsole(reply, look, settings, where);
    } catch (error) {
      // Browser errors may quote the URL (Firefox: "Illegal URL: ..."), which is a credential:
      // report a fixed text instead of theirs.
      const ours = error instanceof OpeningError || error instanceof HostError;
      const fields = ours ? error.toJSON() : errorFields('tabRefused');
      throw new HostError({ ...fields, profile: look.profile.name });
    }
    await sessions.recordOpened(target.key, look.profile.name, reply, opened);
    await rememberRecent(target.key);
    return {
      profile: target.key,
      label: look.profile.name,
      expires_at: reply.expires_at ?? null,
      session_expires_at: reply.session_expires_at ?? null,
      identity: reply.identity ?? null,
      ...opened,
    };
  }

  async function loginNow(target, options, where) {
    // A live session is reused unless the user asked for a fresh sign-in (Alt+click) or another
    // page ("Open this page as another role": the host checks that Destination).
    if (!options.fresh && options.mfaCode == null && options.destination == null) {
      const reused = await sessions.reuse(target.key, where);
      if (reused) {
        rememberRecent(target.key).catch(() => undefined);
        return {
          profile: target.key, expires_at: null, identity: null, ...reused,
        };
      }
    }
    const settings = await readSettings();
    const look = await findLook(ext.storage.local, target);
    const containers = tabs.containersAvailable(settings);
    if (containers) return signInAndOpen(target, look, options, settings, where);
    // One browser-profile jar: sign-ins of different roles one at a time, so that the session
    // limit is judged with every earlier sign-in recorded.
    return jarLock(DEFAULT_JAR, async () => {
      if (options.sessionLimit !== 'open-anyway') {
        await multiSession.checkLimit(look, settings, { containers });
      }
      return signInAndOpen(target, look, options, settings, where);
    });
  }

  /**
   * Opens a role's console. `profile` names a profile (or a discovered role by its list key);
   * `discovered` ({sso_session, account_id, role_name, account_name?}) a role discovered
   * through IAM Identity Center. `windowId` is where the tab goes (the current window when
   * null); `background` opens it without focusing; `fresh` signs in even with a live session;
   * `destination` opens that console page; `sessionLimit` 'open-anyway' skips the limit.
   */
  async function openProfile({
    profile = null, discovered = null, mfaCode = null, background = false, windowId = null,
    fresh = false, destination = null, sessionLimit = null,
  }) {
    const target = loginTarget({ profile, discovered });
    // The host answers a malformed code with invalid_request (PROTOCOL.md, login params);
    // mfa_invalid is AWS refusing a well-formed one.
    if (mfaCode != null && !isMfaCode(mfaCode)) {
      throw extensionError('mfaCodeMalformed', {}, { profile: target.key });
    }
    if (destination != null && (typeof destination !== 'string'
        || !destination || destination.length > MAX_DESTINATION)) {
      throw extensionError('badDestination', {}, { profile: target.key });
    }
    const options = {
      mfaCode, fresh: fresh === true, destination, sessionLimit,
    };
    const where = { active: background !== true, windowId };
    // One click at a time per role: a second quick click finds the first one's session.
    return sessions.exclusive(target.key, () => loginNow(target, options, where));
  }

  return { openProfile, rememberRecent };
}
