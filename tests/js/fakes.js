/** Test doubles shared by the suites: a native port, timers and contextualIdentities. */

class Event {
  constructor() {
    this.listeners = [];
  }

  addListener(listener) {
    this.listeners.push(listener);
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
