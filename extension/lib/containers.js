/**
 * Firefox containers per profile: reuse by name, create when missing, update the colour/icon
 * when the profile configures different ones, never two containers of the same name.
 */
import { createKeyedLock } from './keyed-lock.js';

const lock = createKeyedLock();

/** Newer Firefox releases report a container created "turquoise" as "cyan". */
function sameColor(actual, wanted) {
  const canonical = (color) => (color === 'cyan' ? 'turquoise' : color);
  return canonical(actual) === canonical(wanted);
}

/**
 * Returns the cookieStoreId of the container called `name`, creating or updating it.
 * `identities` is browser.contextualIdentities (injected for tests). `style` comes from
 * containerStyle(); derived colours/icons are used only when creating.
 */
export function ensureContainer(identities, name, style, runExclusive = lock) {
  return runExclusive(name, async () => {
    const found = (await identities.query({ name })).filter((identity) => identity.name === name);
    if (found.length === 0) {
      const created = await identities.create({ name, color: style.color, icon: style.icon });
      return created.cookieStoreId;
    }
    const existing = found[0];
    const changes = {};
    if (style.explicitColor && !sameColor(existing.color, style.color)) changes.color = style.color;
    if (style.explicitIcon && existing.icon !== style.icon) changes.icon = style.icon;
    if (Object.keys(changes).length > 0) {
      try {
        await identities.update(existing.cookieStoreId, changes);
      } catch {
        // Recolouring is cosmetic: a container Firefox will not change (its built-in "Work",
        // say) is still the right one to open the console in.
      }
    }
    return existing.cookieStoreId;
  });
}
