/**
 * Where a login opens: the role's container (Firefox), else a tab per the open mode (sign out
 * first / keep sessions / new window; urls.js) joined to a tab group named after the role
 * (Chromium), and focusing an existing console tab. The login URL goes only into tabs.create
 * / windows.create; what is returned are non-secret facts about the tab.
 */
import { ensureContainer } from './containers.js';
import { extensionError } from './errors.js';
import { createKeyedLock } from './keyed-lock.js';
import { DEFAULT_JAR } from './sessions.js';
import { containerName, tabGroupColor } from './style.js';
import { planOpening } from './urls.js';

/** Adds windowId only when known: some browsers reject an explicit undefined. */
export function withWindow(properties, windowId) {
  return windowId == null ? properties : { ...properties, windowId };
}

/** `ext` the API object; `multiSession` the watch of multisession-watch.js. */
export function createConsoleTabs({ ext, multiSession }) {
  const tabGroupLock = createKeyedLock();

  function containersAvailable(settings) {
    return settings.containersEnabled && typeof ext.contextualIdentities?.query === 'function';
  }

  /**
   * Whether the tab would open in a private window: the window given, else the current one,
   * where tabs.create puts a tab without windowId. Firefox refuses a container's cookieStoreId
   * there ("Illegal to set non-private cookieStoreId in a private window").
   */
  async function opensInPrivateWindow(windowId) {
    try {
      if (windowId != null && typeof ext.windows?.get === 'function') {
        return Boolean((await ext.windows.get(windowId))?.incognito);
      }
      if (typeof ext.windows?.getCurrent === 'function') {
        return Boolean((await ext.windows.getCurrent())?.incognito);
      }
    } catch {
      // Unknown window: tabs.create reports what goes wrong.
    }
    return false;
  }

  async function groupTabNow(tab, profile, style) {
    try {
      // The account's colour, as on the popup's bar and the Firefox container.
      const color = tabGroupColor(style.color);
      const [existing] = await ext.tabGroups.query({ title: profile.name, windowId: tab.windowId });
      if (existing) {
        await ext.tabs.group({ groupId: existing.id, tabIds: [tab.id] });
        if (style.explicitColor && existing.color !== color) {
          await ext.tabGroups.update(existing.id, { color });
        }
        return;
      }
      const groupId = await ext.tabs.group({
        tabIds: [tab.id], createProperties: { windowId: tab.windowId },
      });
      await ext.tabGroups.update(groupId, { title: profile.name, color, collapsed: false });
    } catch {
      // Grouping is a convenience: the console tab is open, which is what matters.
    }
  }

  /**
   * Puts the tab into a tab group named after the role (Chromium; best effort), one at a time
   * per window and role so that quick clicks join one group instead of making two.
   */
  function groupTab(tab, { profile, style }) {
    if (typeof ext.tabs.group !== 'function' || typeof ext.tabGroups?.query !== 'function') return null;
    return tabGroupLock(`${tab.windowId}\n${profile.name}`, () => groupTabNow(tab, profile, style));
  }

  async function openInContainer(login, { profile, style }, settings, { active, windowId }) {
    if (await opensInPrivateWindow(windowId)) {
      throw extensionError('privateWindowContainers', { profile: profile.name });
    }
    const configured = login.container ?? profile.container;
    const name = containerName(profile.name, { prefix: settings.containerPrefix, configured });
    let cookieStoreId;
    try {
      cookieStoreId = await ensureContainer(ext.contextualIdentities, name, style);
    } catch {
      // Containers switched off in Firefox's settings: the plain modes open it.
      return null;
    }
    // A container of its own holds only this role's session; one named in the config
    // (roleport_container) may be shared by several profiles, and the console refuses a
    // login over another identity's session there, so sign out first unless asked not to.
    const shared = typeof configured === 'string' && configured.trim() !== '';
    const mode = shared && settings.openMode !== 'keep-sessions' ? 'signout-first' : 'keep-sessions';
    const { url } = planOpening(mode, login.url, login.logout_url);
    const tab = await ext.tabs.create(withWindow({ url, cookieStoreId, active }, windowId));
    return { tabId: tab.id, windowId: tab.windowId ?? null, container: name, cookieStoreId };
  }

  return {
    containersAvailable,
    groupTab,

    /**
     * Opens a login reply for `look` ({profile, style}: login-targets.js) in its container
     * (Firefox), else per the open mode. Returns {tabId, windowId, container, cookieStoreId?,
     * multiSession?}.
     */
    async openConsole(login, look, settings, { active, windowId }) {
      if (containersAvailable(settings)) {
        const opened = await openInContainer(login, look, settings, { active, windowId });
        if (opened) return opened;
      }
      let mode = settings.openMode;
      let multiSessionOn = mode === 'keep-sessions';
      if (mode === 'automatic') {
        multiSessionOn = await multiSession.optedIn();
        mode = multiSessionOn ? 'keep-sessions' : 'signout-first';
      }
      const { url, newWindow } = planOpening(mode, login.url, login.logout_url);
      const watchBounce = url !== login.url && settings.openMode === 'automatic';
      if (newWindow) {
        const window = await ext.windows.create({ url, focused: active });
        const tabId = window.tabs?.[0]?.id ?? null;
        if (watchBounce) multiSession.watchBounce(tabId);
        return {
          tabId, windowId: window.id, container: null, multiSession: multiSessionOn,
        };
      }
      const tab = await ext.tabs.create(withWindow({ url, active }, windowId));
      if (watchBounce) multiSession.watchBounce(tab.id);
      await groupTab(tab, look);
      return {
        tabId: tab.id, windowId: tab.windowId ?? null, container: null, multiSession: multiSessionOn,
      };
    },

    /** Brings the tab (and its window) to the front, unless the click opens in the background. */
    async focusTab(tab, active) {
      if (!active) return;
      await ext.tabs.update(tab.id, { active: true });
      if (tab.windowId != null && typeof ext.windows?.update === 'function') {
        await ext.windows.update(tab.windowId, { focused: true });
      }
    },

    /** Whether the cookie jar still exists (a Firefox container the user may have deleted). */
    async jarExists(jar) {
      if (jar === DEFAULT_JAR || typeof ext.contextualIdentities?.get !== 'function') return true;
      try {
        return Boolean(await ext.contextualIdentities.get(jar));
      } catch {
        return false; // deleted by the user
      }
    },
  };
}
