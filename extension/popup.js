/**
 * The toolbar popup: paints the cached profile list at once, refreshes it through the
 * background, filters as you type and opens a profile's console. It never sees a login URL.
 */
import { ext } from './lib/browser.js';
import { errorFields } from './lib/errors.js';
import { buildIndex, rankProfiles, tokenize } from './lib/fuzzy.js';
import { groupProfiles } from './lib/grouping.js';
import { pushRecent, rowsToProfiles, toggleFavourite } from './lib/profiles.js';
import { isMfaCode, normalizeMfaCode } from './lib/rules.js';
import { STORAGE_KEYS, normalizeSettings } from './lib/settings.js';
import { callBackground, h, showError } from './lib/ui.js';
import { mergeDiscovered } from './lib/discovery.js';
import { createSsoPanel, discoveredLoginMessage, isSignInError } from './popup-sso.js';

/** The DOM holds at most this many rows: 5,000 profiles stay smooth, typing narrows the rest. */
const MAX_ROWS = 150;
const MFA_CODES = new Set(['mfa_required', 'mfa_invalid']);
const KIND_BADGES = { sso: 'SSO' };

const search = document.getElementById('search');
const results = document.getElementById('results');
const errorBox = document.getElementById('error');
const listStatus = document.getElementById('list-status');

const state = {
  profiles: [],
  index: [],
  generation: null,
  favourites: [],
  recent: [],
  settings: normalizeSettings(null),
  loaded: false,
  loadFailed: false,
  busy: new Set(),
  mfaProfile: null,
  refreshWaiting: false,
  renderTimer: null,
  inTab: false,
};

function roleButton(name) {
  return results.querySelector(`button.role[data-profile="${CSS.escape(name)}"]`);
}

function roleButtons() {
  return [...results.querySelectorAll('button.role')];
}

function badgesFor(profile) {
  const badges = [];
  // PROTOCOL.md "profiles": a profile botocore will refuse is listed with a short `problem`.
  if (typeof profile.problem === 'string' && profile.problem) {
    badges.push(['\u26a0 problem', profile.problem]);
  }
  if (profile.mfa) badges.push(['MFA', 'Needs an MFA code']);
  if (KIND_BADGES[profile.kind]) badges.push([KIND_BADGES[profile.kind], 'IAM Identity Center']);
  if (profile.chained) badges.push(['chained', 'Role chained from another role']);
  if (profile.discovered) badges.push(['discovered', 'Listed by IAM Identity Center; no profile needed']);
  return badges.map(([text, title]) => h('span', { className: 'badge', title }, text));
}

function rowFor(profile) {
  const name = profile.name;
  const favourite = state.favourites.includes(name);
  const role = profile.role || name;
  const parts = [
    h('span', { className: 'role-name' }, role),
    role !== name && !profile.discovered ? h('span', { className: 'profile-name' }, name) : null,
    profile.region ? h('span', { className: 'region' }, profile.region) : null,
    ...badgesFor(profile),
    h('span', { className: 'progress' }),
  ].filter(Boolean);
  // Spaces between the parts keep the accessible name readable ("Admin prod-admin eu-west-1").
  const spaced = parts.flatMap((part, i) => (i === 0 ? [part] : [' ', part]));
  const button = h('button', { type: 'button', className: 'role', dataset: { profile: name } }, spaced);
  const star = h('button', {
    type: 'button',
    className: 'star',
    'aria-pressed': String(favourite),
    'aria-label': `Favourite ${name}`,
    title: favourite ? 'Remove from favourites' : 'Add to favourites',
    dataset: { favourite: name },
  }, favourite ? '\u2605' : '\u2606');
  return h('li', { className: 'row' }, button, star);
}

