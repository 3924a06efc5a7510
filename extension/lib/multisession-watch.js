/**
 * The background's side of the console's multi-session support (multisession.js has the
 * rules): whether this browser profile has turned it on, the retry of a sign-out bounce the
 * console refused, and the session limit checked before a sign-in.
 *
 * - Opted in: remembered from the last sign-in that showed it (storage.local
 *   MULTI_SESSION_KEY), or a tab on a per-session console host now.
 * - Automatic open mode signs out first until multi-session shows: a bounce that loaded
 *   instead of redirecting (HTTP 400) is retried as the login itself, and remembered.
 * - A sixth identity would meet AWS's "session limit reached" page: a sign-in is refused first
 *   (session_limit) naming the least recently used session roleport opened.
 */
import { extensionError } from './errors.js';
import { bounceTarget, sessionDifferentiator, sessionLimitProblem } from './multisession.js';
import {
  DEFAULT_JAR, isLive, isReusable, markMultiSession,
} from './sessions.js';
import { isOpenableUrl } from './urls.js';

export const MULTI_SESSION_KEY = 'multiSessionSeen';

/** `ext` the API object, `store` the live-sessions store (sessions-store.js). */
export function createMultiSessionWatch({ ext, store, now = () => Date.now() }) {
  /** Tabs opened through the sign-out bounce in automatic mode, until they leave it. */
  const bouncingTabs = new Set();
  /**
   * Tabs whose bounce was refused, until they close: the refusal can come while the sign-in
   * that opened the tab is not in the registry yet (markMultiSession then finds no record),
   * so recording that sign-in asks here too (refusedBounce).
   */
  const refusedTabs = new Set();

  function remember(seen) {
    ext.storage.local.set({ [MULTI_SESSION_KEY]: seen }).catch(() => undefined);
  }

  /**
   * A sign-out bounce that loaded instead of redirecting was refused (HTTP 400: multi-session
   * is on): open its login URL directly and remember multi-session.
   */
  function retryRefusedBounce(tabId, tab) {
    if (!bouncingTabs.has(tabId)) return;
    bouncingTabs.delete(tabId);
    const target = bounceTarget(tab?.url ?? '');
    if (!target || !isOpenableUrl(target)) return;
    remember(true);
    refusedTabs.add(tabId);
    store.update((registry) => markMultiSession(registry, tabId)).catch(() => undefined);
    ext.tabs.update(tabId, { url: target }).catch(() => undefined);
  }

  return {
    /** Has this browser profile turned the console's multi-session support on? */
    async optedIn() {
      try {
        const tabs = await ext.tabs.query({});
        if (tabs.some((tab) => sessionDifferentiator(tab.url ?? '') !== null)) return true;
      } catch {
        // No tabs to look at: the remembered answer decides.
      }
      const stored = await ext.storage.local.get(MULTI_SESSION_KEY);
      return stored[MULTI_SESSION_KEY] === true;
    },

    /** The tab opened a sign-out bounce in automatic mode: retry it if the console refuses. */
    watchBounce(tabId) {
      if (tabId != null) bouncingTabs.add(tabId);
    },

    /**
     * A session's tab landed on its console in the browser profile's jar: on a per-session
     * host multi-session is on; a multi-session sign-in on a plain console shows it was
     * turned off.
     */
    noteLanded(record) {
      if (record.jar !== DEFAULT_JAR) return;
      if (record.differentiator) remember(true);
      else if (record.multiSession) remember(false);
    },

    onTabUpdated(tabId, changeInfo, tab) {
      if (changeInfo.url && !bounceTarget(changeInfo.url)) bouncingTabs.delete(tabId);
      if (changeInfo.status === 'complete') retryRefusedBounce(tabId, tab);
    },

    onTabRemoved(tabId) {
      bouncingTabs.delete(tabId);
      refusedTabs.delete(tabId);
    },

    /** Was the sign-out bounce in this tab refused (the sign-in in it is a multi-session one)? */
    refusedBounce(tabId) {
      return refusedTabs.has(tabId);
    },

    /**
     * Refuses a sign-in of `look` (login-targets.js) that would add a sixth identity to the
     * browser profile's jar, unless the sign-in opens in containers or signs out first.
     */
    async checkLimit(look, settings, { containers }) {
      if (containers || !['automatic', 'keep-sessions'].includes(settings.openMode)) return;
      const registry = await store.read();
      const moment = now();
      // A session still landing counts: it is a session a moment later.
      const records = Object.values(registry.sessions).filter((record) => record.jar === DEFAULT_JAR
        && (isLive(record, moment) || isReusable(record, moment)));
      const problem = sessionLimitProblem(records, look.profile);
      if (problem) {
        const { leastRecent } = problem;
        throw extensionError('sessionLimit', { count: String(problem.count) }, {
          profile: look.profile.name,
          lru_profile: leastRecent.profile,
          lru_label: leastRecent.label ?? leastRecent.profile,
        });
      }
    },
  };
}
