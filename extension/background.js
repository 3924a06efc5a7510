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
import { buildIndex } from './lib/fuzzy.js';
import {
  chooseProfile, defaultSuggestion, omniboxSuggestions, opensInBackground,
} from './lib/omnibox.js';
import {
  fetchAllPages, parseStoredTable, pushRecent, rowsToProfiles, storedTable,
} from './lib/profiles.js';
import { createKeyedLock } from './lib/keyed-lock.js';
import { helloProblem } from './lib/protocol.js';
import { knownRegions } from './lib/regions.js';
import { NativeClient } from './lib/rpc.js';
import { isMfaCode } from './lib/rules.js';
import { createSsoHandlers } from './lib/sso.js';
import {
  STORAGE_KEYS, loginParams, normalizeSettings,
} from './lib/settings.js';
import { accountKey } from './lib/grouping.js';
import {
  accountColors, containerName, containerStyle, tabGroupColor,
} from './lib/style.js';
import { OpeningError, isOpenableUrl, planOpening } from './lib/urls.js';
import {
  DEFAULT_JAR, applyTabUrl, classifyPage, isLive, isReusable, liveSessions, markMultiSession,
  newRecord, recordSignIn, removeJar,
  removeSession, removeTab, reusableSession, sessionKey, tabsByRecency, touch,
} from './lib/sessions.js';
import { createSessionStore } from './lib/sessions-store.js';
import {
  bounceTarget, sessionDifferentiator, sessionLimitProblem, sessionSignOutUrl,
} from './lib/multisession.js';

const HOST_NAME = 'roleport';
// A little above the host's own deadlines (PROTOCOL.md: 5 s, 15 s, 30 s, 10 s) so the host's precise
// timeout error normally arrives first.
const TIMEOUTS_MS = {
  hello: 10_000, profiles: 20_000, login: 40_000, regions: 15_000,
};

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
      await ext.storage.local.set({ [STORAGE_KEYS.profiles]: storedTable(cache) });
      return cache;
    } finally {
      profilesInFlight = null;
    }
  })();
  return profilesInFlight;
}

/** The profile as last listed, and its look: the colour of its account (lib/style.js). */
async function findProfile(name) {
  const stored = await ext.storage.local.get(STORAGE_KEYS.profiles);
  const profiles = rowsToProfiles(parseStoredTable(stored[STORAGE_KEYS.profiles]));
  const profile = profiles.find((candidate) => candidate.name === name) ?? { name };
  const sameAccount = profiles.filter((candidate) => accountKey(candidate) === accountKey(profile));
  return { profile, style: containerStyle(profile, accountColors(sameAccount)) };
}

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
    // Unknown window: tabs.create below reports what goes wrong.
  }
  return false;
}

const tabGroupLock = createKeyedLock();

/**
 * Puts the tab into a tab group named after the profile (Chromium; best effort), one at a time
 * per window and profile so that quick clicks join one group instead of making two.
 */
