/**
 * The popup's rows and sections as DOM, and the places other features hook into:
 *
 * - addBadgeProvider(provider): provider(profile) returns badges for the row's second line,
 *   [{text, title, className?}] (or nothing); called on every render, so a provider reads
 *   its own state and a feature calls refreshBadges(root, name) when that state changes.
 * - showRowMessage(row, {tone, message, hint, actions}) / clearRowMessage(row): the inline
 *   message area under a row (errors, notices), announced to screen readers.
 * - rowSlot(row): the area under a row where forms (the MFA field) go.
 * - LIST_CHANGED_EVENT: dispatched on the list after each render, which keeps the rows and
 *   sections that did not change (with what was painted on them) and builds the others.
 *
 * Each row: a colour bar (the environment, lib/style.js), a two-line button (line 1: role,
 * plus the account where the section mixes accounts; line 2: profile, effective region,
 * badges, progress), a favourite star, then the slot for forms and messages.
 */
import { accountLabel, rowKey } from './lib/grouping.js';
import { h, withCode } from './lib/ui.js';

export const LIST_CHANGED_EVENT = 'roleport:list-changed';

const KIND_BADGES = { sso: ['SSO', 'IAM Identity Center'] };
const badgeProviders = [];

/** Registers a function profile -> [{text, title, className?}] adding badges to rows. */
export function addBadgeProvider(provider) {
  badgeProviders.push(provider);
}

function builtinBadges(profile) {
  const badges = [];
  // PROTOCOL.md "profiles": a profile botocore will refuse is listed with a short `problem`.
  if (typeof profile.problem === 'string' && profile.problem) {
    badges.push({ text: '\u26a0 problem', title: profile.problem, className: 'badge-problem' });
  }
  if (KIND_BADGES[profile.kind]) {
    const [text, title] = KIND_BADGES[profile.kind];
    badges.push({ text, title });
  }
  if (profile.chained) badges.push({ text: 'chained', title: 'Role chained from another role' });
  return badges;
}

/** The badges of a row, as data: [{text, title, className?}] (built-in, then providers'). */
export function rowBadges(profile) {
  const badges = [...builtinBadges(profile)];
  for (const provider of badgeProviders) {
    try {
      badges.push(...(provider(profile) ?? []));
    } catch {
      // One feature's badge must never break the list.
    }
  }
  return badges;
}

/** A string that changes whenever the row's badges do (a row built before can be reused). */
export function badgeSignature(badges) {
  return badges.map(({ text, title, className }) => `${text}\u0001${title ?? ''}\u0001${className ?? ''}`)
    .join('\u0002');
}

function badgeNodes(profile, badges = rowBadges(profile)) {
  return badges.map(({ text, title, className }) => h('span', {
    className: className ? `badge ${className}` : 'badge', title,
  }, text));
}

/** The region a login will use: the options' override when set, else the profile's. */
export function effectiveRegion(profile, settings) {
  if (settings?.region) return { region: settings.region, overridden: true };
  return { region: profile.region || '', overridden: false };
}

/**
 * One row. `context`: {sectionId, showAccount, favourite, color, settings, badges?} (badges:
 * rowBadges(profile), when the caller computed them already).
 */
