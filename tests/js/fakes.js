/**
 * Test doubles shared by the suites: a native port, timers, contextualIdentities, a WebExtension
 * API for the background (fakeBrowser) and the tabs and storage.session its live-sessions
 * registry follows (withLiveTabs).
 */

export class Event {
  constructor() {
    this.listeners = [];
  }

  addListener(listener) {
    this.listeners.push(listener);
  }

  removeListener(listener) {
    this.listeners = this.listeners.filter((known) => known !== listener);
  }

  emit(...args) {
    for (const listener of [...this.listeners]) listener(...args);
  }
}

/** A runtime.Port look-alike: records posted messages, lets the test reply or disconnect. */
export class FakePort {
  constructor() {
    this.sent = [];
    this.onMessage = new Event();
    this.onDisconnect = new Event();
    this.disconnected = false;
    this.error = null;
  }

  postMessage(message) {
    if (this.disconnected) throw new Error('Attempting to use a disconnected port object');
    this.sent.push(structuredClone(message));
  }

  disconnect() {
    this.disconnected = true;
  }

  /** The host answers request `id`. */
  reply(message) {
    this.onMessage.emit(structuredClone(message));
  }

  /** The browser closes the port, with a Firefox-style port.error. */
  close(reason) {
    this.error = reason ? { message: reason } : null;
    this.disconnected = true;
    this.onDisconnect.emit(this);
  }
}

/** Manual timers: nothing fires until the test advances the clock. */
export class FakeTimers {
  constructor() {
    this.now = 0;
    this.nextId = 1;
    this.timers = new Map();
    this.set = (callback, delay) => {
      const id = this.nextId;
      this.nextId += 1;
      this.timers.set(id, { at: this.now + delay, callback, delay });
      return id;
    };
    this.clear = (id) => {
      this.timers.delete(id);
    };
  }

  get pending() {
    return [...this.timers.values()];
  }

  advance(ms) {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, timer]) => timer.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].callback();
    }
    this.now = until;
  }
}

/**
 * browser.contextualIdentities with Firefox's asynchronous behaviour: every call yields to the
 * event loop, so unserialised callers would interleave and create duplicates.
 */
export class FakeIdentities {
  constructor(existing = []) {
    this.items = existing.map((item, i) => ({ cookieStoreId: `firefox-container-${i + 1}`, ...item }));
    this.calls = [];
  }

  async query({ name }) {
    this.calls.push(['query', name]);
    await new Promise((resolve) => setTimeout(resolve, 1));
    return this.items.filter((item) => item.name === name).map((item) => ({ ...item }));
  }

  async create(details) {
    this.calls.push(['create', details.name]);
    await new Promise((resolve) => setTimeout(resolve, 1));
    const item = { cookieStoreId: `firefox-container-${this.items.length + 1}`, ...details };
    this.items.push(item);
    return { ...item };
  }

  async update(cookieStoreId, changes) {
    this.calls.push(['update', cookieStoreId, changes]);
    const item = this.items.find((candidate) => candidate.cookieStoreId === cookieStoreId);
    Object.assign(item, changes);
    return { ...item };
  }
}

export const EXTENSION_ID = 'lcdhbonoaganhbjkpgecgonmncjbaiij';
export const SECRET_TOKEN = 'SigninTokenSECRET0123456789';
export const LOGIN_URL = `http://127.0.0.1:9/federation?Action=login&Issuer=roleport&SigninToken=${SECRET_TOKEN}`;
export const LOGOUT_URL = 'http://127.0.0.1:9/oauth?Action=logout';
/** A hello the background accepts (PROTOCOL.md "hello"). */
export const HELLO = Object.freeze({ version: '0.1.0', protocol: 1, capabilities: ['hello', 'login', 'profiles'] });
/** The host's profile columns, as far as the background suites use them. */
export const PROFILE_COLUMNS = Object.freeze([
  'name', 'account_id', 'account_name', 'role', 'region', 'kind', 'mfa', 'chained', 'container', 'color', 'icon', 'destination',
]);

/**
 * A native host for fakeBrowser that answers hello and `profiles` (the table given) and every
 * other request through `answer(request)`.
 */
