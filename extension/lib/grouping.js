/**
 * Sections of the popup list, without a query: Favourites, then Recently used, then one group
 * per account (named accounts first by name, then bare account ids, then profiles without an
 * account), then "Source credentials". A favourite or recent profile also stays in its
 * account's group, so a row button's `data-profile` may appear twice; rows are told apart by
 * their section (`rowKey`).
 *
 * Source credentials: a profile that another profile names as its `source_profile` and that
 * has no role of its own (IAM user keys, credential_process, `aws login`, web identity
 * without role) exists to feed the others; it is listed in a group collapsed by default.
 * A profile with a role (an SSO permission set, an assumed role) keeps its account group even
 * when others chain from it: it is a console users open.
 */

const UNKNOWN_ACCOUNT = 'Other profiles';
export const SOURCES_SECTION = 'sources';

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

/** How a row names its account in sections that mix accounts (Favourites, Recent). */
export function accountLabel(profile) {
  return profile.account_name || profile.account_id || '';
}

/** Names of the profiles that only feed others (see the module comment). */
export function sourceOnlyNames(profiles) {
  const used = new Set();
  for (const profile of profiles) {
    if (typeof profile.source_profile === 'string' && profile.source_profile !== profile.name) {
      used.add(profile.source_profile);
    }
  }
  const names = new Set();
  for (const profile of profiles) {
    if (used.has(profile.name) && !profile.role) names.add(profile.name);
  }
  return names;
}

/** A row's identity in the page: its section and profile (a profile may be in two sections). */
export function rowKey(sectionId, name) {
  return `${sectionId}\n${name}`;
}

// One collator for all comparisons: String#localeCompare builds one per call and is far slower.
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function byName(a, b) {
  return collator.compare(String(a.name), String(b.name));
}

/** 0: named accounts, 1: bare account ids, 2: no account. */
function accountRank(group) {
  if (!group.key) return 2;
  return group.named ? 0 : 1;
}

function accountGroups(profiles) {
  const accounts = new Map();
  for (const profile of profiles) {
    const key = accountKey(profile);
    let group = accounts.get(key);
    if (!group) {
      group = {
        id: `account:${key}`, kind: 'account', key, named: false, ...accountTitle(profile), profiles: [],
      };
      accounts.set(key, group);
    }
    // Any profile naming the account names the group (one may set the name, others not).
    if (!group.named && profile.account_name) {
      Object.assign(group, accountTitle(profile), { named: true });
    }
    group.profiles.push(profile);
  }
  return [...accounts.values()];
}

/** A group as the popup sees it: `named` only served the ordering. */
function withoutNamed({ named: _named, ...group }) {
  return group;
}

function compareGroups(a, b) {
  return accountRank(a) - accountRank(b)
    || collator.compare(a.title, b.title) || collator.compare(a.subtitle, b.subtitle);
}

/**
 * The first groups in compareGroups order that together hold at least `rows` profiles (all
 * groups when they hold fewer), sorted. With thousands of accounts and a list that shows the
 * first few dozen, this compares most groups once with the last one kept instead of sorting
 * them all (collation is what a sort of thousands of names spends its time on).
 */
