/**
 * Firefox container naming and a colour/icon per profile that stays the same across machines
 * and restarts (an FNV-1a hash of the profile name), unless the profile configures its own
 * (roleport_color / roleport_icon, delivered by the host as `color` / `icon`).
 */

/** Colours every supported Firefox (>= 128) accepts for contextualIdentities. */
export const CONTAINER_COLORS = Object.freeze([
  'blue', 'turquoise', 'green', 'yellow', 'orange', 'red', 'pink', 'purple', 'toolbar',
]);
/** Icons every supported Firefox (>= 128) accepts for contextualIdentities. */
export const CONTAINER_ICONS = Object.freeze([
  'fingerprint', 'briefcase', 'dollar', 'cart', 'circle', 'gift', 'vacation', 'food', 'fruit',
  'pet', 'tree', 'chill', 'fence',
]);
/** Derived colours leave out 'toolbar' (it looks like no container at all). */
const DERIVED_COLORS = CONTAINER_COLORS.filter((color) => color !== 'toolbar');

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

export function stableColor(name) {
  return DERIVED_COLORS[fnv1a(String(name)) % DERIVED_COLORS.length];
}

export function stableIcon(name) {
  // A different slice of the hash than the colour so the two vary independently.
  return CONTAINER_ICONS[(fnv1a(String(name)) >>> 8) % CONTAINER_ICONS.length];
}

function configured(value, allowed) {
  const normalized = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return allowed.includes(normalized) ? normalized : null;
}

/**
 * The container's look for a profile: {color, icon, explicit}. `explicit` tells whether the
 * profile configured it (then an existing container is updated to match) or it was derived
 * (then an existing container keeps whatever the user set in Firefox).
 */
export function containerStyle(profile) {
  const name = String(profile?.name ?? '');
  const color = configured(profile?.color, CONTAINER_COLORS);
  const icon = configured(profile?.icon, CONTAINER_ICONS);
  return {
    color: color ?? stableColor(name),
    icon: icon ?? stableIcon(name),
    explicitColor: color !== null,
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
