/**
 * One colour per environment (AWS account) for the popup, the Firefox containers and the
 * Chromium tab groups, and the container's name and icon.
 *
 * The colour of a profile, first that applies:
 * 1. its own `roleport_color` / `granted_color` (host column `color`);
 * 2. its account's colour: `roleport_account_color` on any profile of the account (column
 *    `account_color`), else `roleport_color` / `granted_color` on any profile of the account
 *    (the first in the config's order);
 * 3. a colour derived from the account id (FNV-1a), the same on every machine and restart;
 *    without an account, the neutral `toolbar` grey.
 * Icons are never derived: the configured one (`roleport_icon` / `granted_icon`), else one
 * neutral default. Names are the colours and icons Firefox's contextualIdentities accept
 * (MDN, "contextualIdentities.ContextualIdentity"); tab groups take the nearest of Chrome's
 * (Chrome developers, "chrome.tabGroups", Color).
 */
import { accountKey } from './grouping.js';

/** Colours every supported Firefox (>= 128) accepts for contextualIdentities. */
export const CONTAINER_COLORS = Object.freeze([
  'blue', 'turquoise', 'green', 'yellow', 'orange', 'red', 'pink', 'purple', 'toolbar',
]);
/** Icons every supported Firefox (>= 128) accepts for contextualIdentities. */
export const CONTAINER_ICONS = Object.freeze([
  'fingerprint', 'briefcase', 'dollar', 'cart', 'circle', 'gift', 'vacation', 'food', 'fruit',
  'pet', 'tree', 'chill', 'fence',
]);
/** The icon of a container whose profile configures none: plain, so it says nothing. */
export const DEFAULT_ICON = 'circle';
/** The colour of profiles without an account (and of nothing configured): a neutral grey. */
export const NEUTRAL_COLOR = 'toolbar';
/** Derived colours leave out 'toolbar' (it looks like no container at all). */
const DERIVED_COLORS = CONTAINER_COLORS.filter((color) => color !== NEUTRAL_COLOR);

/** Chrome tab group colours, for grouping tabs when there are no containers. */
export const TAB_GROUP_COLORS = Object.freeze([
  'grey', 'blue', 'red', 'yellow', 'green', 'pink', 'purple', 'cyan', 'orange',
]);
const CONTAINER_TO_GROUP_COLOR = {
  blue: 'blue', turquoise: 'cyan', green: 'green', yellow: 'yellow', orange: 'orange',
  red: 'red', pink: 'pink', purple: 'purple', toolbar: 'grey',
};

/** 32-bit FNV-1a over the UTF-16 code units: tiny, stable, well spread for short names. */
export function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A colour for `key` (an account id), the same every time; never the neutral grey. */
export function stableColor(key) {
  return DERIVED_COLORS[fnv1a(String(key)) % DERIVED_COLORS.length];
}

function configured(value, allowed) {
  const normalized = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return allowed.includes(normalized) ? normalized : null;
}

/** A configured colour name if Firefox knows it ("Red" -> "red"), else null. */
export function configuredColor(value) {
  return configured(value, CONTAINER_COLORS);
}

/**
 * The colour of every account of `profiles`: Map accountKey -> {color, explicit}. `explicit`
 * tells whether the config chose it (then an existing container is recoloured to match).
 */
export function accountColors(profiles) {
  const fromAccountKey = new Map();
  const fromProfileKey = new Map();
  for (const profile of profiles) {
    const key = accountKey(profile);
    if (!key) continue;
    const accountColor = configuredColor(profile.account_color);
    if (accountColor && !fromAccountKey.has(key)) fromAccountKey.set(key, accountColor);
    const ownColor = configuredColor(profile.color);
    if (ownColor && !fromProfileKey.has(key)) fromProfileKey.set(key, ownColor);
  }
  const colours = new Map();
  for (const profile of profiles) {
    const key = accountKey(profile);
    if (colours.has(key)) continue;
    const chosen = fromAccountKey.get(key) ?? fromProfileKey.get(key);
    if (chosen) colours.set(key, { color: chosen, explicit: true });
    else if (key) colours.set(key, { color: stableColor(key), explicit: false });
    else colours.set(key, { color: NEUTRAL_COLOR, explicit: false });
  }
  return colours;
}

/** The colour of one account as accountColors() gives it, for a group's header. */
export function accountColor(profile, accounts) {
  return (accounts?.get(accountKey(profile)) ?? accountColors([profile]).get(accountKey(profile)));
}

/** A profile's colour: {color, explicit}; its own configured colour, else its account's. */
export function profileColor(profile, accounts = null) {
  const own = configuredColor(profile?.color);
  if (own) return { color: own, explicit: true };
  return accountColor(profile ?? {}, accounts);
}

/**
 * The container's look for a profile: {color, icon, explicitColor, explicitIcon}. `accounts`
 * (from accountColors() over the whole list) gives the account's colour; without it only the
 * profile's own settings and account id count. An explicit value updates an existing
 * container; a derived one is used only when creating it (the user may have changed it).
 */
export function containerStyle(profile, accounts = null) {
  const { color, explicit } = profileColor(profile ?? {}, accounts);
  const icon = configured(profile?.icon, CONTAINER_ICONS);
  return {
    color,
    icon: icon ?? DEFAULT_ICON,
    explicitColor: explicit,
    explicitIcon: icon !== null,
  };
}

/**
 * The container for a profile: the host's `container` (roleport_container in the profile)
 * wins, else prefix + profile name. Firefox shows names verbatim; an empty name is not allowed.
 */
export function containerName(profileName, { prefix = '', configured: fromConfig = null } = {}) {
  const explicit = typeof fromConfig === 'string' ? fromConfig.trim() : '';
  if (explicit) return explicit;
  return `${prefix ?? ''}${profileName}`;
}

/** The tab group colour closest to a container colour. */
export function tabGroupColor(containerColor) {
  return CONTAINER_TO_GROUP_COLOR[containerColor] ?? 'grey';
}
