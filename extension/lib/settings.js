/**
 * User options (storage.local "settings"), their defaults and validation. The options page
 * writes them, the background reads them on every login, the popup reads keepPopupOpen.
 */
import {
  DEFAULT_SSO_DISCOVERY_MAX_AGE, MAX_CONSOLE_DURATION, MAX_SSO_DISCOVERY_MAX_AGE,
  MIN_CONSOLE_DURATION, MIN_SSO_DISCOVERY_MAX_AGE, isRegion, isSsoDiscoveryMaxAge, normalizeRegion,
} from './rules.js';
import { OPEN_MODES } from './urls.js';

export const STORAGE_KEYS = Object.freeze({
  settings: 'settings',
  profiles: 'profilesCache',
  favourites: 'favourites',
  recent: 'recent',
});

/** Means "no duration sent": the console session lasts as long as the credentials. */
export const CREDENTIALS_DURATION = 0;

/**
 * Console session lengths offered on the options page (seconds), from the shortest to the
 * longest the federation endpoint allows; every one but CREDENTIALS_DURATION is a console
 * duration by rules.js (tests/js/settings.test.js checks it, and the page's choices).
 */
export const SESSION_DURATIONS = Object.freeze([
  CREDENTIALS_DURATION, MIN_CONSOLE_DURATION, 1800, 3600, 7200, 14400, 28800, MAX_CONSOLE_DURATION,
]);

export const DEFAULT_SETTINGS = Object.freeze({
  containersEnabled: true,
  // Empty by default so containers are named exactly like the profiles (Granted does the same,
  // so existing containers are reused).
  containerPrefix: '',
  openMode: 'automatic',
  region: '',
  sessionDuration: CREDENTIALS_DURATION,
  keepPopupOpen: false,
  // Signing a role out from the popup: close its console tabs (true) or leave them, reloaded
  // so they show that they are signed out (false).
  signOutClosesTabs: false,
  // Seconds after which the host lists the IAM Identity Center roles again behind its answer;
  // null sends none: the host's default (ROLEPORT_SSO_DISCOVERY_MAX_AGE, else one hour).
  ssoDiscoveryMaxAge: null,
});

const SECONDS_PER_MINUTE = 60;
/** The options page's discovery age field is in minutes: its bounds there. */
export const SSO_DISCOVERY_MINUTES = Object.freeze({
  min: MIN_SSO_DISCOVERY_MAX_AGE / SECONDS_PER_MINUTE,
  max: MAX_SSO_DISCOVERY_MAX_AGE / SECONDS_PER_MINUTE,
  default: DEFAULT_SSO_DISCOVERY_MAX_AGE / SECONDS_PER_MINUTE,
});

/** The discovery age as the options page shows it: whole minutes, empty for the default. */
export function discoveryAgeText(seconds) {
  return isSsoDiscoveryMaxAge(seconds) ? String(Math.round(seconds / SECONDS_PER_MINUTE)) : '';
}

/**
 * What a person typed in the minutes field: {seconds} (null for an empty field, the default),
 * or {problem} when it is not a whole number of minutes within the rule's bounds.
 */
export function parseDiscoveryAge(text) {
  const typed = String(text ?? '').trim();
  if (typed === '') return { seconds: null };
  const seconds = /^[0-9]{1,7}$/.test(typed) ? Number(typed) * SECONDS_PER_MINUTE : NaN;
  if (isSsoDiscoveryMaxAge(seconds)) return { seconds };
  return {
    problem: `\u201c${typed}\u201d is not a whole number of minutes from `
      + `${SSO_DISCOVERY_MINUTES.min} to ${SSO_DISCOVERY_MINUTES.max} (a week)`,
  };
}

const MAX_PREFIX = 40;