export function listingHost(profiles, answer, { hello = HELLO } = {}) {
  return (request) => {
    if (request.action === 'hello') return { ok: true, result: hello };
    if (request.action === 'profiles') return { ok: true, result: profiles };
    return answer(request);
  };
}

/**
 * A WebExtension API with just what background.js uses. `host(request)` plays the native host:
 * it returns a reply object, or {disconnect: "reason"} to close the port like the browser does.
 */
export function fakeBrowser({
  containers = false, tabGroups = false, omnibox = false, host,
}) {
  const store = new Map();
  const created = { tabs: [], windows: [], groups: [], groupUpdates: [] };
  const requests = [];
  const ports = [];
  const api = {
    runtime: {
      id: EXTENSION_ID,
      lastError: undefined,
      getURL: (path) => `chrome-extension://${EXTENSION_ID}/${path}`,
      onMessage: new Event(),
      onInstalled: new Event(),
      connectNative(name) {
        assert(name === 'roleport', `unexpected host name ${name}`);
        const port = new FakePort();
        const post = port.postMessage.bind(port);
        port.postMessage = (message) => {
          post(message);
          requests.push(structuredClone(message));
          setTimeout(() => {
            const answer = host(structuredClone(message));
            if (answer && answer.disconnect) {
              // Chrome reports the reason through runtime.lastError during the event.
              api.runtime.lastError = { message: answer.disconnect };
              port.disconnected = true;
              port.onDisconnect.emit(port);
              api.runtime.lastError = undefined;
            } else if (answer) {
              port.reply({ id: message.id, ...answer });
            }
          }, 0);
        };
        ports.push(port);
        return port;
      },
    },
    storage: {
      local: {
        async get(keys) {
          const list = typeof keys === 'string' ? [keys] : keys;
          const out = {};
          for (const key of list) if (store.has(key)) out[key] = structuredClone(store.get(key));
          return out;
        },
        async set(items) {
          for (const [key, value] of Object.entries(items)) store.set(key, structuredClone(value));
        },
      },
    },
    tabs: {
      async create(properties) {
        const tab = { id: 100 + created.tabs.length, windowId: properties.windowId ?? 1, ...properties };
        created.tabs.push(properties);
        return tab;
      },
      async query() {
        return created.tabs.map((properties, i) => ({ id: 100 + i, windowId: 1, ...properties }));
      },
      async update(id, properties) {
        created.tabUpdates = [...(created.tabUpdates ?? []), { id, ...properties }];
        return { id, ...properties };
      },
    },
    windows: {
      async create(properties) {
        created.windows.push(properties);
        return { id: 7, tabs: [{ id: 70 }] };
      },
      async update(id, properties) {
        return { id, ...properties };
      },
    },
  };
  if (omnibox) {
    api.omnibox = {
      onInputStarted: new Event(),
      onInputChanged: new Event(),
      onInputEntered: new Event(),
      defaults: [],
      setDefaultSuggestion(suggestion) {
        this.defaults.push(suggestion);
      },
    };
  }
  if (containers) api.contextualIdentities = new FakeIdentities();
  if (tabGroups) {
    // Like Chromium, each call yields to the event loop, so unserialised callers interleave.
    const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
    api.tabs.group = async ({ tabIds, groupId, createProperties }) => {
      await tick();
      const id = groupId ?? 500 + created.groups.length;
      created.groups.push({ id, tabIds, createProperties, reused: groupId != null });
      return id;
    };
    api.tabGroups = {
      query: async ({ title }) => (await tick(), created.groupUpdates).filter((g) => g.title === title).map((g) => ({ id: g.id, title, color: g.color })),
      update: async (id, properties) => {
        created.groupUpdates.push({ id, ...properties });
        return { id, ...properties };
      },
    };
  }
  return { api, store, created, requests, ports };
}

/**
 * What the registry of live console sessions needs besides fakeBrowser: storage.session, open
 * tabs that remember their URL (tabs.get / query / remove / reload, ids never reused), tab and
 * container events, and a record of focus changes. A tab opened on the sign-out endpoint
 * finishes loading a moment later, as the background waits for before closing it. Tabs can be
 * created only in containers that exist.
 */
