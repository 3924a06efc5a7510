/**
 * User options (storage.local "settings"), their defaults and validation. The options page
 * writes them, the background reads them on every login, the popup reads keepPopupOpen.
 */
import {
  MAX_CONSOLE_DURATION, MIN_CONSOLE_DURATION, isRegion, normalizeRegion,
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
});

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
 * What the options page saves when the user changes a field: `previous` (the saved settings)
 * with every valid value of `raw` (the form's values) applied, and `problems`, one sentence per
 * field whose value cannot be saved ({region: "..."}). An invalid field keeps its saved value and
 * never stops the other fields from being saved. A region is saved as botocore spells it
 * ("EU-WEST-1" -> "eu-west-1").
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
