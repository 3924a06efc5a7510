/**
 * What this extension needs of the native host, judged from its `hello` reply (PROTOCOL.md,
 * "hello"): the same protocol version, and every action the extension sends listed in
 * `capabilities`. The background judges each new port once, before anything else is sent on it.
 */
import { extensionError } from './errors.js';

/** The protocol version this extension speaks (PROTOCOL.md title, hello.protocol). */
export const PROTOCOL_VERSION = 1;

/** The actions the extension sends; a host must list each of them in hello.capabilities. */
export const REQUIRED_CAPABILITIES = Object.freeze(['hello', 'profiles', 'login']);

/**
 * Why a host that answered `hello` with `hello` cannot serve this extension, as a catalogue
 * error (code host_incompatible), or null when it can.
 */
export function helloProblem(hello) {
  const hostProtocol = hello?.protocol;
  const hostVersion = typeof hello?.version === 'string' ? hello.version : 'unknown';
  if (hostProtocol !== PROTOCOL_VERSION) {
    const newer = Number.isInteger(hostProtocol) && hostProtocol > PROTOCOL_VERSION;
    return extensionError(newer ? 'hostProtocolNewer' : 'hostProtocolOlder', {
      host_protocol: Number.isInteger(hostProtocol) ? hostProtocol : 'unknown',
      protocol: PROTOCOL_VERSION,
      host_version: hostVersion,
    });
  }
  const offered = Array.isArray(hello.capabilities) ? hello.capabilities : [];
  const missing = REQUIRED_CAPABILITIES.filter((action) => !offered.includes(action));
  if (missing.length > 0) {
    return extensionError('hostLacksActions', {
      missing: missing.map((action) => `'${action}'`).join(', '),
      host_version: hostVersion,
    });
  }
  return null;
}
