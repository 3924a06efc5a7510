/**
 * The only part of roleport that talks to the native host, and the wiring of the rest: the
 * port, the runtime-message handlers (HANDLERS; sender checked), the browser's events, the
 * welcome page. Popup and options pages send runtime messages {type, ...}; replies are
 * {ok: true, result} or {ok: false, error}. The login URL never leaves the lib modules that
 * open it (console-tabs.js) except into tabs.create / windows.create.
 */
import { ext } from './lib/browser.js';
import { createConsoleTabs } from './lib/console-tabs.js';
import { errorFields, toErrorPayload } from './lib/errors.js';
import { createLiveSessions } from './lib/live-sessions.js';
import { createLogin } from './lib/login.js';
import { findLook, loginTarget } from './lib/login-targets.js';
import { createMultiSessionWatch } from './lib/multisession-watch.js';
import { createOmnibox } from './lib/omnibox-events.js';
import { fetchAllPages, storedTable } from './lib/profiles.js';
import { helloProblem } from './lib/protocol.js';
import { knownRegions } from './lib/regions.js';
import { NativeClient } from './lib/rpc.js';
import { createSessionStore } from './lib/sessions-store.js';
import { STORAGE_KEYS, normalizeSettings } from './lib/settings.js';
import { SETUP_ERROR_CODES } from './lib/setup.js';
import { createSsoHandlers } from './lib/sso.js';

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

// -- logins, live console sessions, the console's multi-session support (lib/...) -----------

const sessionStore = createSessionStore(ext.storage.session ?? null);
const multiSession = createMultiSessionWatch({ ext, store: sessionStore });
const consoleTabs = createConsoleTabs({ ext, multiSession });
const liveSessions = createLiveSessions({
  ext,
  store: sessionStore,
  tabs: consoleTabs,
  multiSession,
  findLook: (key) => findLook(ext.storage.local, loginTarget({ profile: key })),
});
const { openProfile } = createLogin({
  ext,
  // login and login_sso_role share one deadline (PROTOCOL.md).
  request: (action, params) => client.request(action, params, { timeoutMs: TIMEOUTS_MS.login }),
  readSettings,
  tabs: consoleTabs,
  sessions: liveSessions,
  multiSession,
});

ext.tabs.onUpdated?.addListener((tabId, changeInfo, tab) => {
  liveSessions.onTabUpdated(tabId, changeInfo, tab);
  multiSession.onTabUpdated(tabId, changeInfo, tab);
});
ext.tabs.onRemoved?.addListener((tabId) => {
  liveSessions.onTabRemoved(tabId);
  multiSession.onTabRemoved(tabId);
});
ext.contextualIdentities?.onRemoved?.addListener((changeInfo) => {
  liveSessions.onContainerRemoved(changeInfo);
});

/** The popup's click on a profile (or on a discovered role by its list key). */
function login(message, sender) {
  return openProfile({
    profile: message.profile,
    ...loginOptions(message, sender),
  });
}

/** The popup's click on a role discovered through IAM Identity Center (popup-sso.js). */
function loginDiscovered(message, sender) {
  return openProfile({
    discovered: {
      sso_session: message.sso_session,
      account_id: message.account_id,
      role_name: message.role_name,
      account_name: message.account_name ?? null,
    },
    ...loginOptions(message, sender),
  });
}

function loginOptions(message, sender) {
  return {
    mfaCode: message.mfa_code ?? null,
    background: message.background === true,
    fresh: message.fresh === true,
    destination: message.destination ?? null,
    sessionLimit: message.sessionLimit ?? null,
    // A popup opened as a normal tab (tests) opens the console next to itself.
    windowId: sender.tab?.windowId,
  };
}

/** The popup's "Sign out" of a live role: every session roleport knows for it. */
async function signOut(message) {
  const { key } = loginTarget({ profile: message.profile });
  return liveSessions.signOut(key, await readSettings());
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
    return !SETUP_ERROR_CODES.includes(code);
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

const omnibox = createOmnibox({
  ext, fetchProfiles, openProfile, openWelcome,
});
omnibox.listen();

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
  omniboxSuggest: (message) => omnibox.suggest(String(message.text ?? '')),
  omniboxEnter: (message) => omnibox.enter(String(message.text ?? ''), message.disposition),
  sessions: () => liveSessions.list(),
  signOut,
  // IAM Identity Center: sign-in and discovered roles (lib/sso.js); a discovered role opens
  // through the one login path.
  ...createSsoHandlers({ client, ext, readSettings }),
  loginDiscovered,
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