function groupTab(tab, profile, style) {
  if (typeof ext.tabs.group !== 'function' || typeof ext.tabGroups?.query !== 'function') return null;
  return tabGroupLock(`${tab.windowId}\n${profile.name}`, () => groupTabNow(tab, profile, style));
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

/** Adds windowId only when known: some browsers reject an explicit undefined. */
function withWindow(properties, windowId) {
  return windowId == null ? properties : { ...properties, windowId };
}

/**
 * Opens a login reply: in the profile's container on Firefox, else per the open mode
 * (sign out first / keep sessions / new window). Returns non-secret facts about the tab.
 */
async function openConsole(login, { profile, style }, settings, { active, windowId }) {
  if (containersAvailable(settings)) {
    if (await opensInPrivateWindow(windowId)) {
      throw extensionError('privateWindowContainers', { profile: profile.name });
    }
    const configured = login.container ?? profile.container;
    const name = containerName(profile.name, { prefix: settings.containerPrefix, configured });
    let cookieStoreId = null;
    try {
      cookieStoreId = await ensureContainer(ext.contextualIdentities, name, style);
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
      return { tabId: tab.id, windowId: tab.windowId ?? null, container: name, cookieStoreId };
    }
  }
  let mode = settings.openMode;
  let multiSession = mode === 'keep-sessions';
  if (mode === 'automatic') {
    multiSession = await multiSessionOptedIn();
    mode = multiSession ? 'keep-sessions' : 'signout-first';
  }
  const { url, newWindow } = planOpening(mode, login.url, login.logout_url);
  const bounced = url !== login.url;
  if (newWindow) {
    const window = await ext.windows.create({ url, focused: active });
    const tabId = window.tabs?.[0]?.id ?? null;
    if (bounced && settings.openMode === 'automatic' && tabId != null) bouncingTabs.add(tabId);
    return { tabId, windowId: window.id, container: null, multiSession };
  }
  const tab = await ext.tabs.create(withWindow({ url, active }, windowId));
  if (bounced && settings.openMode === 'automatic') bouncingTabs.add(tab.id);
  await groupTab(tab, profile, style);
  return { tabId: tab.id, windowId: tab.windowId ?? null, container: null, multiSession };
}

const MULTI_SESSION_KEY = 'multiSessionSeen';
/** Tabs opened through the sign-out bounce in automatic mode, until they leave it. */
const bouncingTabs = new Set();

/**
 * Has this browser profile turned on the console's multi-session support? Remembered from the
 * last sign-in that showed it, or a tab on a per-session console host now (lib/multisession.js).
 */
async function multiSessionOptedIn() {
  try {
    const tabs = await ext.tabs.query({});
    if (tabs.some((tab) => sessionDifferentiator(tab.url ?? '') !== null)) return true;
  } catch {
    // No tabs to look at: the remembered answer decides.
  }
  const stored = await ext.storage.local.get(MULTI_SESSION_KEY);
  return stored[MULTI_SESSION_KEY] === true;
}

function rememberMultiSession(seen) {
  ext.storage.local.set({ [MULTI_SESSION_KEY]: seen }).catch(() => undefined);
}

/**
 * A sign-out bounce that loaded instead of redirecting was refused (HTTP 400: the console's
 * multi-session support is on): open its login URL directly and remember multi-session.
 */
function retryRefusedBounce(tabId, tab) {
  if (!bouncingTabs.has(tabId)) return;
  bouncingTabs.delete(tabId);
  const target = bounceTarget(tab?.url ?? '');
  if (!target || !isOpenableUrl(target)) return;
  rememberMultiSession(true);
  sessionStore.update((registry) => markMultiSession(registry, tabId)).catch(() => undefined);
  ext.tabs.update(tabId, { url: target }).catch(() => undefined);
}

// -- the registry of live console sessions (lib/sessions.js) ---------------------------------

const sessionStore = createSessionStore(ext.storage.session ?? null);
const profileLock = createKeyedLock();

/**
 * What the background last saw of recent tabs, kept until the login that opened them is
 * recorded: a console tab can land (or be closed) before its record is written.
 */
const recentTabs = new Map();
const RECENT_TABS_KEPT = 64;

function noteTab(tabId, facts) {
  recentTabs.delete(tabId);
  recentTabs.set(tabId, { ...recentTabs.get(tabId), ...facts });
  if (recentTabs.size > RECENT_TABS_KEPT) recentTabs.delete(recentTabs.keys().next().value);
}

/** The cookie jar of a tab: its Firefox container, else the browser profile's one jar. */
function jarOfTab(tab) {
  const store = tab?.cookieStoreId;
  return typeof store === 'string' && store && store !== 'firefox-default' ? store : DEFAULT_JAR;
}

function trackTabUrl(tabId, url, tab) {
  if (typeof url !== 'string') return;
  const facts = { url, windowId: tab?.windowId ?? null, jar: jarOfTab(tab) };
  noteTab(tabId, facts);
  sessionStore.update((registry) => applyTabUrl(registry, { tabId, ...facts, now: Date.now() }))
    .then((registry) => {
      // A console landing on a per-session host shows multi-session is on; one of roleport's
      // multi-session sign-ins landing on a plain console shows it was turned off.
      const record = Object.values(registry.sessions).find((known) => known.landed
        && known.tabs.some((owned) => owned.id === tabId));
      if (!record || facts.jar !== DEFAULT_JAR) return;
      if (record.differentiator) rememberMultiSession(true);
      else if (record.multiSession) rememberMultiSession(false);
    })
    .catch(() => undefined);
}

ext.tabs.onUpdated?.addListener((tabId, changeInfo, tab) => {
  if (changeInfo.url) trackTabUrl(tabId, changeInfo.url, tab);
  if (changeInfo.url && !bounceTarget(changeInfo.url)) bouncingTabs.delete(tabId);
  if (changeInfo.status === 'complete') retryRefusedBounce(tabId, tab);
});

ext.tabs.onRemoved?.addListener((tabId) => {
  noteTab(tabId, { closed: true });
  bouncingTabs.delete(tabId);
  sessionStore.update((registry) => removeTab(registry, tabId)).catch(() => undefined);
});

ext.contextualIdentities?.onRemoved?.addListener((changeInfo) => {
  const jar = changeInfo?.contextualIdentity?.cookieStoreId;
  if (jar) sessionStore.update((registry) => removeJar(registry, jar)).catch(() => undefined);
});

/** Records a console just opened for a login reply (no URL of the reply is kept). */
function recordOpened(profileName, reply, opened) {
  const now = Date.now();
  const jar = opened.cookieStoreId ?? DEFAULT_JAR;
  const record = newRecord({
    profile: profileName,
    jar,
    container: opened.container ?? null,
    reply,
    tab: opened.tabId != null ? { id: opened.tabId, windowId: opened.windowId } : null,
    now,
    multiSession: opened.multiSession === true,
  });
  return sessionStore.update((registry) => {
    let next = recordSignIn(registry, record, { multiSession: record.multiSession });
    const seen = recentTabs.get(opened.tabId);
    if (seen?.closed) next = removeTab(next, opened.tabId);
    else if (seen?.url) next = applyTabUrl(next, { tabId: opened.tabId, ...seen, jar, now });
    return next;
  });
}

async function openTabOrNull(id) {
  try {
    return await ext.tabs.get(id);
  } catch {
    return null; // closed meanwhile
  }
}

async function focusTab(tab, active) {
  if (!active) return;
  await ext.tabs.update(tab.id, { active: true });
  if (tab.windowId != null && typeof ext.windows?.update === 'function') {
    await ext.windows.update(tab.windowId, { focused: true });
  }
}

async function containerExists(jar) {
  if (jar === DEFAULT_JAR || typeof ext.contextualIdentities?.get !== 'function') return true;
  try {
    return Boolean(await ext.contextualIdentities.get(jar));
  } catch {
    return false; // deleted by the user
  }
}

/**
 * Reuses the profile's live console session instead of signing in again: focuses its most
 * recent tab, or opens its console (no token needed: the session cookie is in the jar).
 * Returns the opened facts, or null when there is nothing to reuse (sign in as usual).
 */
async function reuseSession(profileName, { active, windowId }) {
  const registry = await sessionStore.read();
  const record = reusableSession(registry, profileName, Date.now());
  if (!record) return null;
  const key = sessionKey(record.profile, record.jar);
  if (!(await containerExists(record.jar))) {
    await sessionStore.update((current) => removeJar(current, record.jar));
    return null;
  }
  const facts = { container: record.container, reused: true };
  if (record.jar !== DEFAULT_JAR) facts.cookieStoreId = record.jar;
  for (const known of tabsByRecency(record)) {
    const tab = await openTabOrNull(known.id);
    const page = tab ? classifyPage(tab.url ?? '', record) : 'gone';
    if (page === 'signed-out') {
      await sessionStore.update((current) => removeSession(current, record.profile, record.jar));
      return null;
    }
    if (page === 'console' || page === 'login') {
      await focusTab(tab, active);
      // Not awaited: the tab is in front, which is all the click waits for; the store runs
      // its updates in order, so the next read sees this one.
      sessionStore.update((current) => touch(current, key, tab, Date.now())).catch(() => undefined);
      return { ...facts, tabId: tab.id, windowId: tab.windowId ?? null };
    }
    await sessionStore.update((current) => removeTab(current, known.id));
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
  if (!facts.cookieStoreId) {
    const { profile, style } = await findProfile(profileName);
    await groupTab(tab, profile, style);
  }
  await sessionStore.update((current) => touch(current, key, tab, Date.now()));
  return { ...facts, tabId: tab.id, windowId: tab.windowId ?? null };
}

const SIGN_OUT_WAIT_MS = 10_000;

/** Resolves when the tab has loaded (or is gone, or after `ms`): the sign-out has happened. */
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
  const forget = () => sessionStore.update((current) => removeSession(current, record.profile, record.jar));
  if (!(await containerExists(record.jar)) || !isOpenableUrl(record.logoutUrl ?? '')) {
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

/** The popup's "Sign out" of a live role: every session roleport knows for the profile. */
async function signOut(message) {
  if (typeof message.profile !== 'string' || !message.profile) throw extensionError('noProfile');
  return profileLock(message.profile, async () => {
    const registry = await sessionStore.read();
    const records = Object.values(registry.sessions)
      .filter((record) => record.profile === message.profile);
    const settings = await readSettings();
    let signedOut = 0;
    for (const record of records) {
      if (await signOutRecord(record, settings)) signedOut += 1;
    }
    return { profile: message.profile, signedOut };
  });
}

/**
 * A sixth identity in a multi-session browser profile would meet AWS's "session limit reached"
 * page: say so before signing in (error session_limit, naming the least recently used session
 * roleport opened), unless the popup asked to open anyway.
 */
async function checkSessionLimit(profileName, settings) {
  if (containersAvailable(settings) || !['automatic', 'keep-sessions'].includes(settings.openMode)) return;
  const registry = await sessionStore.read();
  const now = Date.now();
  // A session still landing counts: it is a session a moment later.
  const records = Object.values(registry.sessions).filter((record) => record.jar === DEFAULT_JAR
    && (isLive(record, now) || isReusable(record, now)));
  const problem = sessionLimitProblem(records, await findProfile(profileName));
  if (problem) {
    throw extensionError('sessionLimit', { count: String(problem.count) }, {
      profile: profileName, lru_profile: problem.leastRecent.profile,
    });
  }
}

async function listSessions() {
  const now = Date.now();
  return { now, sessions: liveSessions(await sessionStore.read(), now) };
}

const storageLock = createKeyedLock();

/** Read-modify-write, one at a time: quick Shift+Enter opens would otherwise drop entries. */
function rememberRecent(name) {
  return storageLock(STORAGE_KEYS.recent, async () => {
    const stored = await ext.storage.local.get(STORAGE_KEYS.recent);
    await ext.storage.local.set({ [STORAGE_KEYS.recent]: pushRecent(stored[STORAGE_KEYS.recent], name) });
  });
}

/**
 * The one login path (popup click, omnibox Enter): asks the host for a login URL and opens it
 * per the settings (container, tab group, open mode). `windowId` is where the tab goes (the
 * browser's current window when null).
 */
async function openProfile({
  profile: name, mfaCode = null, background = false, windowId = null,
  fresh = false, destination = null, sessionLimit = null,
}) {
  if (typeof name !== 'string' || !name) throw extensionError('noProfile');
  // The host answers a malformed code with invalid_request (PROTOCOL.md, login params);
  // mfa_invalid is AWS refusing a well-formed one.
  if (mfaCode != null && !isMfaCode(mfaCode)) {
    throw extensionError('mfaCodeMalformed', {}, { profile: name });
  }
  if (destination != null && (typeof destination !== 'string'
      || !destination || destination.length > 2048)) {
    throw extensionError('badDestination', {}, { profile: name });
  }
  const request = {
    name, mfaCode, fresh: fresh === true, destination, sessionLimit,
  };
  const target = { active: background !== true, windowId };
  // One click at a time per profile: a second quick click finds the first one's session.
  return profileLock(name, () => loginNow(request, target));
}

async function loginNow(request, target) {
  const { name } = request;
  // A live session is reused unless the user asked for a fresh sign-in (Alt+click) or another
  // page ("Open this page as another role": the host checks that Destination).
  if (!request.fresh && request.mfaCode == null && request.destination == null) {
    const reused = await reuseSession(name, target);
    if (reused) {
      rememberRecent(name).catch(() => undefined);
      return { profile: name, expires_at: null, identity: null, ...reused };
    }
  }
  const settings = await readSettings();
  if (containersAvailable(settings)) return signInAndOpen(request, settings, target);
  // One browser-profile jar: sign-ins of different roles one at a time, so that the session
  // limit is judged with every earlier sign-in recorded.
  return jarLock(DEFAULT_JAR, async () => {
    if (request.sessionLimit !== 'open-anyway') await checkSessionLimit(name, settings);
    return signInAndOpen(request, settings, target);
  });
}

const jarLock = createKeyedLock();

async function signInAndOpen(request, settings, target) {
  const { name } = request;
  const params = loginParams(name, settings, request.mfaCode ?? null);
  if (request.destination) params.destination = request.destination;
  const reply = await client.request('login', params, { timeoutMs: TIMEOUTS_MS.login });
  const profile = await findProfile(name);
  let opened;
  try {
    opened = await openConsole(reply, profile, settings, target);
  } catch (error) {
    // Browser errors may quote the URL (Firefox: "Illegal URL: ..."), which is a credential:
    // report a fixed text instead of theirs.
    const ours = error instanceof OpeningError || error instanceof HostError;
    const fields = ours ? error.toJSON() : errorFields('tabRefused');
    throw new HostError({ ...fields, profile: name });
  }
  await recordOpened(name, reply, opened);
  await rememberRecent(name);
  return {
    profile: name,
    expires_at: reply.expires_at ?? null,
    session_expires_at: reply.session_expires_at ?? null,
    identity: reply.identity ?? null,
    ...opened,
  };
}

let regionsKnown = null;

/** botocore's regions from the host, asked once per background (they change with botocore). */
function fetchRegions() {
  regionsKnown ??= knownRegions((action, params) => client.request(
    action, params, { timeoutMs: TIMEOUTS_MS.regions },
  )).catch((error) => {
    regionsKnown = null;
    throw error;
  });
  return regionsKnown.then((regions) => ({ regions }));
}

function login(message, sender) {
  return openProfile({
    profile: message.profile,
    mfaCode: message.mfa_code ?? null,
    background: message.background === true,
    fresh: message.fresh === true,
    destination: message.destination ?? null,
    sessionLimit: message.sessionLimit ?? null,
    // A popup opened as a normal tab (tests) opens the console next to itself.
    windowId: sender.tab?.windowId,
  });
}

// ---------------------------------------------------------------------------------------------
// First run: the welcome page (extension/welcome.html) checks the host and says how to install it.

const WELCOME_PATH = 'extension/welcome.html';

/** Opens the welcome page, or focuses it when it is already open. */
async function openWelcome() {
  const url = ext.runtime.getURL(WELCOME_PATH);
  // Filtered here: match patterns cannot name extension pages in every browser.
  const open = (await ext.tabs.query({})).find((tab) => tab.url?.split(/[?#]/)[0] === url);
  if (open) {
    await ext.tabs.update(open.id, { active: true });
    await ext.windows.update(open.windowId, { focused: true });
    return { tabId: open.id };
  }
  const tab = await ext.tabs.create({ url });
  return { tabId: tab.id };
}

/** Whether the host can serve this extension; a fresh hello, as the options page's test. */
async function hostUsable() {
  try {
    await client.request('hello', {}, { timeoutMs: TIMEOUTS_MS.hello });
    return true;
  } catch (error) {
    const code = error?.code;
    return !['host_not_installed', 'host_incompatible', 'host_forbidden'].includes(code);
  }
}

ext.runtime.onInstalled.addListener(({ reason }) => {
  // A new install has no host yet as far as the user knows: always greet. An update of the
  // extension may need a newer host: greet only when the host cannot serve this version.
  if (reason === 'install') {
    openWelcome().catch(() => {});
  } else if (reason === 'update') {
    hostUsable().then((usable) => (usable ? null : openWelcome())).catch(() => {});
  }
});

// ---------------------------------------------------------------------------------------------
// The `aws` keyword in the address bar (manifest "omnibox"), ranked like the popup.

// Chromium parses suggestion descriptions as XML; Firefox shows them as plain text.
const OMNIBOX_MARKUP = typeof ext.runtime.getBrowserInfo !== 'function';
let omniboxIndex = { fetchedAt: null, entries: [] };

/** The search index of the cached profile list (fetched from the host when nothing is cached). */
async function omniboxState() {
  const stored = await ext.storage.local.get([
    STORAGE_KEYS.profiles, STORAGE_KEYS.favourites, STORAGE_KEYS.recent,
  ]);
  let table = parseStoredTable(stored[STORAGE_KEYS.profiles]);
  if (!table) table = await fetchProfiles();
  if (omniboxIndex.fetchedAt !== table.fetched_at || omniboxIndex.entries.length === 0) {
    omniboxIndex = { fetchedAt: table.fetched_at, entries: buildIndex(rowsToProfiles(table)) };
  }
  return {
    index: omniboxIndex.entries,
    favourites: Array.isArray(stored[STORAGE_KEYS.favourites]) ? stored[STORAGE_KEYS.favourites] : [],
    recent: Array.isArray(stored[STORAGE_KEYS.recent]) ? stored[STORAGE_KEYS.recent] : [],
  };
}

/** What the dropdown shows for `text`: {suggestions, defaultSuggestion}. */
async function omniboxSuggest(text) {
  const { index, favourites, recent } = await omniboxState();
  const options = { favourites, recent, markup: OMNIBOX_MARKUP };
  return {
    suggestions: omniboxSuggestions(index, text, options),
    defaultSuggestion: defaultSuggestion(index, text, options),
  };
}

/**
 * Enter in the address bar: opens the chosen (or best matching) profile through the popup's
 * login path. A failure the user must act on opens the place that shows it: the welcome page
 * for a missing or outdated host, the popup (where MFA codes are typed) for the rest.
 */
async function omniboxEnter(text, disposition) {
  const { index, favourites, recent } = await omniboxState();
  const profile = chooseProfile(index, text, { favourites, recent });
  if (!profile) return { profile: null };
  try {
    return await openProfile({ profile: profile.name, background: opensInBackground(disposition) });
  } catch (error) {
    if (['host_not_installed', 'host_incompatible', 'host_forbidden'].includes(error?.code)) {
      await openWelcome().catch(() => {});
    } else if (typeof ext.action?.openPopup === 'function') {
      await ext.action.openPopup().catch(() => {});
    }
    throw error;
  }
}

if (ext.omnibox) {
  ext.omnibox.onInputStarted.addListener(() => {
    // Picks up config edits made since the list was cached; the suggestions use the cache.
    fetchProfiles().catch(() => {});
  });
  ext.omnibox.onInputChanged.addListener((text, suggest) => {
    omniboxSuggest(text).then(({ suggestions, defaultSuggestion: first }) => {
      ext.omnibox.setDefaultSuggestion(first);
      suggest(suggestions);
    }, () => suggest([]));
  });
  ext.omnibox.onInputEntered.addListener((text, disposition) => {
    omniboxEnter(text, disposition).catch(() => {});
  });
}

const HANDLERS = {
  // The options page's "Test connection": a fresh hello, sent only once the port's own check
  // passed, so a host this extension cannot use answers with that check's host_incompatible.
  hello: () => client.request('hello', {}, { timeoutMs: TIMEOUTS_MS.hello }),
  profiles: () => fetchProfiles(),
  login,
  // The options page's region picker (lib/regions.js).
  regions: () => fetchRegions(),
  // The live MFA sessions and the profiles they cover (PROTOCOL.md, "mfa_sessions"); a host
  // without the action answers unknown_action and the popup shows plain MFA badges.
  mfaSessions: () => client.request('mfa_sessions', {}, { timeoutMs: TIMEOUTS_MS.profiles }),
  // The popup's "set up the helper program" link.
  openWelcome: () => openWelcome(),
  // The omnibox handlers as the address bar calls them, for the extension's own pages: a
  // browser test cannot type into Chromium's address bar through WebDriver.
  omniboxSuggest: (message) => omniboxSuggest(String(message.text ?? '')),
  omniboxEnter: (message) => omniboxEnter(String(message.text ?? ''), message.disposition),
  sessions: () => listSessions(),
  signOut,
  // IAM Identity Center: sign-in, discovered roles, opening one (lib/sso.js).
  ...createSsoHandlers({
    client,
    ext,
    // A discovered role has no profile row: its look comes from its account id alone.
    openConsole: (reply, profile, settings, where) => openConsole(
      reply, { profile, style: containerStyle(profile) }, settings, where,
    ),
    readSettings,
    rememberRecent,
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
