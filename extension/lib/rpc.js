/**
 * The native host connection (PROTOCOL.md): one port, requests {id, action, params}, replies
 * {id, ok, result | error} matched by id in any order, a timeout per request, reconnection with
 * backoff, and a distinct, actionable error when the port closes without a reply.
 * The port is injected (`connect()`), so tests drive it with a fake.
 */

/** Codes the extension itself produces; the host's own codes come from host/roleport/errors.py. */
export const CLIENT_ERRORS = Object.freeze({
  hostNotInstalled: 'host_not_installed',
  hostForbidden: 'host_forbidden',
  hostExited: 'host_exited',
  timeout: 'timeout',
  badReply: 'bad_reply',
});

/** An error with the wire shape {code, message, hint, ...} so the UI shows every error alike. */
export class HostError extends Error {
  constructor({ code, message, hint = '', ...details }) {
    super(message);
    this.name = 'HostError';
    this.code = code;
    this.hint = hint;
    this.details = details;
  }

  toJSON() {
    return { code: this.code, message: this.message, hint: this.hint, ...this.details };
  }
}

/**
 * Why a native port closed, from the browser's message (Chrome: runtime.lastError, Firefox:
 * port.error), as {code, message, hint}. Texts verified in native-messaging.md.
 */
export function classifyDisconnect(reason, extensionId = '') {
  const text = String(reason ?? '');
  if (/not found|no such native application/i.test(text)) {
    return {
      code: CLIENT_ERRORS.hostNotInstalled,
      message: 'The roleport helper program is not installed for this browser.',
      // Firefox also says "no such application" when the manifest exists but does not list
      // this add-on, so point at doctor too.
      hint: 'Run `roleport install` in a terminal, then try again; `roleport doctor` shows what is missing.',
    };
  }
  if (/forbidden|not allowed|permission/i.test(text)) {
    const option = extensionId ? ` --extension-id ${extensionId}` : '';
    return {
      code: CLIENT_ERRORS.hostForbidden,
      message: 'The roleport helper program does not allow this extension.',
      hint: `Run \`roleport install${option}\` in a terminal, then try again.`,
    };
  }
  const detail = text ? ` (${text.replace(/\.$/, '')})` : '';
  return {
    code: CLIENT_ERRORS.hostExited,
    message: `The roleport helper program stopped unexpectedly${detail}.`,
    hint: 'Run `roleport doctor` in a terminal to see what is wrong.',
  };
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
   * @param {() => void} [options.onConnect] called for each new port before anything is sent
   *   on it (the background sends `hello` there, which starts the host's warm-up).
   */
  constructor({
    connect,
    disconnectReason = () => undefined,
    extensionId = '',
    keepAlive = false,
    onConnect = () => {},
    setTimer = globalThis.setTimeout.bind(globalThis),
    clearTimer = globalThis.clearTimeout.bind(globalThis),
    now = () => Date.now(),
  }) {
    this.connect = connect;
    this.disconnectReason = disconnectReason;
    this.extensionId = extensionId;
    this.keepAlive = keepAlive;
    this.onConnect = onConnect;
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.now = now;
    this.portOpenedAt = 0;
    this.port = null;
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

  /** Sends one request; resolves with `result` or rejects with a HostError. */
  request(action, params = {}, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
    return new Promise((resolve, reject) => {
      let port;
      try {
        port = this.ensurePort();
      } catch (error) {
        reject(new HostError(classifyDisconnect(error?.message, this.extensionId)));
        return;
      }
      const id = this.nextId;
      this.nextId += 1;
      const receivedBefore = this.received;
      const timer = this.setTimer(() => {
        if (!this.pending.delete(id)) return;
        if (this.port === port && this.received === receivedBefore) this.stalled = true;
        const seconds = Math.round(timeoutMs / 100) / 10;
        reject(new HostError({
          code: CLIENT_ERRORS.timeout,
          message: `The roleport helper program did not answer '${action}' within ${seconds} seconds.`,
          hint: 'Try again; if it keeps happening run `roleport doctor` in a terminal.',
        }));
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
    const port = this.port;
    this.port = null;
    if (port) {
      try {
        port.disconnect();
      } catch {
        // Already closed by the other side: nothing to release.
      }
    }
    this.failPending({
      code: CLIENT_ERRORS.hostExited,
      message: 'The connection to the roleport helper program was closed.',
      hint: 'Try again.',
    });
  }

  ensurePort() {
    if (this.port && this.stalled) this.dropStalledPort();
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
    this.onConnect();
    return port;
  }

  /** Closes a port whose host stopped answering, so the next request starts a fresh host. */
  dropStalledPort() {
    const port = this.port;
    this.port = null;
    this.stalled = false;
    try {
      port.disconnect();
    } catch {
      // Already closed by the other side: nothing to release.
    }
    this.failPending({
      code: CLIENT_ERRORS.timeout,
      message: 'The roleport helper program stopped answering and is being restarted.',
      hint: 'Try again; if it keeps happening run `roleport doctor` in a terminal.',
    });
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
      waiting.reject(new HostError({
        ...message.error,
        code: String(message.error.code ?? 'internal_error'),
        message: String(message.error.message ?? 'The roleport helper program reported an error.'),
        hint: String(message.error.hint ?? ''),
      }));
    } else {
      waiting.reject(new HostError({
        code: CLIENT_ERRORS.badReply,
        message: `The roleport helper program sent a malformed reply to '${waiting.action}'.`,
        hint: 'The extension and the helper program may be out of date: update both.',
      }));
    }
  }

  handleDisconnect(port) {
    if (port !== this.port) return;
    const reason = this.disconnectReason(port);
    this.port = null;
    const error = classifyDisconnect(reason, this.extensionId);
    this.failPending(error);
    if (this.keepAlive && !this.closed && error.code === CLIENT_ERRORS.hostExited) {
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

  failPending(error) {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const item of waiting) {
      this.clearTimer(item.timer);
      item.reject(new HostError(error));
    }
  }
}
