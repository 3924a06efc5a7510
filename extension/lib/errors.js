/**
 * The errors the extension itself produces, each defined once with its wire code, its message
 * and its hint (PROTOCOL.md, "Errors the extension adds"); the host's own errors arrive ready
 * made and pass through. Every error reaches the popup and the options page in the host's wire
 * shape {code, message, hint, ...}, so the pages show all errors alike.
 *
 * The table is keyed by cause, not by code: a few codes have more than one cause (a host that
 * crashed and a connection closed by the extension are both `host_exited`), each with its own
 * text. Messages and hints are templates: `{name}` is replaced by the field of that name.
 */

function entry(code, message, hint) {
  return Object.freeze({ code, message, hint });
}

const RUN_DOCTOR = 'Try again; if it keeps happening run `roleport doctor` in a terminal.';
const UPDATE_BOTH = 'The extension and the helper program may be out of date: update both.';
const UPDATE_HOST = 'Update the helper program (for example `pipx upgrade roleport`), then run '
  + '`roleport install` and try again.';

export const EXTENSION_ERRORS = Object.freeze({
  // The native port (rpc.js).
  hostNotInstalled: entry(
    'host_not_installed',
    'The roleport helper program is not installed for this browser.',
    // Firefox also says "no such application" when the manifest exists but does not list this
    // add-on, so the hint points at doctor too.
    'Run `roleport install` in a terminal, then try again; `roleport doctor` shows what is missing.',
  ),
  hostForbidden: entry(
    'host_forbidden',
    'The roleport helper program does not allow this extension.',
    'Run `roleport install{extension_option}` in a terminal, then try again.',
  ),
  hostExited: entry(
    'host_exited',
    'The roleport helper program stopped unexpectedly{reason}.',
    'Run `roleport doctor` in a terminal to see what is wrong.',
  ),
  connectionClosed: entry(
    'host_exited',
    'The connection to the roleport helper program was closed.',
    'Try again.',
  ),
  timeout: entry(
    'timeout',
    'The roleport helper program did not answer \'{action}\' within {seconds} seconds.',
    RUN_DOCTOR,
  ),
  hostStalled: entry(
    'timeout',
    'The roleport helper program stopped answering and is being restarted.',
    RUN_DOCTOR,
  ),
  badReply: entry(
    'bad_reply',
    'The roleport helper program sent a malformed reply to \'{action}\'.',
    UPDATE_BOTH,
  ),
  unexplainedHostError: entry(
    'internal_error',
    'The roleport helper program reported an error.',
    '',
  ),
  // The hello check on every new port (protocol.js).
  hostProtocolOlder: entry(
    'host_incompatible',
    'The roleport helper program speaks protocol {host_protocol}, this extension speaks protocol '
      + '{protocol}.',
    UPDATE_HOST,
  ),
  hostProtocolNewer: entry(
    'host_incompatible',
    'The roleport helper program speaks protocol {host_protocol}, this extension speaks protocol '
      + '{protocol}.',
    'Update the roleport extension (your browser\'s extensions page checks for updates), then '
      + 'try again.',
  ),
  hostLacksActions: entry(
    'host_incompatible',
    'The roleport helper program (version {host_version}) does not offer {missing}, which this '
      + 'extension needs.',
    UPDATE_HOST,
  ),
  // The profile list (profiles.js).
  pagesOutOfOrder: entry(
    'bad_reply',
    'The roleport helper program sent the profile list pages out of order.',
    UPDATE_BOTH,
  ),
  configChanging: entry(
    'config_changing',
    'The AWS config files kept changing while the profiles were read.',
    'Wait until whatever is rewriting ~/.aws/config or ~/.aws/credentials has finished, then '
      + 'open the popup again.',
  ),
  // Requests to the background (background.js).
  forbiddenCaller: entry(
    'forbidden_caller',
    'Only roleport\'s own pages may send requests.',
    '',
  ),
  noProfile: entry(
    'invalid_request',
    'No profile was given to open.',
    'Choose a profile from the list.',
  ),
  mfaCodeMalformed: entry(
    'invalid_request',
    'The MFA code must be exactly 6 digits.',
    'Enter the 6-digit code shown by your MFA device.',
  ),
  // Opening the console (urls.js, background.js).
  loginUrlRefused: entry(
    'open_failed',
    'The host returned a login address that is not an https URL.',
    'The helper program may be out of date: run `roleport doctor` in a terminal.',
  ),
  logoutUrlRefused: entry(
    'open_failed',
    'The host returned a sign-out address that is not an https URL.',
    'The helper program may be out of date: run `roleport doctor` in a terminal.',
  ),
  tabRefused: entry(
    'open_failed',
    'The browser could not open the AWS console tab.',
    'Try again; if it keeps failing, check that no browser policy blocks new tabs.',
  ),
  privateWindowContainers: entry(
    'open_failed',
    'Firefox has no containers in private windows, so \'{profile}\' cannot open in its '
      + 'container here.',
    'Open roleport from a normal (non-private) window, or turn off "Open each profile in its own '
      + 'container" in roleport\'s options to open consoles in private windows.',
  ),
  // Multi-session (background.js, lib/multisession.js).
  sessionLimit: entry(
    'session_limit',
    'The console already has {count} identities signed in, its limit.',
    'Sign out of one of them first (roleport offers the one used least recently), or open '
      + 'anyway and choose on AWS\'s "Session limit reached" page.',
  ),
  badDestination: entry(
    'invalid_request',
    'The page to open is not a console URL roleport can send.',
    'Open the role without "Open this page", or from a console page.',
  ),
  // The pages (popup.js, ui.js).
  mfaCodeTyped: entry(
    'invalid_request',
    'An MFA code has exactly 6 digits.',
    'Type the current code{device}.',
  ),
  backgroundSilent: entry(
    'extension_error',
    'The roleport extension\'s background part did not answer.',
    'Reload the extension (or restart the browser) and try again.',
  ),
  internal: entry(
    'internal_error',
    'Something went wrong in the roleport extension.',
    '',
  ),
  // IAM Identity Center (sso.js, popup-sso.js).
  ssoMissingField: entry(
    'invalid_request',
    'The IAM Identity Center request has no {field}.',
    'Open the popup again and retry.',
  ),
  ssoVerificationRefused: entry(
    'open_failed',
    'IAM Identity Center sent a verification address that is not an https URL.',
    'Sign in with `roleport sso login` in a terminal, and run `roleport doctor`.',
  ),
  badDiscoveredRole: entry(
    'invalid_request',
    'The IAM Identity Center role to open is not a 12-digit account id and a role name.',
    'Open the popup again and choose the role from the list.',
  ),
});

