/**
 * The background's registry of live console sessions at work (sessions.js has the rules,
 * sessions-store.js the storage): tab and container events keep it true, a login just opened
 * is recorded, a click reuses its role's live session instead of signing in again, and Sign out
 * ends a role's sessions. Roles are named by their target key (login-targets.js): a profile
 * name, or a discovered role's list key. One thing at a time per role (`exclusive`), so two
 * quick clicks make one session.
 */
import { createKeyedLock } from './keyed-lock.js';
import {
  DEFAULT_JAR, applyTabUrl, classifyPage, liveSessions, newRecord, recordSignIn, removeJar,
  removeSession, removeTab, reusableSession, sessionKey, tabsByRecency, touch,
} from './sessions.js';
import { sessionSignOutUrl } from './multisession.js';
import { withWindow } from './console-tabs.js';
import { isOpenableUrl } from './urls.js';

/** How many tabs' latest facts are kept for logins not yet recorded. */
const RECENT_TABS_KEPT = 64;
/** How long a sign-out waits for the sign-out page to load before closing it. */
export const SIGN_OUT_WAIT_MS = 10_000;

/** The cookie jar of a tab: its Firefox container, else the browser profile's one jar. */
export function jarOfTab(tab) {
  const store = tab?.cookieStoreId;
  return typeof store === 'string' && store && store !== 'firefox-default' ? store : DEFAULT_JAR;
}

/**
 * `ext` the API object, `store` the registry's store, `tabs` console-tabs.js, `multiSession`
 * multisession-watch.js, `findLook(key)` a role's look (for the tab group of a reopened console).
 */
