/**
 * The only part of roleport that talks to the native host. Popup and options pages send
 * runtime messages {type, ...}; replies are {ok: true, result} or {ok: false, error}.
 * The login URL never leaves this file except into tabs.create / windows.create.
 */
import { ext } from './lib/browser.js';
import { ensureContainer } from './lib/containers.js';
import {
  HostError, errorFields, extensionError, toErrorPayload,
} from './lib/errors.js';
import { fetchAllPages, pushRecent, rowsToProfiles } from './lib/profiles.js';
import { createKeyedLock } from './lib/keyed-lock.js';
import { helloProblem } from './lib/protocol.js';
import { NativeClient } from './lib/rpc.js';
import { isMfaCode } from './lib/rules.js';
import { createSsoHandlers } from './lib/sso.js';
import {
  STORAGE_KEYS, loginParams, normalizeSettings,
} from './lib/settings.js';
import { containerName, containerStyle, tabGroupColor } from './lib/style.js';
import { OpeningError, planOpening } from './lib/urls.js';

const HOST_NAME = 'roleport';
// A little above the host's own deadlines (PROTOCOL.md: 5 s, 15 s, 30 s) so the host's precise
// timeout error normally arrives first.
const TIMEOUTS_MS = { hello: 10_000, profiles: 20_000, login: 40_000 };

const client = new NativeClient({
  connect: () => ext.runtime.connectNative(HOST_NAME),
  // Firefox puts the reason on port.error; Chrome on runtime.lastError, which must be read in
  // the listener anyway to avoid an "unchecked lastError" warning.
  disconnectReason: (port) => port.error?.message ?? ext.runtime.lastError?.message,
  extensionId: ext.runtime.id,
  keepAlive: true,
  // Every new host process is judged once, by its hello, before anything else is sent to it:
  // a host of another protocol, or one without an action the extension sends, fails every
  // request with host_incompatible (protocol.js) instead of half-working. The hello also
  // starts the host's warm-up (botocore, STS client, HTTP sessions; PROTOCOL.md "hello").
  handshake: async (send) => {
    const hello = await send('hello', {}, { timeoutMs: TIMEOUTS_MS.hello });
    const problem = helloProblem(hello);
    if (problem) throw problem;
    return hello;
  },
});

async function readSettings() {
  const stored = await ext.storage.local.get(STORAGE_KEYS.settings);
  return normalizeSettings(stored[STORAGE_KEYS.settings]);
}

let profilesInFlight = null;

/** Fetches the profile table from the host (one request at a time) and caches it. */
function fetchProfiles() {
  profilesInFlight ??= (async () => {
    try {
      const table = await fetchAllPages((offset) => client.request(
        'profiles', offset ? { offset } : {}, { timeoutMs: TIMEOUTS_MS.profiles },
      ));
      const cache = {
        columns: table.columns,
        rows: table.rows,
        generation: table.generation ?? null,
        config_file: table.config_file ?? null,
        fetched_at: Date.now(),
      };
      await ext.storage.local.set({ [STORAGE_KEYS.profiles]: cache });
      return cache;
    } finally {
      profilesInFlight = null;
    }
  })();
  return profilesInFlight;
}

async function findProfile(name) {
  const stored = await ext.storage.local.get(STORAGE_KEYS.profiles);
  return rowsToProfiles(stored[STORAGE_KEYS.profiles]).find((profile) => profile.name === name)
    ?? { name };
}

function containersAvailable(settings) {
  return settings.containersEnabled && typeof ext.contextualIdentities?.query === 'function';
}

const tabGroupLock = createKeyedLock();

/**
 * Puts the tab into a tab group named after the profile (Chromium; best effort), one at a time
 * per window and profile so that quick clicks join one group instead of making two.
 */
function groupTab(tab, profile) {
  if (typeof ext.tabs.group !== 'function' || typeof ext.tabGroups?.query !== 'function') return null;
  return tabGroupLock(`${tab.windowId}\n${profile.name}`, () => groupTabNow(tab, profile));
}

async function groupTabNow(tab, profile) {
  try {
    const [existing] = await ext.tabGroups.query({ title: profile.name, windowId: tab.windowId });
    if (existing) {
      await ext.tabs.group({ groupId: existing.id, tabIds: [tab.id] });
      return;
    }
    const groupId = await ext.tabs.group({
      tabIds: [tab.id], createProperties: { windowId: tab.windowId },
    });
    const color = tabGroupColor(containerStyle(profile).color);
    await ext.tabGroups.update(groupId, { title: profile.name, color, collapsed: false });
  } catch {
    // Grouping is a convenience: the console tab is open, which is what matters.
  }
}

/** Adds windowId only when known: some browsers reject an explicit undefined. */
function withWindow(properties, windowId) {
  return windowId == null ? properties : { ...properties, windowId };
}

/**
 * Opens a login reply: in the profile's container on Firefox, else per the open mode
 * (sign out first / keep sessions / new window). Returns non-secret facts about the tab.
 */
