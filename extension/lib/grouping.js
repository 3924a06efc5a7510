/**
 * Sections of the popup list: favourites, then recently used, then one group per account
 * (named by account name, else id) with its roles beneath. A profile appears in one section
 * only, so each `data-profile` button is unique in the page.
 */

const UNKNOWN_ACCOUNT = 'Other profiles';

/** The grouping key of a profile: its account id, else its account name, else a catch-all. */
export function accountKey(profile) {
  return profile.account_id || profile.account_name || '';
}

/** Title and subtitle of an account group. */
export function accountTitle(profile) {
  if (profile.account_name && profile.account_id) {
    return { title: profile.account_name, subtitle: profile.account_id };
  }
  if (profile.account_name || profile.account_id) {
    return { title: profile.account_name || profile.account_id, subtitle: '' };
  }
  return { title: UNKNOWN_ACCOUNT, subtitle: '' };
}

// One collator for all comparisons: String#localeCompare builds one per call and is far slower.
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function byName(a, b) {
  return collator.compare(String(a.name), String(b.name));
}

/**
 * Groups profiles for display.
 * - ranked=false (no query): favourites and recently used first, then accounts by title,
 *   profiles by name within each account.
 * - ranked=true (a query is typed): the input order is the ranking; accounts appear in the
 *   order of their best match and keep that order inside.
 * Returns [{id, title, subtitle, profiles}] without empty sections.
 */
export function groupProfiles(profiles, { favourites = [], recent = [], ranked = false } = {}) {
  const sections = [];
  let remaining = profiles;
  if (!ranked) {
    const byProfileName = new Map(profiles.map((profile) => [profile.name, profile]));
    const taken = new Set();
    const pick = (names) => names
      .filter((name) => byProfileName.has(name) && !taken.has(name))
      .map((name) => {
        taken.add(name);
        return byProfileName.get(name);
      });
    const favouriteProfiles = pick(favourites);
    const recentProfiles = pick(recent);
    if (favouriteProfiles.length) {
      sections.push({ id: 'favourites', title: 'Favourites', subtitle: '', profiles: favouriteProfiles });
    }
    if (recentProfiles.length) {
      sections.push({ id: 'recent', title: 'Recently used', subtitle: '', profiles: recentProfiles });
    }
    remaining = profiles.filter((profile) => !taken.has(profile.name));
  }
  const accounts = new Map();
  for (const profile of remaining) {
    const key = accountKey(profile);
    let group = accounts.get(key);
    if (!group) {
      group = { id: `account:${key}`, ...accountTitle(profile), profiles: [] };
      accounts.set(key, group);
    }
    group.profiles.push(profile);
  }
  let groups = [...accounts.values()];
  if (!ranked) {
    groups.sort((a, b) => {
      // The catch-all group without an account goes last.
      if (!a.id.slice(8) !== !b.id.slice(8)) return a.id.slice(8) ? -1 : 1;
      return collator.compare(a.title, b.title) || collator.compare(a.subtitle, b.subtitle);
    });
    groups = groups.map((group) => ({ ...group, profiles: [...group.profiles].sort(byName) }));
  }
  return [...sections, ...groups];
}