export function renderRow(profile, context) {
  const name = profile.name;
  const role = profile.role || name;
  const account = context.showAccount ? accountLabel(profile) : '';
  const { region, overridden } = effectiveRegion(profile, context.settings);
  const line1 = h('span', { className: 'line1' },
    h('span', { className: 'role-name' }, role),
    account ? h('span', { className: 'row-account' }, account) : null);
  const line2 = h('span', { className: 'line2' },
    // A discovered role's name is an internal key: its account and role say it all.
    (role !== name || account) && !profile.discovered
      ? h('span', { className: 'profile-name' }, name) : null,
    region ? h('span', {
      className: overridden ? 'region region-override' : 'region',
      title: overridden ? `Region ${region}, set in the options for every profile` : `Region ${region}`,
    }, region) : null,
    h('span', { className: 'badges' }, badgeNodes(profile, context.badges)),
    h('span', { className: 'progress' }));
  const shownName = role !== name && !profile.discovered ? name : '';
  const tooltip = [role, account, shownName, region].filter(Boolean).join(' \u00b7 ');
  // Spaces between the parts keep the accessible name readable ("Admin prod-admin eu-west-1").
  const button = h('button', {
    type: 'button', className: 'role', title: tooltip, dataset: { profile: name },
  }, line1, ' ', line2);
  const favourite = context.favourite;
  const star = h('button', {
    type: 'button',
    className: 'star',
    'aria-pressed': String(favourite),
    'aria-label': `Favourite ${name}`,
    title: favourite ? 'Remove from favourites' : 'Add to favourites',
    dataset: { favourite: name },
  }, favourite ? '\u2605' : '\u2606');
  return h('li', {
    className: 'row',
    dataset: { profile: name, rowKey: rowKey(context.sectionId, name), env: context.color },
  }, h('div', { className: 'row-line' }, button, star), h('div', { className: 'row-slot' }));
}

/** Re-computes the badges of every row of `name` (a feature's state changed). */
export function refreshBadges(root, profile) {
  for (const row of root.querySelectorAll(`li.row[data-profile="${CSS.escape(profile.name)}"]`)) {
    row.querySelector('.badges')?.replaceChildren(...badgeNodes(profile));
  }
}

/**
 * A section: an account's sticky header with its colour bar, or Favourites / Recent, or the
 * collapsed Source credentials (a <details>, so it opens with the keyboard and says so).
 */
export function renderSection(section, rows, { color = null, open = false } = {}) {
  const headingId = `heading-${section.id.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
  const heading = h('h2', { id: headingId, className: 'section-title' },
    h('span', { className: 'account-name' }, section.title),
    section.subtitle ? h('span', { className: 'account-id' }, section.subtitle) : null);
  const list = h('ul', {}, rows);
  if (section.collapsed) {
    const details = h('details', { className: 'section-sources', dataset: { section: section.id } },
      h('summary', { className: 'section-header' }, heading,
        h('span', { className: 'section-note' }, `${rows.length} used by other profiles`)),
      list);
    details.open = open;
    return h('section', { 'aria-labelledby': headingId, dataset: { section: section.id } }, details);
  }
  return h('section', {
    'aria-labelledby': headingId, className: `section-${section.kind}`, dataset: { section: section.id },
  }, h('div', { className: 'section-header', dataset: color ? { env: color } : {} }, heading), list);
}

/** The area under a row for forms (MFA) and messages. */
export function rowSlot(row) {
  return row.querySelector('.row-slot');
}

/** A message box: {tone: 'error'|'info', message, hint, actions: [{id, label}]}. */
export function messageBox({ tone = 'error', message, hint = '', actions = [], role = 'alert', id = null }) {
  return h('div', { className: `row-message row-${tone}`, role, id },
    h('span', { className: 'message' }, withCode(message)),
    hint ? h('span', { className: 'hint' }, withCode(hint)) : null,
    actions.length ? h('span', { className: 'row-actions' }, actions.map((action) => h('button', {
      type: 'button', className: 'row-action', dataset: { action: action.id },
    }, action.label))) : null);
}

/**
 * Shows a message under the row (replacing the previous one); `scroll` brings it into view
 * (a new message), while a message shown again on a rebuilt list leaves the scroll position
 * where the user put it.
 */
export function showRowMessage(row, message, { scroll = true } = {}) {
  clearRowMessage(row);
  const box = messageBox(message);
  rowSlot(row).append(box);
  row.classList.toggle('has-error', message.tone !== 'info');
  if (scroll) box.scrollIntoView({ block: 'nearest' });
  return box;
}

export function clearRowMessage(row) {
  rowSlot(row)?.querySelector(':scope > .row-message')?.remove();
  row.classList.remove('has-error');
}