export function withLiveTabs(fake, { firstTabId = 1000 } = {}) {
  const { api } = fake;
  const live = {
    sessionArea: new Map(),
    openTabs: new Map(),
    /** ['tab' | 'window', id, properties] for every tabs.update / windows.update. */
    updates: [],
    closed: [],
    reloaded: [],
  };
  let nextTabId = firstTabId;
  api.storage.session = {
    async get(key) {
      return live.sessionArea.has(key) ? { [key]: structuredClone(live.sessionArea.get(key)) } : {};
    },
    async set(items) {
      for (const [key, value] of Object.entries(items)) live.sessionArea.set(key, structuredClone(value));
    },
  };
  const createTab = api.tabs.create;
  api.tabs.create = async (properties) => {
    const containers = api.contextualIdentities?.items;
    if (properties.cookieStoreId && containers
      && !containers.some((c) => c.cookieStoreId === properties.cookieStoreId)) {
      throw new Error(`No cookie store with id ${properties.cookieStoreId}`);
    }
    nextTabId += 1;
    const tab = { ...(await createTab(properties)), id: nextTabId };
    live.openTabs.set(tab.id, { ...tab });
    if (properties.url.endsWith('/oauth?Action=logout')) {
      setTimeout(() => api.tabs.onUpdated.emit(tab.id, { status: 'complete' }, { ...tab }), 5);
    }
    return tab;
  };
  api.tabs.get = async (id) => {
    if (!live.openTabs.has(id)) throw new Error(`Invalid tab ID: ${id}`);
    return { ...live.openTabs.get(id) };
  };
  api.tabs.query = async () => [...live.openTabs.values()].map((tab) => ({ ...tab }));
  api.tabs.update = async (id, properties) => {
    live.updates.push(['tab', id, properties]);
    return { ...live.openTabs.get(id) };
  };
  api.tabs.remove = async (id) => {
    live.closed.push(id);
    live.openTabs.delete(id);
  };
  api.tabs.reload = async (id) => {
    live.reloaded.push(id);
  };
  api.windows.update = async (id, properties) => {
    live.updates.push(['window', id, properties]);
    return { id };
  };
  api.tabs.onUpdated = new Event();
  api.tabs.onRemoved = new Event();
  if (api.contextualIdentities) {
    api.contextualIdentities.get = async (id) => {
      const found = api.contextualIdentities.items.find((c) => c.cookieStoreId === id);
      if (!found) throw new Error(`Invalid contextual identity: ${id}`);
      return { ...found };
    };
    api.contextualIdentities.onRemoved = new Event();
  }

  /** The tab moves to `url` (following the login URL to the console, say); `status` optional. */
  live.show = (tabId, url, status = null) => {
    const tab = live.openTabs.get(tabId);
    tab.url = url;
    api.tabs.onUpdated.emit(tabId, status ? { url, status } : { url }, { ...tab });
  };
  /** The user closes the tab. */
  live.close = (tabId) => {
    live.openTabs.delete(tabId);
    api.tabs.onRemoved.emit(tabId, {});
  };
  /** Events reach the registry through its store's queue: a read waits for them. */
  live.settle = () => sendToBackground(api, { type: 'sessions' });
  live.reset = () => {
    live.sessionArea.clear();
    live.openTabs.clear();
    live.updates.length = 0;
    live.closed.length = 0;
    live.reloaded.length = 0;
    fake.store.clear();
    fake.requests.length = 0;
    fake.created.tabs.length = 0;
    api.contextualIdentities?.items.splice(0);
  };
  return live;
}

/** Sends a runtime message to the background's listener like the browser would. */
export function sendToBackground(api, message, sender = popupSender()) {
  return new Promise((resolve) => {
    let answered = false;
    const respond = (reply) => {
      answered = true;
      resolve(reply);
    };
    const results = api.runtime.onMessage.listeners.map((listener) => listener(message, sender, respond));
    if (!answered && !results.includes(true)) resolve(undefined);
  });
}

export function popupSender(extra = {}) {
  return { id: EXTENSION_ID, url: `chrome-extension://${EXTENSION_ID}/extension/popup.html`, ...extra };
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}