async function openConsole(login, profile, settings, { active, windowId }) {
  if (containersAvailable(settings)) {
    const configured = login.container ?? profile.container;
    const name = containerName(profile.name, { prefix: settings.containerPrefix, configured });
    let cookieStoreId = null;
    try {
      cookieStoreId = await ensureContainer(ext.contextualIdentities, name, containerStyle(profile));
    } catch {
      // Containers switched off in Firefox's settings: fall through to the plain modes below.
    }
    if (cookieStoreId) {
      // A container of its own holds only this profile's session; one named in the config
      // (roleport_container) may be shared by several profiles, and the console refuses a
      // login over another identity's session there, so sign out first unless asked not to.
      const shared = typeof configured === 'string' && configured.trim() !== '';
      const mode = shared && settings.openMode !== 'keep-sessions' ? 'signout-first' : 'keep-sessions';
      const { url } = planOpening(mode, login.url, login.logout_url);
      const tab = await ext.tabs.create(withWindow({ url, cookieStoreId, active }, windowId));
      return { tabId: tab.id, container: name, cookieStoreId };
    }
  }
  const { url, newWindow } = planOpening(settings.openMode, login.url, login.logout_url);
  if (newWindow) {
    const window = await ext.windows.create({ url, focused: active });
    return { tabId: window.tabs?.[0]?.id ?? null, windowId: window.id, container: null };
  }
  const tab = await ext.tabs.create(withWindow({ url, active }, windowId));
  await groupTab(tab, profile);
  return { tabId: tab.id, container: null };
}

const storageLock = createKeyedLock();

/** Read-modify-write, one at a time: quick Shift+Enter opens would otherwise drop entries. */
function rememberRecent(name) {
  return storageLock(STORAGE_KEYS.recent, async () => {
    const stored = await ext.storage.local.get(STORAGE_KEYS.recent);
    await ext.storage.local.set({ [STORAGE_KEYS.recent]: pushRecent(stored[STORAGE_KEYS.recent], name) });
  });
}

async function login(message, sender) {
  if (typeof message.profile !== 'string' || !message.profile) throw extensionError('noProfile');
  // The host answers a malformed code with invalid_request (PROTOCOL.md, login params);
  // mfa_invalid is AWS refusing a well-formed one.
  if (message.mfa_code != null && !isMfaCode(message.mfa_code)) {
    throw extensionError('mfaCodeMalformed', {}, { profile: message.profile });
  }
  const settings = await readSettings();
  const params = loginParams(message.profile, settings, message.mfa_code ?? null);
  const reply = await client.request('login', params, { timeoutMs: TIMEOUTS_MS.login });
  const profile = await findProfile(message.profile);
  let opened;
  try {
    opened = await openConsole(reply, profile, settings, {
      active: message.background !== true,
      // A popup opened as a normal tab (tests) opens the console next to itself.
      windowId: sender.tab?.windowId,
    });
  } catch (error) {
    // Browser errors may quote the URL (Firefox: "Illegal URL: ..."), which is a credential:
    // report a fixed text instead of theirs.
    const fields = error instanceof OpeningError ? error.toJSON() : errorFields('tabRefused');
    throw new HostError({ ...fields, profile: message.profile });
  }
  await rememberRecent(message.profile);
  return {
    profile: message.profile,
    expires_at: reply.expires_at ?? null,
    identity: reply.identity ?? null,
    ...opened,
  };
}

const HANDLERS = {
  // The options page's "Test connection": a fresh hello, sent only once the port's own check
  // passed, so a host this extension cannot use answers with that check's host_incompatible.
  hello: () => client.request('hello', {}, { timeoutMs: TIMEOUTS_MS.hello }),
  profiles: () => fetchProfiles(),
  login,
  // IAM Identity Center: sign-in, discovered roles, opening one (lib/sso.js).
  ...createSsoHandlers({
    client, ext, openConsole, readSettings, rememberRecent,
  }),
};

/** Only this extension's own pages may drive the host (not content scripts, not other add-ons). */
function isTrustedSender(sender) {
  if (!sender || sender.id !== ext.runtime.id) return false;
  const base = ext.runtime.getURL('');
  return typeof sender.url === 'string' && sender.url.startsWith(base);
}

ext.runtime.onMessage.addListener((message, sender, sendResponse) => {
  // Own keys only: "constructor" or "toString" must not reach Object.prototype's functions.
  const handler = Object.hasOwn(HANDLERS, message?.type ?? '') ? HANDLERS[message.type] : null;
  if (!handler) return false;
  if (!isTrustedSender(sender)) {
    sendResponse({ ok: false, error: errorFields('forbiddenCaller') });
    return false;
  }
  Promise.resolve()
    .then(() => handler(message, sender))
    .then(
      (result) => sendResponse({ ok: true, result }),
      (error) => sendResponse({ ok: false, error: toErrorPayload(error) }),
    );
  return true; // The reply is sent asynchronously.
});