export function firstGroups(groups, rows = Infinity) {
  if (!(rows < Infinity)) return [...groups].sort(compareGroups);
  if (rows <= 0) return [];
  // A heap whose root is the last kept group in display order.
  const heap = [];
  let kept = 0;
  const later = (i, j) => compareGroups(heap[i], heap[j]) > 0;
  const swap = (i, j) => { [heap[i], heap[j]] = [heap[j], heap[i]]; };
  const push = (group) => {
    heap.push(group);
    kept += group.profiles.length;
    for (let child = heap.length - 1; child > 0;) {
      const parent = (child - 1) >> 1;
      if (!later(child, parent)) break;
      swap(child, parent);
      child = parent;
    }
  };
  const pop = () => {
    kept -= heap[0].profiles.length;
    const last = heap.pop();
    if (heap.length === 0) return;
    heap[0] = last;
    for (let parent = 0; ;) {
      let latest = parent;
      for (const child of [2 * parent + 1, 2 * parent + 2]) {
        if (child < heap.length && later(child, latest)) latest = child;
      }
      if (latest === parent) return;
      swap(latest, parent);
      parent = latest;
    }
  };
  for (const group of groups) {
    // Enough rows before the root, and this group comes after it: not shown.
    if (kept >= rows && compareGroups(group, heap[0]) > 0) continue;
    push(group);
    // The root is not needed once the groups before it hold enough rows.
    while (heap.length > 1 && kept - heap[0].profiles.length >= rows) pop();
  }
  return heap.sort(compareGroups);
}

/**
 * Groups profiles for display.
 * - ranked=false (no query): Favourites and Recently used first (a recent favourite only in
 *   Favourites), then every account (named first, then bare ids, each by title; profiles by
 *   name), then the catch-all, then Source credentials (`collapsed: true`).
 * - ranked=true (a query is typed): the input order is the ranking; accounts appear in the
 *   order of their best match and keep that order inside; nothing is set apart.
 * - limit (rows the caller shows, unranked only): sections that start after the first
 *   `limit` rows are left out, so that the first list of thousands of profiles sorts only
 *   the accounts it shows; the sections returned are the same as without a limit.
 * Returns [{id, kind, key?, title, subtitle, profiles, collapsed?}] without empty sections;
 * kind is 'favourites', 'recent', 'account' or 'sources'.
 */
export function groupProfiles(profiles, {
  favourites = [], recent = [], ranked = false, limit = Infinity,
} = {}) {
  if (ranked) {
    return accountGroups(profiles).map(withoutNamed);
  }
  const sections = [];
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
    sections.push({
      id: 'favourites', kind: 'favourites', title: 'Favourites', subtitle: '', profiles: favouriteProfiles,
    });
  }
  if (recentProfiles.length) {
    sections.push({
      id: 'recent', kind: 'recent', title: 'Recently used', subtitle: '', profiles: recentProfiles,
    });
  }
  const sources = sourceOnlyNames(profiles);
  const accounts = accountGroups(sources.size
    ? profiles.filter((profile) => !sources.has(profile.name)) : profiles);
  const rows = limit - favouriteProfiles.length - recentProfiles.length;
  const groups = firstGroups(accounts, rows);
  for (const group of groups.map(withoutNamed)) {
    sections.push({ ...group, profiles: [...group.profiles].sort(byName) });
  }
  const shown = groups.reduce((count, group) => count + group.profiles.length, 0);
  if (sources.size && groups.length === accounts.length && shown < rows) {
    sections.push({
      id: SOURCES_SECTION,
      kind: 'sources',
      title: 'Source credentials',
      subtitle: '',
      collapsed: true,
      profiles: profiles.filter((profile) => sources.has(profile.name)).sort(byName),
    });
  }
  return sections;
}

/**
 * A filter's rows (the popup's "Signed in"): each wanted profile once, in its account's
 * section, not again under Favourites or Recently used. A profile without an account row on
 * the page keeps its first row: its account is not shown yet (the first list shows the first
 * accounts only), or it is a source credential, whose section starts collapsed.
 * `rows`: [{profile, section}] in page order (section: a section id above).
 * Returns the indexes of the rows to show.
 */
export function oneRowEach(rows, wanted) {
  const inAccount = (index) => rows[index].section?.startsWith('account:') ?? false;
  const chosen = new Map();
  rows.forEach(({ profile }, index) => {
    if (!wanted.has(profile)) return;
    const known = chosen.get(profile);
    if (known === undefined || (!inAccount(known) && inAccount(index))) {
      chosen.set(profile, index);
    }
  });
  return new Set(chosen.values());
}
