/**
 * Turns anything thrown into the wire error shape {code, message, hint, ...} for the popup and
 * options page. Only known-safe fields pass, so no URL or token can ride along in an error.
 */
const SAFE_DETAIL_KEYS = ['profile', 'mfa_serial', 'command'];

export function toErrorPayload(error) {
  const payload = {
    code: typeof error?.code === 'string' ? error.code : 'internal_error',
    message: typeof error?.message === 'string' && error.message
      ? error.message
      : 'Something went wrong in the roleport extension.',
    hint: typeof error?.hint === 'string' ? error.hint : '',
  };
  const details = error?.details ?? error ?? {};
  for (const key of SAFE_DETAIL_KEYS) {
    if (typeof details[key] === 'string') payload[key] = details[key];
  }
  return payload;
}