/** Fields that may travel with an error to the pages: nothing that could carry a URL or token. */
const SAFE_DETAIL_KEYS = [
  'profile', 'mfa_serial', 'command', 'config_file', 'line', 'lru_profile', 'sso_session',
  'start_url', 'lru_label',
];

function fill(template, fields) {
  return template.replace(/\{(\w+)\}/g, (_, name) => String(fields[name] ?? ''));
}

/**
 * The wire shape {code, message, hint, ...details} of a catalogue entry, its templates filled
 * from `fields`. An unknown name is a bug in the extension, so it throws.
 */
export function errorFields(name, fields = {}, details = {}) {
  if (!Object.hasOwn(EXTENSION_ERRORS, name)) throw new TypeError(`no extension error named ${name}`);
  const { code, message, hint } = EXTENSION_ERRORS[name];
  return { ...details, code, message: fill(message, fields), hint: fill(hint, fields) };
}

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

/** A catalogue error, ready to throw: extensionError('noProfile'). */
export function extensionError(name, fields = {}, details = {}) {
  return new HostError(errorFields(name, fields, details));
}

/**
 * Turns anything thrown into the wire error shape {code, message, hint, ...} for the popup and
 * options page. Only known-safe fields pass, so no URL or token can ride along in an error.
 */
export function toErrorPayload(error) {
  const fallback = EXTENSION_ERRORS.internal;
  const payload = {
    code: typeof error?.code === 'string' ? error.code : fallback.code,
    message: typeof error?.message === 'string' && error.message ? error.message : fallback.message,
    hint: typeof error?.hint === 'string' ? error.hint : fallback.hint,
  };
  const details = error?.details ?? error ?? {};
  for (const key of SAFE_DETAIL_KEYS) {
    if (typeof details[key] === 'string') payload[key] = details[key];
  }
  return payload;
}

/**
 * What a page does with a host error beyond showing it (PROTOCOL.md, "Error codes"):
 * - `profile_not_found`: the profile was renamed or removed since the list was read, so the
 *   list is fetched again and the stale row disappears;
 * - `throttled`, `aws_unavailable`, `timeout`, `network_error`: a temporary condition, so
 *   trying again later may work (a Retry action fits); nothing else is worth retrying as is.
 */
const LIST_REFRESHING_CODES = new Set(['profile_not_found']);
const TEMPORARY_CODES = new Set(['throttled', 'aws_unavailable', 'timeout', 'network_error']);

/** Whether the error means the profile list is stale and should be fetched again. */
export function refreshesProfileList(error) {
  return LIST_REFRESHING_CODES.has(error?.code);
}

/** Whether the same request may succeed if tried again a little later. */
export function isTemporary(error) {
  return TEMPORARY_CODES.has(error?.code);
}