export function createLiveSessions({
  ext, store, tabs, multiSession, findLook, now = () => Date.now(),
}) {
  const exclusive = createKeyedLock();
  /**
   * What the background last saw of recent tabs, kept until the login that opened them is
   * recorded: a console tab can land (or be closed) before its record is written.
   */
  const recentTabs = new Map();

  function noteTab(tabId, facts) {
    recentTabs.delete(tabId);
    recentTabs.set(tabId, { ...recentTabs.get(tabId), ...facts });
    if (recentTabs.size > RECENT_TABS_KEPT) recentTabs.delete(recentTabs.keys().next().value);
  }

  /** Where the tab is, or is going: Chromium keeps a new tab's URL in pendingUrl until it loads. */
  function tabUrl(tab) {
    return tab.pendingUrl || tab.url || '';
  }

  async function openTabOrNull(id) {
    try {
      return await ext.tabs.get(id);
    } catch {
      return null; // closed meanwhile
    }
  }

  /**
   * Brings the tab forward; false when it was closed since it was looked up (the browser
   * refuses to update a closed tab), so that the next tab or a new one serves the click.
   */
  async function focused(tab, active) {
    try {
      await tabs.focusTab(tab, active);
      return true;
    } catch {
      return (await openTabOrNull(tab.id)) !== null;
    }
  }

  /** Resolves when the tab has loaded (or is gone, or after `ms`). */
  function tabLoaded(tabId, ms) {
    return new Promise((resolve) => {
      let timer = null;
      const done = () => {
        clearTimeout(timer);
        ext.tabs.onUpdated.removeListener(onUpdated);
        ext.tabs.onRemoved.removeListener(onRemoved);
        resolve();
      };
      const onUpdated = (id, changeInfo) => {
        if (id === tabId && changeInfo.status === 'complete') done();
      };
      const onRemoved = (id) => {
        if (id === tabId) done();
      };
      ext.tabs.onUpdated.addListener(onUpdated);
      ext.tabs.onRemoved.addListener(onRemoved);
      timer = setTimeout(done, ms);
    });
  }

  /**
   * Signs one session out through the console's sign-out endpoint, opened in a background tab
   * of the session's cookie jar (its container), then closes or reloads the session's tabs.
   */
  async function signOutRecord(record, settings) {
    const forget = () => store.update((current) => removeSession(current, record.profile, record.jar));
    if (!(await tabs.jarExists(record.jar)) || !isOpenableUrl(record.logoutUrl ?? '')) {
      await forget();
      return false;
    }
    // A multi-session jar refuses the global sign-out bounce; each session has its own.
    const url = record.multiSession ? sessionSignOutUrl(record) ?? record.logoutUrl : record.logoutUrl;
    const properties = { url, active: false };
    if (record.jar !== DEFAULT_JAR) properties.cookieStoreId = record.jar;
    const tab = await ext.tabs.create(properties);
    await tabLoaded(tab.id, SIGN_OUT_WAIT_MS);
    await ext.tabs.remove(tab.id).catch(() => undefined);
    await forget();
    for (const known of record.tabs) {
      const action = settings.signOutClosesTabs ? ext.tabs.remove(known.id) : ext.tabs.reload(known.id);
      await Promise.resolve(action).catch(() => undefined); // closed meanwhile
    }
    return true;
  }

  return {
    store,
    exclusive,

    /** tabs.onUpdated: a tab landing on its console, or a tab of a jar on a sign-in page. */
    onTabUpdated(tabId, changeInfo, tab) {
      const { url } = changeInfo;
      if (typeof url !== 'string') return;
      const facts = { url, windowId: tab?.windowId ?? null, jar: jarOfTab(tab) };
      noteTab(tabId, facts);
      store.update((registry) => applyTabUrl(registry, { tabId, ...facts, now: now() }))
        .then((registry) => {
          const record = Object.values(registry.sessions).find((known) => known.landed
            && known.tabs.some((owned) => owned.id === tabId));
          if (record) multiSession.noteLanded(record);
        })
        .catch(() => undefined);
    },

    onTabRemoved(tabId) {
      noteTab(tabId, { closed: true });
      store.update((registry) => removeTab(registry, tabId)).catch(() => undefined);
    },

    /** contextualIdentities.onRemoved: a deleted container takes its sessions along. */
    onContainerRemoved(changeInfo) {
      const jar = changeInfo?.contextualIdentity?.cookieStoreId;
      if (jar) store.update((registry) => removeJar(registry, jar)).catch(() => undefined);
    },

    /** Records a console just opened for a login reply (no URL of the reply is kept). */
    recordOpened(key, label, reply, opened) {
      const moment = now();
      const jar = opened.cookieStoreId ?? DEFAULT_JAR;
      const record = newRecord({
        profile: key,
        label: label === key ? null : label,
        jar,
        container: opened.container ?? null,
        reply,
        tab: opened.tabId != null ? { id: opened.tabId, windowId: opened.windowId } : null,
        now: moment,
        // The console may have refused this tab's sign-out bounce before this record existed.
        multiSession: opened.multiSession === true || multiSession.refusedBounce(opened.tabId),
      });
      return store.update((registry) => {
        let next = recordSignIn(registry, record, { multiSession: record.multiSession });
        const seen = recentTabs.get(opened.tabId);
        if (seen?.closed) next = removeTab(next, opened.tabId);
        else if (seen?.url) next = applyTabUrl(next, { tabId: opened.tabId, ...seen, jar, now: moment });
        return next;
      });
    },

    /**
     * Reuses the role's live console session instead of signing in again: focuses its most
     * recent tab, or opens its console (no token needed: the session cookie is in the jar).
     * Returns the opened facts, or null when there is nothing to reuse (sign in as usual).
     */
    async reuse(key, { active, windowId }) {
      const record = reusableSession(await store.read(), key, now());
      if (!record) return null;
      const recordKey = sessionKey(record.profile, record.jar);
      if (!(await tabs.jarExists(record.jar))) {
        await store.update((current) => removeJar(current, record.jar));
        return null;
      }
      const facts = { container: record.container, reused: true };
      if (record.jar !== DEFAULT_JAR) facts.cookieStoreId = record.jar;
      for (const known of tabsByRecency(record)) {
        const tab = await openTabOrNull(known.id);
        let page = tab ? classifyPage(tabUrl(tab), record) : 'gone';
        // The session's own tab on its sign-out bounce is on its way to the login.
        if (page === 'signing-out-to-login') page = 'login';
        if (page === 'signed-out') {
          await store.update((current) => removeSession(current, record.profile, record.jar));
          return null;
        }
        if ((page === 'console' || page === 'login') && await focused(tab, active)) {
          // Not awaited: the tab is in front, which is all the click waits for; the store runs
          // its updates in order, so the next read sees this one.
          store.update((current) => touch(current, recordKey, tab, now())).catch(() => undefined);
          return { ...facts, tabId: tab.id, windowId: tab.windowId ?? null };
        }
        await store.update((current) => removeTab(current, known.id));
      }
      if (!record.landed || !record.consoleUrl) return null;
      const properties = withWindow({ url: record.consoleUrl, active }, windowId);
      if (facts.cookieStoreId) properties.cookieStoreId = facts.cookieStoreId;
      let tab;
      try {
        tab = await ext.tabs.create(properties);
      } catch {
        return null; // the container went away between the check and now: sign in instead
      }
      if (!facts.cookieStoreId) await tabs.groupTab(tab, await findLook(key));
      await store.update((current) => touch(current, recordKey, tab, now()));
      return { ...facts, tabId: tab.id, windowId: tab.windowId ?? null };
    },

    /** The popup's "Sign out" of a live role: every session roleport knows for it. */
    signOut(key, settings) {
      return exclusive(key, async () => {
        const registry = await store.read();
        const records = Object.values(registry.sessions).filter((record) => record.profile === key);
        let signedOut = 0;
        for (const record of records) {
          if (await signOutRecord(record, settings)) signedOut += 1;
        }
        return { profile: key, signedOut };
      });
    },

    /** The popup's markers: {now, sessions} (sessions.js liveSessions). */
    async list() {
      const moment = now();
      return { now: moment, sessions: liveSessions(await store.read(), moment) };
    },
  };
}
