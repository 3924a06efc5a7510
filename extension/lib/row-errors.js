/**
 * Where the popup shows an error and which actions it offers there. Pure: the popup's DOM
 * code (popup-rows.js) asks these questions, node tests check the answers.
 *
 * - An error about one profile (a login that failed) is shown under that profile's row; only
 *   errors about the whole list (no helper program, an incompatible one, an extension that
 *   cannot reach its background, a config that keeps changing) stay in the alert at the top,
 *   and so does an error that makes the popup fetch the list again (a profile that no longer
 *   exists): its row goes away with the refresh, the message must not go with it.
 * - Actions: Retry where trying again can help (anything but a malformed request), Copy
 *   command when the error carries a command to run (`aws sso login --profile X` for an
 *   expired IAM Identity Center session, PROTOCOL.md "command"), Open options when the
 *   browser-side settings decide (how a console tab is opened).
 */

import { refreshesProfileList } from './errors.js';

const WHOLE_LIST_CODES = new Set([
  'host_not_installed', 'host_forbidden', 'host_incompatible', 'extension_error',
  'config_changing', 'forbidden_caller', 'bad_reply',
]);
const NO_RETRY_CODES = new Set(['invalid_request', 'forbidden_caller', 'unknown_action']);
const OPTIONS_CODES = new Set(['open_failed']);
/** MFA problems are shown under the MFA field, not as a row error. */
export const MFA_CODES = new Set(['mfa_required', 'mfa_invalid']);

/** 'list' (the top alert), 'mfa' (under the MFA field) or 'row' (under the row). */
export function errorPlace(error) {
  const code = error?.code ?? '';
  if (WHOLE_LIST_CODES.has(code) || refreshesProfileList(error)) return 'list';
  if (MFA_CODES.has(code)) return 'mfa';
  return 'row';
}

/** The actions for a row error, in display order: [{id, label, value?}]. */
export function errorActions(error) {
  const code = error?.code ?? '';
  const actions = [];
  if (!NO_RETRY_CODES.has(code)) actions.push({ id: 'retry', label: 'Retry' });
  if (typeof error?.command === 'string' && error.command.trim()) {
    actions.push({ id: 'copy', label: 'Copy command', value: error.command.trim() });
  }
  if (OPTIONS_CODES.has(code)) actions.push({ id: 'options', label: 'Open options' });
  return actions;
}

/** A long path as its last two parts ("…/.aws/config"); the whole path goes in a tooltip. */
export function shortPath(path) {
  const text = String(path ?? '');
  const parts = text.split(/[\\/]/);
  if (parts.length <= 3) return text;
  return `\u2026/${parts.slice(-2).join('/')}`;
}

/**
 * The parts of a `config_error` for a compact display: {file, shortFile, line, reason, hint}.
 * The host's message reads "The AWS config could not be read: FILE, line N: REASON" and its
 * details carry `config_file` and `line` (PROTOCOL.md, "Error codes"); without those details
 * the message is shown whole. Returns null for any other error.
 */
export function configProblem(error) {
  if (error?.code !== 'config_error') return null;
  const file = typeof error.config_file === 'string' ? error.config_file : '';
  const line = error.line != null && /^\d+$/.test(String(error.line)) ? Number(error.line) : null;
  const message = String(error.message ?? '');
  let reason = message;
  if (file) {
    const at = message.indexOf(file);
    if (at >= 0) {
      reason = message.slice(at + file.length)
        .replace(/^, line \d+/, '')
        .replace(/^:\s*/, '');
    }
  }
  const hint = file ? String(error.hint ?? '').replaceAll(` ${file} at line ${line}`, '')
    .replaceAll(` ${file}`, '') : String(error.hint ?? '');
  return {
    file, shortFile: file ? shortPath(file) : '', line, reason: reason || message, hint,
  };
}
