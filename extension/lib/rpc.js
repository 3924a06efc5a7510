/**
 * The native host connection (PROTOCOL.md): one port, requests {id, action, params}, replies
 * {id, ok, result | error} matched by id in any order, a timeout per request, reconnection with
 * backoff, and a distinct, actionable error when the port closes without a reply.
 * The port is injected (`connect()`), so tests drive it with a fake.
 */
import { EXTENSION_ERRORS, HostError, errorFields } from './errors.js';

/**
 * Why a native port closed, from the browser's message (Chrome: runtime.lastError, Firefox:
 * port.error), as the wire fields {code, message, hint} of a catalogue error. The browsers'
 * texts are those of their native messaging documentation (Chrome: "Specified native
 * messaging host not found.", "Access to the specified native messaging host is forbidden.",
 * "Native host has exited."; Firefox: "No such native application ...").
 */
export function classifyDisconnect(reason, extensionId = '') {
  const text = String(reason ?? '');
  if (/not found|no such native application/i.test(text)) return errorFields('hostNotInstalled');
  if (/forbidden|not allowed|permission/i.test(text)) {
    return errorFields('hostForbidden', {
      extension_option: extensionId ? ` --extension-id ${extensionId}` : '',
    });
  }
  return errorFields('hostExited', { reason: text ? ` (${text.replace(/\.$/, '')})` : '' });
}

export const DEFAULT_TIMEOUT_MS = 30_000;
const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 30_000;
const MAX_AUTO_RECONNECTS = 5;
/**
 * A port open at least this long was a working host: its crash restarts the backoff. Replies do
 * not count, because a host that answers the warm-up hello and then dies would otherwise be
 * respawned every half second forever.
 */
const STABLE_PORT_MS = 60_000;

export class NativeClient {
  /**
   * @param {object} options
   * @param {() => object} options.connect opens a port ({postMessage, disconnect, onMessage,
   *   onDisconnect}); runtime.connectNative('roleport') in the browser.
   * @param {(port: object) => string | undefined} [options.disconnectReason] the browser's
   *   reason for a closed port.
   * @param {string} [options.extensionId] shown in the "not allowed" fix.
   * @param {boolean} [options.keepAlive] reconnect with backoff after a working port closes,
   *   so the host stays warm.
   * @param {(send: Function) => Promise<unknown>} [options.handshake] run once for each new
   *   port before anything else is sent on it; `send(action, params, {timeoutMs})` sends on
   *   that port. Requests made meanwhile wait for it and fail with its error if it fails; a
   *   port whose handshake failed is closed, so the next request starts (and checks) a fresh
   *   host. The background's handshake is `hello`, which also starts the host's warm-up.
   */
  constructor({
    connect,
    disconnectReason = () => undefined,
    extensionId = '',
    keepAlive = false,
    handshake = null,
    setTimer = globalThis.setTimeout.bind(globalThis),
    clearTimer = globalThis.clearTimeout.bind(globalThis),
    now = () => Date.now(),
  }) {
    this.connect = connect;
    this.disconnectReason = disconnectReason;
    this.extensionId = extensionId;
    this.keepAlive = keepAlive;
    this.handshake = handshake;
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.now = now;
    this.portOpenedAt = 0;
    this.port = null;
    // The current port's handshake (a promise), or null without one.
    this.portReady = null;
    // Why each closed port closed (wire fields), for requests that waited on its handshake.
    this.closedWith = new WeakMap();
    this.nextId = 1;
    this.pending = new Map();
    this.reconnectAttempts = 0;
    this.reconnectTimer = null;
    this.closed = false;
    // Replies received on the current port, and whether it has been silent since a request
    // that then timed out: such a host is wedged, and the port (which keeps a Chrome service
    // worker alive) would otherwise stay in place until the browser restarts.
    this.received = 0;
    this.stalled = false;
  }

  /** Whether a port is open now. */
  get connected() {
    return this.port !== null;
  }

  /**
   * Sends one request, after the port's handshake if there is one; resolves with `result` or
   * rejects with a HostError.
   */
  request(action, params = {}, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
    let port;
    try {
      port = this.ensurePort();
    } catch (error) {
      return Promise.reject(new HostError(classifyDisconnect(error?.message, this.extensionId)));
    }
    if (this.portReady === null) return this.send(port, action, params, timeoutMs);
    return this.portReady.then(() => {
      // The port may have closed between the handshake's reply and now.
      const closed = this.closedWith.get(port);
      if (closed) throw new HostError(closed);
      return this.send(port, action, params, timeoutMs);
    });
  }