function sectionFor(section, rows) {
  const headingId = `heading-${section.id.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
  return h('section', { 'aria-labelledby': headingId },
    h('h2', { id: headingId }, section.title,
      section.subtitle ? h('span', { className: 'account-id' }, section.subtitle) : null),
    h('ul', {}, rows));
}

/** Builds the visible sections, capped at MAX_ROWS rows, and returns [nodes, shown, total]. */
function buildList(query) {
  const favourites = new Set(state.favourites);
  const recent = new Set(state.recent);
  let sections;
  let total;
  if (tokenize(query).length === 0) {
    sections = groupProfiles(state.profiles, {
      favourites: state.favourites, recent: state.recent,
    });
    total = state.profiles.length;
  } else {
    const boost = (profile) => (favourites.has(profile.name) ? 25 : 0)
      + (recent.has(profile.name) ? 10 : 0);
    const ranked = rankProfiles(state.index, query, { limit: MAX_ROWS, boost });
    sections = groupProfiles(ranked.matches, { ranked: true });
    total = ranked.total;
  }
  const nodes = [];
  let shown = 0;
  for (const section of sections) {
    if (shown >= MAX_ROWS) break;
    const profiles = section.profiles.slice(0, MAX_ROWS - shown);
    shown += profiles.length;
    nodes.push(sectionFor(section, profiles.map(rowFor)));
  }
  return [nodes, shown, total];
}

function describeList(query, shown, total) {
  if (!state.loaded && state.profiles.length === 0) return 'Loading profiles\u2026';
  if (state.profiles.length === 0) {
    return state.loadFailed ? 'The profile list could not be loaded.' : 'No AWS profiles found.';
  }
  if (total === 0) return `No profile matches \u201c${query.trim()}\u201d.`;
  if (shown < total) return `Showing ${shown} of ${total}; type to narrow the list.`;
  return `${total} ${total === 1 ? 'profile' : 'profiles'}`;
}

function render() {
  state.renderTimer = null;
  if (state.mfaProfile !== null) {
    // Rebuilding would drop the MFA field the user is typing into.
    state.refreshWaiting = true;
    return;
  }
  const focusedProfile = document.activeElement?.dataset?.profile ?? null;
  const query = search.value;
  const [nodes, shown, total] = buildList(query);
  results.replaceChildren(...nodes);
  listStatus.textContent = describeList(query, shown, total);
  for (const name of state.busy) {
    setRowState(name, 'busy');
    setProgress(name, 'Opening\u2026', true);
  }
  if (focusedProfile) roleButton(focusedProfile)?.focus();
}

/** Filters after the keystroke has painted, coalescing fast typing into one pass. */
function scheduleRender() {
  if (state.renderTimer !== null) return;
  state.renderTimer = setTimeout(render, 0);
}

function flushWaitingRender() {
  if (state.refreshWaiting && state.mfaProfile === null) {
    state.refreshWaiting = false;
    scheduleRender();
  }
}

function setProfiles(table) {
  state.configured = rowsToProfiles(table);
  state.profiles = mergeDiscovered(state.configured, state.discovered);
  state.index = buildIndex(state.profiles);
  state.generation = table?.generation ?? null;
}

function setProgress(name, text, busy) {
  const button = roleButton(name);
  if (!button) return;
  button.setAttribute('aria-busy', String(busy));
  button.querySelector('.progress').textContent = text;
}

function setRowState(name, value) {
  const button = roleButton(name);
  if (button) button.dataset.state = value;
}

function closeMfa() {
  results.querySelector('form.mfa')?.remove();
  state.mfaProfile = null;
}

function showMfa(name, error) {
  closeMfa();
  const button = roleButton(name);
  if (!button) {
    // The row was filtered away while the request ran: say so rather than prompt nowhere.
    showError(errorBox, { ...error, hint: `${error.hint ?? ''} Search for ${name} and open it again.`.trim() });
    return;
  }
  state.mfaProfile = name;
  const input = h('input', {
    id: 'mfa-code',
    name: 'mfa_code',
    type: 'text',
    autocomplete: 'one-time-code',
    inputmode: 'numeric',
    // Authenticator apps show and copy codes as "123 456": no maxlength/pattern that would
    // cut or refuse the pasted form; spaces are dropped and 6 digits checked on submit.
    maxlength: '12',
    required: true,
    'aria-describedby': 'mfa-help',
  });
  const device = error.mfa_serial ? ` of ${error.mfa_serial}` : '';
  const form = h('form', { className: 'mfa', dataset: { profile: name } },
    h('label', { for: 'mfa-code' }, `MFA code for ${name}`),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    h('span', { id: 'mfa-help', className: 'visually-hidden' },
      `Enter the 6-digit code${device}, then press Enter.`));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const code = normalizeMfaCode(input.value);
    if (!isMfaCode(code)) {
      showError(errorBox, errorFields('mfaCodeTyped', { device }));
      input.focus();
      return;
    }
    openProfile(name, { mfaCode: code });
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      closeMfa();
      setRowState(name, '');
      roleButton(name)?.focus();
      flushWaitingRender();
    }
  });
  button.closest('.row').append(form);
  input.focus();
}

/** Opens a profile's console through the background; `background` opens without focusing. */
async function openProfile(name, { background = false, mfaCode = null } = {}) {
  if (state.busy.has(name)) return;
  state.busy.add(name);
  showError(errorBox, null);
  setRowState(name, 'busy');
  setProgress(name, mfaCode ? 'Checking code\u2026' : 'Opening\u2026', true);
  listStatus.textContent = `Opening the console for ${name}\u2026`;
  const entry = state.profiles.find((profile) => profile.name === name);
  const message = discoveredLoginMessage(entry, { background })
    ?? { type: 'login', profile: name, background };
  if (mfaCode) message.mfa_code = mfaCode;
  const reply = await callBackground(ext, message);
  state.busy.delete(name);
  setProgress(name, '', false);
  if (reply.ok) {
    closeMfa();
    setRowState(name, 'opened');
    setProgress(name, 'Opened', false);
    state.recent = pushRecent(state.recent, name);
    listStatus.textContent = `Opened the console for ${name}.`;
    if (!state.settings.keepPopupOpen && !state.inTab) {
      window.close();
      return;
    }
    flushWaitingRender();
    return;
  }
  const error = reply.error;
  if (MFA_CODES.has(error.code)) {
    setRowState(name, 'mfa');
    listStatus.textContent = `${name} needs an MFA code.`;
    if (error.code === 'mfa_invalid') showError(errorBox, error);
    if (state.mfaProfile === name) {
      const input = document.getElementById('mfa-code');
      input.select();
      input.focus();
    } else {
      showMfa(name, error);
    }
    return;
  }
  closeMfa();
  if (isSignInError(error)) ssoPanel.offer(error);
  setRowState(name, 'error');
  listStatus.textContent = `Could not open the console for ${name}.`;
  showError(errorBox, error);
  roleButton(name)?.focus();
  flushWaitingRender();
}

async function toggleStar(name) {
  state.favourites = toggleFavourite(state.favourites, name);
  await ext.storage.local.set({ [STORAGE_KEYS.favourites]: state.favourites });
  const star = results.querySelector(`button.star[data-favourite="${CSS.escape(name)}"]`);
  if (star) {
    const favourite = state.favourites.includes(name);
    star.setAttribute('aria-pressed', String(favourite));
    star.title = favourite ? 'Remove from favourites' : 'Add to favourites';
    star.textContent = favourite ? '\u2605' : '\u2606';
  }
}

function withoutFocusing(event) {
  return event.shiftKey || event.ctrlKey || event.metaKey;
}

function moveFocus(from, step) {
  const buttons = roleButtons();
  if (buttons.length === 0) return;
  const at = buttons.indexOf(from);
  if (at < 0) {
    buttons[step > 0 ? 0 : buttons.length - 1].focus();
    return;
  }
  const next = at + step;
  if (next < 0) search.focus();
  else buttons[Math.min(next, buttons.length - 1)].focus();
}

results.addEventListener('click', (event) => {
  const role = event.target.closest('button.role');
  if (role) {
    openProfile(role.dataset.profile, { background: withoutFocusing(event) });
    return;
  }
  const star = event.target.closest('button.star');
  if (star) toggleStar(star.dataset.favourite);
});

results.addEventListener('auxclick', (event) => {
  const role = event.target.closest('button.role');
  if (role && event.button === 1) openProfile(role.dataset.profile, { background: true });
});

results.addEventListener('keydown', (event) => {
  const role = event.target.closest('button.role, button.star');
  if (!role) return;
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    const from = role.classList.contains('star') ? role.previousElementSibling : role;
    moveFocus(from, event.key === 'ArrowDown' ? 1 : -1);
  } else if (event.key === 'Enter' && role.classList.contains('role')) {
    // Handled here, not by the button's click, because a keyboard click loses Shift/Ctrl.
    event.preventDefault();
    openProfile(role.dataset.profile, { background: withoutFocusing(event) });
  }
});

search.addEventListener('input', () => {
  showError(errorBox, null);
  if (state.mfaProfile !== null) {
    closeMfa();
    state.refreshWaiting = false;
  }
  scheduleRender();
});

search.addEventListener('keydown', (event) => {
  if (event.key === 'ArrowDown') {
    event.preventDefault();
    roleButtons()[0]?.focus();
  } else if (event.key === 'Enter') {
    event.preventDefault();
    if (state.renderTimer !== null) {
      clearTimeout(state.renderTimer);
      render();
    }
    const first = roleButtons()[0];
    if (first) openProfile(first.dataset.profile, { background: withoutFocusing(event) });
  }
});

// Typing anywhere goes to the search field, so the list is never a dead end for the keyboard.
document.addEventListener('keydown', (event) => {
  if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target instanceof HTMLInputElement || event.key === ' ') return;
  search.focus();
});

document.getElementById('open-options').addEventListener('click', async (event) => {
  event.preventDefault();
  try {
    await ext.runtime.openOptionsPage(); // Focuses an options tab that is already open.
  } catch {
    await ext.tabs.create({ url: ext.runtime.getURL('extension/options.html') });
  }
  if (!state.inTab) window.close();
});

async function refreshFromHost() {
  const reply = await callBackground(ext, { type: 'profiles' });
  state.loaded = true;
  state.loadFailed = !reply.ok;
  if (reply.ok) {
    // Same config files as the cached list: the painted list is already right.
    if (reply.result?.generation != null && reply.result.generation === state.generation) {
      if (state.profiles.length === 0) scheduleRender(); // replaces "Loading profiles..."
      return;
    }
    setProfiles(reply.result);
  } else {
    showError(errorBox, reply.error);
  }
  scheduleRender();
}

// IAM Identity Center: sign-in offers and the discovered roles (popup-sso.js).
state.configured = [];
state.discovered = [];
const ssoPanel = createSsoPanel({
  panel: document.getElementById('sso-panel'),
  errorBox,
  onDiscovered: (entries) => {
    state.discovered = entries;
    state.profiles = mergeDiscovered(state.configured, entries);
    state.index = buildIndex(state.profiles);
    scheduleRender();
  },
});

async function start() {
  search.focus();
  const stored = await ext.storage.local.get([
    STORAGE_KEYS.profiles, STORAGE_KEYS.favourites, STORAGE_KEYS.recent, STORAGE_KEYS.settings,
  ]);
  state.favourites = Array.isArray(stored[STORAGE_KEYS.favourites]) ? stored[STORAGE_KEYS.favourites] : [];
  state.recent = Array.isArray(stored[STORAGE_KEYS.recent]) ? stored[STORAGE_KEYS.recent] : [];
  state.settings = normalizeSettings(stored[STORAGE_KEYS.settings]);
  if (stored[STORAGE_KEYS.profiles]) setProfiles(stored[STORAGE_KEYS.profiles]);
  render();
  // A popup opened as a normal tab (tests, bookmarks) stays open after opening a console.
  state.inTab = Boolean(await ext.tabs.getCurrent().catch(() => null));
  document.body.classList.toggle('in-tab', state.inTab);
  await refreshFromHost();
}

start();