/** Returns complete, valid settings: unknown keys dropped, invalid values replaced by defaults. */
export function normalizeSettings(raw) {
  const input = raw && typeof raw === 'object' ? raw : {};
  const settings = { ...DEFAULT_SETTINGS };
  if (typeof input.containersEnabled === 'boolean') settings.containersEnabled = input.containersEnabled;
  if (typeof input.containerPrefix === 'string') {
    settings.containerPrefix = input.containerPrefix.slice(0, MAX_PREFIX);
  }
  if (OPEN_MODES.includes(input.openMode)) settings.openMode = input.openMode;
  if (typeof input.region === 'string') {
    const region = normalizeRegion(input.region);
    if (region === '' || isRegion(region)) settings.region = region;
  }
  const duration = Number(input.sessionDuration);
  if (SESSION_DURATIONS.includes(duration)) settings.sessionDuration = duration;
  if (typeof input.keepPopupOpen === 'boolean') settings.keepPopupOpen = input.keepPopupOpen;
  if (typeof input.signOutClosesTabs === 'boolean') settings.signOutClosesTabs = input.signOutClosesTabs;
  if (isSsoDiscoveryMaxAge(input.ssoDiscoveryMaxAge)) settings.ssoDiscoveryMaxAge = input.ssoDiscoveryMaxAge;
  return settings;
}

/** The login request's params for a profile under these settings (PROTOCOL.md "login"). */
export function loginParams(profileName, settings, mfaCode) {
  const params = { profile: profileName };
  if (settings.region) params.region = settings.region;
  if (settings.sessionDuration) params.duration = settings.sessionDuration;
  if (mfaCode) params.mfa_code = mfaCode;
  return params;
}

/**
 * The sso_roles request's params under these settings (PROTOCOL.md "sso_roles"): max_age only
 * when the user chose one, so the host's default applies otherwise.
 */
export function ssoRolesParams(settings, { refresh = false } = {}) {
  const params = {};
  if (refresh) params.refresh = true;
  if (isSsoDiscoveryMaxAge(settings?.ssoDiscoveryMaxAge)) params.max_age = settings.ssoDiscoveryMaxAge;
  return params;
}

/**
 * What the options page saves when the user changes a field: `previous` (the saved settings)
 * with every valid value of `raw` (the form's values) applied, and `problems`, one sentence per
 * field whose value cannot be saved ({region: "..."}). An invalid field keeps its saved value and
 * never stops the other fields from being saved. A region is saved as botocore spells it
 * ("EU-WEST-1" -> "eu-west-1"); the discovery age is typed in minutes (a string) and saved in
 * seconds, an empty field meaning the default.
 */
export function applySettings(previous, raw) {
  const saved = normalizeSettings(previous);
  const input = raw && typeof raw === 'object' ? { ...raw } : {};
  const problems = {};
  if (typeof input.region === 'string') {
    const region = normalizeRegion(input.region);
    if (region !== '' && !isRegion(region)) {
      problems.region = `\u201c${input.region.trim()}\u201d is not an AWS region name such as `
        + `eu-west-1, so the region stays ${saved.region ? `\u201c${saved.region}\u201d` : 'unset'}.`;
      input.region = saved.region;
    } else {
      input.region = region;
    }
  }
  if (typeof input.ssoDiscoveryMaxAge === 'string') {
    const { seconds, problem } = parseDiscoveryAge(input.ssoDiscoveryMaxAge);
    if (problem) {
      const kept = saved.ssoDiscoveryMaxAge
        ? `${discoveryAgeText(saved.ssoDiscoveryMaxAge)} minutes`
        : `the default (${SSO_DISCOVERY_MINUTES.default} minutes)`;
      problems.ssoDiscoveryMaxAge = `${problem}, so the age stays ${kept}.`;
      input.ssoDiscoveryMaxAge = saved.ssoDiscoveryMaxAge;
    } else {
      input.ssoDiscoveryMaxAge = seconds;
    }
  }
  // An emptied field (null) goes back to the default: normalizeSettings keeps valid ages only.
  return { settings: normalizeSettings({ ...saved, ...input }), problems };
}

/**
 * Which sections of the options page apply to this browser: the container options where the
 * browser has containers (Firefox's contextualIdentities API, switched on), the opening modes
 * where it has none or they are switched off in roleport (a login is then opened by them).
 */
export function applicableSections({ containersSupported, containersEnabled }) {
  return {
    containers: Boolean(containersSupported),
    openMode: !containersSupported || !containersEnabled,
  };
}

/**
 * Whether the browser offers containers: Firefox's contextualIdentities API, which rejects its
 * calls when containers are switched off (privacy.userContext.enabled); Chromium has none.
 */
export async function containersSupported(api) {
  if (typeof api?.contextualIdentities?.query !== 'function') return false;
  try {
    await api.contextualIdentities.query({});
    return true;
  } catch {
    return false;
  }
}