  /** Posts one request on `port` and waits for its reply, at most `timeoutMs`. */
  send(port, action, params, timeoutMs) {
    return new Promise((resolve, reject) => {
      const id = this.nextId;
      this.nextId += 1;
      const receivedBefore = this.received;
      const timer = this.setTimer(() => {
        if (!this.pending.delete(id)) return;
        if (this.port === port && this.received === receivedBefore) this.stalled = true;
        const seconds = Math.round(timeoutMs / 100) / 10;
        reject(new HostError(errorFields('timeout', { action, seconds })));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, action });
      try {
        port.postMessage({ id, action, params });
      } catch (error) {
        this.clearTimer(timer);
        this.pending.delete(id);
        reject(new HostError(classifyDisconnect(error?.message, this.extensionId)));
      }
    });
  }

  /** Closes the port and rejects what is pending; no reconnection afterwards. */
  close() {
    this.closed = true;
    if (this.reconnectTimer !== null) this.clearTimer(this.reconnectTimer);
    this.reconnectTimer = null;
    this.releasePort(errorFields('connectionClosed'));
  }

  ensurePort() {
    if (this.port && this.stalled) this.releasePort(errorFields('hostStalled'));
    if (this.port) return this.port;
    this.closed = false;
    if (this.reconnectTimer !== null) {
      this.clearTimer(this.reconnectTimer);
      this.reconnectTimer = null;
    }
    const port = this.connect();
    this.port = port;
    this.portOpenedAt = this.now();
    this.received = 0;
    this.stalled = false;
    port.onMessage.addListener((message) => this.handleMessage(port, message));
    port.onDisconnect.addListener(() => this.handleDisconnect(port));
    this.portReady = this.handshake ? this.startHandshake(port) : null;
    return port;
  }

  /** Runs the handshake on a new port; a failed one closes the port (see the constructor). */
  startHandshake(port) {
    let ready;
    try {
      ready = Promise.resolve(this.handshake(
        (action, params = {}, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) => this.send(port, action, params, timeoutMs),
      ));
    } catch (error) {
      ready = Promise.reject(error);
    }
    ready.catch((error) => {
      if (this.port !== port) return;
      this.releasePort(error instanceof HostError ? error.toJSON() : errorFields('internal'));
    });
    return ready;
  }

  /**
   * Lets the current port go (a host that stopped answering, a failed handshake, close()) and
   * rejects what is pending on it with `fields`; the next request opens a fresh port.
   */
  releasePort(fields) {
    const port = this.port;
    this.port = null;
    this.portReady = null;
    this.stalled = false;
    if (port) {
      this.closedWith.set(port, fields);
      try {
        port.disconnect();
      } catch {
        // Already closed by the other side: nothing to release.
      }
    }
    this.failPending(fields);
  }

  handleMessage(port, message) {
    if (port !== this.port) return;
    this.received += 1;
    this.stalled = false;
    const id = message?.id;
    const waiting = this.pending.get(id);
    if (!waiting) return; // A reply after its timeout: the caller has already been told.
    this.pending.delete(id);
    this.clearTimer(waiting.timer);
    if (message.ok === true) {
      waiting.resolve(message.result);
    } else if (message.ok === false && message.error && typeof message.error === 'object') {
      const unexplained = errorFields('unexplainedHostError');
      waiting.reject(new HostError({
        ...message.error,
        code: String(message.error.code ?? unexplained.code),
        message: String(message.error.message ?? unexplained.message),
        hint: String(message.error.hint ?? unexplained.hint),
      }));
    } else {
      waiting.reject(new HostError(errorFields('badReply', { action: waiting.action })));
    }
  }

  handleDisconnect(port) {
    if (port !== this.port) return;
    const reason = this.disconnectReason(port);
    this.port = null;
    this.portReady = null;
    const error = classifyDisconnect(reason, this.extensionId);
    this.closedWith.set(port, error);
    this.failPending(error);
    if (this.keepAlive && !this.closed && error.code === EXTENSION_ERRORS.hostExited.code) {
      if (this.now() - this.portOpenedAt >= STABLE_PORT_MS) this.reconnectAttempts = 0;
      this.scheduleReconnect();
    }
  }

  scheduleReconnect() {
    if (this.reconnectAttempts >= MAX_AUTO_RECONNECTS || this.reconnectTimer !== null) return;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** this.reconnectAttempts);
    this.reconnectAttempts += 1;
    this.reconnectTimer = this.setTimer(() => {
      this.reconnectTimer = null;
      if (this.port || this.closed) return;
      try {
        this.ensurePort();
      } catch {
        // The next request reports the reason to the user.
      }
    }, delay);
  }

  /** Rejects every request waiting for a reply with a HostError of these wire fields. */
  failPending(fields) {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const item of waiting) {
      this.clearTimer(item.timer);
      item.reject(new HostError(fields));
    }
  }
}
