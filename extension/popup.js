/**
 * The toolbar popup: paints the cached profile list at once, refreshes it through the
 * background, filters as you type and opens a profile's console. It never sees a login URL.
 * Rows and sections are built by popup-rows.js (where other features hook in); which error
 * goes where, and with which actions, is lib/row-errors.js.
 */
import { ext } from './lib/browser.js';
import { errorFields, refreshesProfileList } from './lib/errors.js';
import { groupProfiles, rowKey } from './lib/grouping.js';
import { createKeyedPool } from './lib/keyed-pool.js';
import { mfaBadge, sessionsByProfile } from './lib/mfa.js';
import { isMfaCode, normalizeMfaCode } from './lib/rules.js';
import { STORAGE_KEYS, normalizeSettings } from './lib/settings.js';
import {
  callBackground, h, placeChildren, showError, withCode,
} from './lib/ui.js';
import {
  LIST_CHANGED_EVENT, addBadgeProvider, badgeSignature, clearRowMessage, renderRow, renderSection,
  rowBadges, rowSlot, showRowMessage,
} from './popup-rows.js';
import {
  DISCOVERED_STORAGE_KEY, discoveredLabel, mergeDiscovered, rowsToDiscovered,
} from './lib/discovery.js';
import { LIST_HEAD_KEY, listHead, parseListHead } from './lib/list-head.js';

/*
 * The modules the whole list needs but the first screen does not (searching, colours, the
 * stored tables, errors' places): imported once that screen is painted, while the whole list
 * is read, because every module a page imports statically is fetched and compiled, one level
 * of imports after the other, before the page's code runs. Bound by loadListModules(), before
 * state.ready; nothing reads them before.
 */
let buildIndex; let rankProfiles; let tokenize;
let parseStoredTable; let pushRecent; let rowsToProfiles; let toggleFavourite;
let configProblem; let errorActions; let errorPlace;
let rankingBoost;
let accountColor; let accountColors; let profileColor;
let showSuggestion;
let linkSetupGuide;

async function loadListModules() {
  const [fuzzy, profiles, rowErrors, ranking, style, suggestion, welcome] =
    await Promise.all([
      import('./lib/fuzzy.js'), import('./lib/profiles.js'), import('./lib/row-errors.js'),
      import('./lib/ranking.js'), import('./lib/style.js'), import('./popup-suggestion.js'),
      // With the error it explains, not a moment after it: loaded before any error shows.
      import('./popup-welcome.js'),
    ]);
  ({ buildIndex, rankProfiles, tokenize } = fuzzy);
  ({ parseStoredTable, pushRecent, rowsToProfiles, toggleFavourite } = profiles);
  ({ configProblem, errorActions, errorPlace } = rowErrors);
  ({ rankingBoost } = ranking);
  ({ accountColor, accountColors, profileColor } = style);
  ({ showSuggestion } = suggestion);
  ({ linkSetupGuide } = welcome);
}

/**
 * Parts the first list does not need, imported once it is painted (or on first use): every
 * module the page imports statically is fetched and compiled before the page starts.
 */
const later = {
  sessions: () => import('./popup-sessions.js'),
  samePage: () => import('./popup-destination.js'),
  sso: () => import('./popup-sso.js'),
};

/** The DOM holds at most this many rows: 5,000 profiles stay smooth, typing narrows the rest. */
const MAX_ROWS = 150;
/**
 * Rows built at once when the list changes (more than a popup shows); the rest of the
 * sections follow once the browser has painted, so a keystroke's list is on screen sooner.
 */
const FIRST_ROWS = 30;
/** The smallest profile a user can start from (README, "Your first profile"). */
const EXAMPLE_PROFILE = `[profile dev-admin]
role_arn = arn:aws:iam::111122223333:role/Admin
source_profile = default
region = eu-west-1
roleport_account_name = Development`;

const search = document.getElementById('search');
const results = document.getElementById('results');
const errorBox = document.getElementById('error');
const listStatus = document.getElementById('list-status');

const state = {
  profiles: [],
  index: [],
  accounts: new Map(),
  generation: null,
  configFile: null,
  fetchedAt: null,
  favourites: [],
  recent: [],
  settings: normalizeSettings(null),
  loaded: false,
  loadFailed: false,
  /** The config error that stopped the last refresh; the list shown is then the last good one. */
  listError: null,
  busy: new Set(),
  /** Errors of failed logins by profile: {error, rowKey}; shown again after every render. */
  rowErrors: new Map(),
  /** The open MFA field: {name, rowKey}, or null. */
  mfa: null,
  sourcesOpen: false,
  /** Live MFA sessions: profile name -> Date the session ends (lib/mfa.js). */
  mfaSessions: new Map(),
  refreshWaiting: false,
  renderTimer: null,
  /** A render is due in this task: the search field's input (renderAfterInput). */
  inputRender: false,
  /** The sections still to add after the first rows were painted: {handle, parts, detail}. */
  pendingRows: null,
  /**
   * Whether the whole list is read: until then the popup shows the first screen kept from
   * the last popup (lib/list-head.js) and waits with renders and logins (whenReady).
   */
  ready: false,
  whenReady: null,
  renderRequested: false,
  /** The stored first screen that is painted now, and the one storage holds (JSON strings). */
  paintedHead: null,
  storedHead: null,
  inTab: false,
  samePage: null,
};

function rowsOf(name) {
  return [...results.querySelectorAll(`li.row[data-profile="${CSS.escape(name)}"]`)];
}

/** The row a request came from (its section), else the first row of that profile. */
function rowFor(name, key = null) {
  const rows = rowsOf(name);
  return rows.find((row) => row.dataset.rowKey === key) ?? rows[0] ?? null;
}

/** The row buttons a user can see (not those of a collapsed group), in page order. */
function roleButtons() {
  return [...results.querySelectorAll('button.role')].filter((button) => !button.closest('details:not([open])'));
}

/** The colours of a section's header and rows: {color, rowColors} (lib/style.js). */
function sectionColors(section, profiles) {
  return {
    color: section.kind === 'account' && profiles.length
      ? accountColor(profiles[0], state.accounts).color : null,
    rowColors: profiles.map((profile) => profileColor(profile, state.accounts).color),
  };
}

/**
 * The rows built so far, by row key: a keystroke's list reuses the rows the last lists built
 * (same profile object, colour, badges...: lib/keyed-pool.js) instead of building them again.
 */
const rowPool = createKeyedPool();
/** The section elements likewise, by section id: a list that keeps its accounts keeps them. */
const sectionPool = createKeyedPool({ maxEntries: 400 });

/** Starts a render of the list: what the last renders built is kept for it (keyed-pool.js). */
function nextRender() {
  rowPool.nextRender();
  sectionPool.nextRender();
}

/**
 * Tells the parts that decorate rows (popup-sessions.js) that the list's rows changed: kept
 * rows keep what was painted on them, new ones have nothing yet.
 */
function listChanged() {
  results.dispatchEvent(new Event(LIST_CHANGED_EVENT));
}

/** What a row carried from a request (busy, opened, its error, the MFA field) is taken off. */
function resetRow(row) {
  const button = row.querySelector('button.role');
  delete button.dataset.state;
  button.removeAttribute('aria-busy');
  button.querySelector('.progress').textContent = '';
  rowSlot(row).replaceChildren();
  row.classList.remove('has-error');
}

function rowNode(profile, context) {
  const badges = rowBadges(profile);
  const inputs = [profile, context.showAccount, context.favourite, context.color,
    context.settings, badgeSignature(badges)];
  const { value: row, reused } = rowPool.take(rowKey(context.sectionId, profile.name), inputs,
    () => renderRow(profile, { ...context, badges }));
  if (reused) resetRow(row);
  return row;
}

function sectionNode(section, profiles, { color, rowColors } = sectionColors(section, profiles)) {
  const showAccount = section.kind === 'favourites' || section.kind === 'recent';
  const favourites = new Set(state.favourites);
  const rows = profiles.map((profile, i) => rowNode(profile, {
    sectionId: section.id,
    showAccount,
    favourite: favourites.has(profile.name),
    color: rowColors[i],
    settings: state.settings,
  }));
  const inputs = [section.title, section.subtitle, section.kind, Boolean(section.collapsed), color,
    section.collapsed ? rows.length : 0]; // a collapsed group's header counts its rows
  const { value: node, reused } = sectionPool.take(section.id, inputs,
    () => renderSection(section, rows, { color, open: state.sourcesOpen }));
  if (reused) {
    placeChildren(node.querySelector('ul'), rows);
    const group = node.querySelector('details');
    if (group) group.open = state.sourcesOpen;
  }
  return node;
}

/**
 * The visible sections, capped at MAX_ROWS rows: [[section, profiles] pairs, shown, total].
 * Without a query only the accounts of the first rows are grouped and sorted.
 */
function buildList(query) {
  let sections;
  let total;
  state.suggestion = null;
  if (tokenize(query).length === 0) {
    sections = groupProfiles(state.profiles, {
      favourites: state.favourites, recent: state.recent, limit: MAX_ROWS,
    });
    total = state.profiles.length;
  } else {
    const boost = rankingBoost(state.favourites, state.recent);
    const ranked = rankProfiles(searchIndex(), query, { limit: MAX_ROWS, boost });
    state.suggestion = ranked.suggestion;
    sections = groupProfiles(ranked.matches, { ranked: true });
    total = ranked.total;
  }
  const parts = [];
  let shown = 0;
  for (const section of sections) {
    if (shown >= MAX_ROWS) break;
    const profiles = section.profiles.slice(0, MAX_ROWS - shown);
    shown += profiles.length;
    parts.push([section, profiles]);
  }
  return [parts, shown, total];
}

/** How many leading sections hold the first `rows` rows (whole sections, at least one). */
function firstSections(parts, rows) {
  let count = 0;
  for (let i = 0; i < parts.length; i += 1) {
    count += parts[i][1].length;
    if (count >= rows) return i + 1;
  }
  return parts.length;
}

function describeList(query, shown, total, size = state.profiles.length) {
  if (!state.loaded && size === 0) return 'Loading profiles\u2026';
  if (size === 0) {
    return state.loadFailed ? 'The profile list could not be loaded.' : '';
  }
  if (total === 0) return `No profile matches \u201c${query.trim()}\u201d.`;
  const stale = state.listError && state.fetchedAt
    ? ` (the list as read at ${new Date(state.fetchedAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })})`
    : '';
  if (shown < total) return `Showing ${shown} of ${total}; type to narrow the list.${stale}`;
  return `${total} ${total === 1 ? 'profile' : 'profiles'}${stale}`;
}

/** First contact: which file was read, a profile to start from, where to read more. */
function emptyState() {
  const file = state.configFile;
  return h('div', { className: 'empty-state' },
    h('p', { className: 'empty-title' }, 'No AWS profiles found',
      file ? [' in ', h('code', { className: 'path', title: file }, file)] : null, '.'),
    h('p', {}, 'Add a profile to your AWS config, for example:'),
    h('pre', { className: 'example' }, h('code', {}, EXAMPLE_PROFILE)),
    h('p', { className: 'empty-more' }, 'The README\u2019s section \u201cYour first profile\u201d '
      + 'explains each line; ', h('code', {}, 'roleport list'), ' in a terminal shows what roleport reads.'));
}

/** A row control's identity, so focus survives a re-render: [rowKey, selector]. */
function focusedControl() {
  const active = document.activeElement;
  const row = active?.closest?.('li.row');
  if (!row || !results.contains(row)) return null;
  for (const selector of ['button.role', 'button.star', 'button.row-action']) {
    if (active.matches(selector)) {
      const action = active.dataset.action;
      return [row.dataset.rowKey, row.dataset.profile,
        action ? `${selector}[data-action="${action}"]` : selector];
    }
  }
  return null;
}

function restoreFocus(control) {
  if (!control) return;
  const [key, name, selector] = control;
  const row = rowFor(name, key);
  (row?.querySelector(selector) ?? row?.querySelector('button.role'))?.focus({ preventScroll: true });
}

/** What rows carry across renders: busy state, errors; then the focus goes back. */
function decorateRows(focused) {
  for (const name of state.busy) {
    setRowState(name, 'busy');
    setProgress(name, 'Opening\u2026', true);
  }
  for (const [name, { error, rowKey }] of state.rowErrors) {
    const row = rowFor(name, rowKey);
    if (row) showRowError(row, error, { scroll: false });
  }
  restoreFocus(focused);
}

function cancelPendingRows() {
  if (state.pendingRows === null) return;
  const cancel = globalThis.cancelIdleCallback ?? clearTimeout;
  cancel(state.pendingRows.handle);
  state.pendingRows = null;
}

/** Adds the sections left for after the paint (see FIRST_ROWS). */
function appendPendingRows() {
  const pending = state.pendingRows;
  if (pending === null) return;
  state.pendingRows = null;
  const focused = focusedControl();
  const nodes = pending.parts.map(([section, profiles]) => sectionNode(section, profiles));
  placeChildren(results, nodes, { from: pending.from });
  decorateRows(focused);
  performance.mark('roleport:list-complete', { detail: pending.detail });
  listChanged();
}

/** The first screen of a list without a query, as lib/list-head.js stores it. */
function headOf(parts, shown, total) {
  const first = parts.slice(0, firstSections(parts, FIRST_ROWS));
  return listHead({
    parts: first.map(([section, profiles]) => ({
      section, profiles, ...sectionColors(section, profiles),
    })),
    shown,
    total,
    favourites: state.favourites,
    recent: state.recent,
  });
}

/** Paints the first screen kept by the last popup, before the whole list is read. */
function paintHead(head, stored) {
  nextRender();
  results.replaceChildren(...head.parts.map((part) => sectionNode(part.section, part.profiles, part)));
  listChanged();
  listStatus.textContent = describeList('', head.shown, head.total, head.total);
  state.paintedHead = stored;
  performance.mark('roleport:list-rendered', {
    detail: {
      query: '', shown: head.shown, total: head.total, head: true,
    },
  });
}

function render() {
  clearTimeout(state.renderTimer); // this very render, or one the input overtakes
  state.renderTimer = null;
  state.inputRender = false;
  if (!state.ready) {
    state.renderRequested = true; // done once the whole list is read
    return;
  }
  if (state.mfa !== null) {
    // Rebuilding would drop the MFA field the user is typing into.
    state.refreshWaiting = true;
    return;
  }
  cancelPendingRows();
  nextRender();
  const focused = focusedControl();
  // The page, not the toggle event, says whether the group is open: the event is delivered
  // after this rebuild when the user opened it just before, and then to a detached element.
  const sourcesGroup = results.querySelector('details.section-sources');
  if (sourcesGroup) state.sourcesOpen = sourcesGroup.open;
  const query = search.value;
  const [parts, shown, total] = buildList(query);
  const head = tokenize(query).length === 0 ? headOf(parts, shown, total) : null;
  // The first screen painted from storage is this very list's: its rows stay.
  const keep = head !== null && head === state.paintedHead;
  state.paintedHead = null;
  // Everything is built at once when a focused row may be among the later ones, or when the
  // user has scrolled: a page shorter than where they are would clamp the scroll position,
  // and the rows added after the paint would no longer bring them back to their place.
  const whole = focused || window.scrollY > 0;
  let first = whole ? parts.length : firstSections(parts, FIRST_ROWS);
  const detail = { query, shown, total };
  if (keep) {
    first = firstSections(parts, FIRST_ROWS);
  } else {
    const nodes = parts.slice(0, first).map(([section, profiles]) => sectionNode(section, profiles));
    const empty = state.loaded && !state.loadFailed && state.profiles.length === 0;
    if (empty) nodes.push(emptyState());
    else results.querySelector(':scope > .empty-state')?.remove(); // not even for a moment
    // The rows of the last list after these stay, below the fold, until the rest of this list
    // takes their place after the paint (appendPendingRows): most often it is them again.
    placeChildren(results, nodes, { trim: first === parts.length });
    // `make bench` (bench/popup.py) times the list by these marks, whatever the layout: the
    // first rows in the DOM, then all of them.
    performance.mark('roleport:list-rendered', { detail });
  }
  results.classList.toggle('stale', Boolean(state.listError) && state.profiles.length > 0);
  listStatus.textContent = describeList(query, shown, total);
  showSuggestion(search, query, state.suggestion);
  decorateRows(focused);
  if (head !== null && head !== state.storedHead) {
    state.storedHead = head;
    ext.storage.local.set({ [LIST_HEAD_KEY]: head }).catch(() => {});
  }
  if (first < parts.length) {
    // After the next paint (an idle callback runs after the frame), with a timeout so that
    // a hidden page gets its rows too.
    const later = globalThis.requestIdleCallback
      ?? ((callback) => setTimeout(callback, 0));
    state.pendingRows = {
      parts: parts.slice(first), from: first, detail,
      handle: later(appendPendingRows, { timeout: 100 }),
    };
  } else {
    performance.mark('roleport:list-complete', { detail });
  }
  listChanged();
  if (state.index === null) prepareSearch();
}

/**
 * Filters in the keystroke's own task (a microtask, so that what the same task does after
 * the input event still comes first): a task queued from an input event runs only after the
 * browser painted a frame (Chromium renders first after input), which costs a frame.
 */
function renderAfterInput() {
  if (state.inputRender) return;
  state.inputRender = true;
  queueMicrotask(() => {
    if (state.inputRender) render();
  });
}

/** Renders after the current task, coalescing changes that come together into one pass. */
function scheduleRender() {
  if (state.renderTimer !== null) return;
  state.renderTimer = setTimeout(render, 0);
}

function flushWaitingRender() {
  if (state.refreshWaiting && state.mfa === null) {
    state.refreshWaiting = false;
    scheduleRender();
  }
}

/**
 * The search index of the list, built on first use: the first list needs none, and with
 * 10,000 profiles building it takes longer than painting that list (BENCHMARKS.md).
 */
function searchIndex() {
  if (state.index === null) {
    state.index = buildIndex(state.profiles);
    performance.mark('roleport:search-ready', { detail: { total: state.profiles.length } });
  }
  return state.index;
}

/** Builds the index once the browser is idle after a paint, so the first keystroke finds it. */
function prepareSearch() {
  const later = globalThis.requestIdleCallback ?? ((callback) => setTimeout(callback, 0));
  later(() => searchIndex());
}

function setProfiles(table) {
  state.configured = rowsToProfiles(table);
  state.profiles = mergeDiscovered(state.configured, state.discovered);
  state.index = null;
  state.accounts = accountColors(state.profiles);
  state.generation = table?.generation ?? null;
  state.configFile = table?.config_file ?? null;
  state.fetchedAt = table?.fetched_at ?? null;
}

function setProgress(name, text, busy) {
  for (const row of rowsOf(name)) {
    const button = row.querySelector('button.role');
    button.setAttribute('aria-busy', String(busy));
    button.querySelector('.progress').textContent = text;
  }
}

function setRowState(name, value) {
  for (const row of rowsOf(name)) row.querySelector('button.role').dataset.state = value;
}

/** The error under a row, with its actions; `scroll` brings it into view (a fresh error). */
function showRowError(row, error, { scroll = true } = {}) {
  const box = showRowMessage(row, {
    tone: 'error', message: error.message, hint: error.hint, actions: errorActions(error),
  }, { scroll });
  const copy = box.querySelector('[data-action="copy"]');
  if (copy) copy.dataset.value = error.command.trim();
  if (!scroll) box.setAttribute('role', 'group'); // Announced once, when it appeared.
  return box;
}

function clearRowErrors(name) {
  state.rowErrors.delete(name);
  for (const row of rowsOf(name)) clearRowMessage(row);
}

/** Fills the top alert; a config error shows its file and line compactly. */
function showListError(error) {
  const problem = configProblem(error);
  if (!problem || !problem.file) {
    showError(errorBox, error);
    return;
  }
  const where = problem.line ? `${problem.shortFile}, line ${problem.line}` : problem.shortFile;
  errorBox.replaceChildren(
    h('span', { className: 'message' }, 'The AWS config has an error: ',
      h('code', { className: 'path', title: problem.file }, where)),
    h('span', { className: 'hint' }, withCode(problem.reason)),
    problem.hint ? h('span', { className: 'hint' }, withCode(problem.hint)) : null,
    state.profiles.length ? h('span', { className: 'hint stale-note' },
      'The list below is the last one read before the error.') : null,
  );
}

function closeMfa() {
  results.querySelector('form.mfa')?.remove();
  state.mfa = null;
}

function showMfaError(form, error) {
  const input = form.querySelector('input');
  let box = form.querySelector('.field-error');
  box?.remove();
  box = h('div', { className: 'field-error', id: 'mfa-error', role: 'alert' },
    h('span', { className: 'message' }, withCode(error.message)),
    error.hint ? h('span', { className: 'hint' }, withCode(error.hint)) : null);
  form.append(box);
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', 'mfa-help mfa-error');
  input.select();
  input.focus();
  box.scrollIntoView({ block: 'nearest' });
}

function showMfa(name, error, key) {
  closeMfa();
  const row = rowFor(name, key);
  if (!row) {
    // The row was filtered away while the request ran: say so rather than prompt nowhere.
    showError(errorBox, { ...error, hint: `${error.hint ?? ''} Search for ${name} and open it again.`.trim() });
    return;
  }
  state.mfa = { name, rowKey: row.dataset.rowKey };
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
      showMfaError(form, errorFields('mfaCodeTyped', { device }));
      return;
    }
    openProfile(name, { mfaCode: code, rowKey: state.mfa?.rowKey });
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      closeMfa();
      setRowState(name, '');
      rowFor(name, row.dataset.rowKey)?.querySelector('button.role')?.focus();
      flushWaitingRender();
    }
  });
  rowSlot(row).prepend(form);
  input.focus();
  form.scrollIntoView({ block: 'nearest' });
  if (error.code === 'mfa_invalid') showMfaError(form, error);
}

/**
 * Opens a profile's console through the background; `background` opens without focusing;
 * `fresh` signs in again even when the role's console session is live (Alt+click, Alt+Enter).
 */
async function openProfile(name, {
  background = false, mfaCode = null, rowKey = null, fresh = false, sessionLimit = null,
} = {}) {
  // A row of the first screen: its profile (a discovered role's details) is in the whole list.
  if (!state.ready) await state.whenReady;
  if (state.busy.has(name)) return;
  state.busy.add(name);
  // A login error in the top alert is about the last try; an error about the files stays.
  if (state.listError) showListError(state.listError);
  else showError(errorBox, null);
  clearRowErrors(name);
  setRowState(name, 'busy');
  setProgress(name, mfaCode ? 'Checking code\u2026' : 'Opening\u2026', true);
  const entry = state.profiles.find((profile) => profile.name === name);
  // A discovered role's name is its internal list key: messages say "Account/Role".
  const shown = entry?.discovered
    ? discoveredLabel({ account_id: entry.account_id, role_name: entry.role }, entry.account_name)
    : name;
  listStatus.textContent = `Opening the console for ${shown}\u2026`;
  const { discoveredLoginMessage, isSignInError } = await later.sso();
  const message = discoveredLoginMessage(entry, { background })
    ?? { type: 'login', profile: name, background };
  if (mfaCode) message.mfa_code = mfaCode;
  if (fresh) message.fresh = true;
  if (sessionLimit) message.sessionLimit = sessionLimit;
  const destination = state.samePage?.destination();
  if (destination) message.destination = destination;
  const reply = await callBackground(ext, message);
  state.busy.delete(name);
  setProgress(name, '', false);
  if (reply.ok) {
    closeMfa();
    setRowState(name, 'opened');
    setProgress(name, 'Opened', false);
    state.recent = pushRecent(state.recent, name);
    listStatus.textContent = reply.result?.reused
      ? `Switched to the open console of ${shown}.` : `Opened the console for ${shown}.`;
    if (mfaCode) refreshMfaSessions(); // a new MFA session covers more rows
    if (!state.settings.keepPopupOpen && !state.inTab) {
      window.close();
      return;
    }
    flushWaitingRender();
    return;
  }
  const error = reply.error;
  const place = errorPlace(error);
  if (place === 'mfa') {
    setRowState(name, 'mfa');
    listStatus.textContent = `${name} needs an MFA code.`;
    const form = results.querySelector('form.mfa');
    if (state.mfa?.name === name && form) {
      if (error.code === 'mfa_invalid') showMfaError(form, error);
      else form.querySelector('input').focus();
    } else {
      showMfa(name, error, rowKey);
    }
    return;
  }
  closeMfa();
  if (isSignInError(error)) (await ssoPanel)?.offer(error);
  setRowState(name, 'error');
  listStatus.textContent = `Could not open the console for ${name}.`;
  if (error.code === 'session_limit') {
    // The choice (sign out the least recently used session, or open anyway) concerns the
    // browser profile's sessions, not this row: it goes in the top alert.
    showError(errorBox, error);
    (await later.sessions()).offerSessionLimitChoices({
      ext, errorBox, error, open: (choice) => openProfile(name, { background, rowKey, ...choice }),
    });
    flushWaitingRender();
    return;
  }
  const row = rowFor(name, rowKey);
  if (place === 'list' || !row) {
    showError(errorBox, error);
    linkSetupGuide(errorBox, error);
  } else {
    state.rowErrors.set(name, { error, rowKey: row.dataset.rowKey });
    showRowError(row, error);
    row.querySelector('button.role')?.focus({ preventScroll: true });
  }
  flushWaitingRender();
  if (refreshesProfileList(error)) refreshFromHost(); // the row is stale: drop it
}

async function toggleStar(name) {
  if (!state.ready) await state.whenReady; // a star of the first screen
  state.favourites = toggleFavourite(state.favourites, name);
  await ext.storage.local.set({ [STORAGE_KEYS.favourites]: state.favourites });
  // The Favourites section gains or loses the row: rebuild, keeping focus on this star.
  scheduleRender();
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

async function copyCommand(button) {
  const command = button.dataset.value ?? '';
  try {
    await navigator.clipboard.writeText(command);
    button.textContent = 'Copied';
  } catch {
    // No clipboard access: select the command in the hint so Ctrl+C copies it.
    const code = button.closest('.row-message')?.querySelector('code');
    if (code) window.getSelection()?.selectAllChildren(code);
    button.textContent = 'Press Ctrl+C';
  }
}

async function openOptions() {
  try {
    await ext.runtime.openOptionsPage(); // Focuses an options tab that is already open.
  } catch {
    await ext.tabs.create({ url: ext.runtime.getURL('extension/options.html') });
  }
  if (!state.inTab) window.close();
}

function rowKeyOf(element) {
  return element.closest('li.row')?.dataset.rowKey ?? null;
}

results.addEventListener('click', (event) => {
  const role = event.target.closest('button.role');
  if (role) {
    openProfile(role.dataset.profile, {
      background: withoutFocusing(event), rowKey: rowKeyOf(role), fresh: event.altKey,
    });
    return;
  }
  const star = event.target.closest('button.star');
  if (star) {
    toggleStar(star.dataset.favourite);
    return;
  }
  const action = event.target.closest('button.row-action');
  if (action) {
    const row = action.closest('li.row');
    if (action.dataset.action === 'retry') {
      openProfile(row.dataset.profile, { rowKey: row.dataset.rowKey });
    } else if (action.dataset.action === 'copy') {
      copyCommand(action);
    } else if (action.dataset.action === 'options') {
      openOptions();
    }
  }
});

results.addEventListener('auxclick', (event) => {
  const role = event.target.closest('button.role');
  if (role && event.button === 1) {
    openProfile(role.dataset.profile, { background: true, rowKey: rowKeyOf(role) });
  }
});

results.addEventListener('keydown', (event) => {
  const control = event.target.closest('button.role, button.star');
  if (!control) return;
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    const from = control.classList.contains('star')
      ? control.closest('li.row').querySelector('button.role') : control;
    moveFocus(from, event.key === 'ArrowDown' ? 1 : -1);
  } else if (event.key === 'Enter' && control.classList.contains('role')) {
    // Handled here, not by the button's click, because a keyboard click loses Shift/Ctrl.
    event.preventDefault();
    openProfile(control.dataset.profile, {
      background: withoutFocusing(event), rowKey: rowKeyOf(control), fresh: event.altKey,
    });
  }
});

search.addEventListener('input', () => {
  if (state.mfa !== null) {
    closeMfa();
    state.refreshWaiting = false;
  }
  renderAfterInput();
});

search.addEventListener('keydown', (event) => {
  if (event.key === 'ArrowDown') {
    event.preventDefault();
    roleButtons()[0]?.focus();
  } else if (event.key === 'Enter') {
    event.preventDefault();
    openFirst({ background: withoutFocusing(event), fresh: event.altKey });
  }
});

/** Enter in the search field: the first row of the list for what is typed. */
async function openFirst({ background, fresh }) {
  if (!state.ready) await state.whenReady; // the query's list is built once the list is read
  if (state.renderTimer !== null || state.inputRender) render();
  appendPendingRows();
  const first = roleButtons()[0];
  if (first) {
    openProfile(first.dataset.profile, { background, rowKey: rowKeyOf(first), fresh });
  }
}

// Typing anywhere goes to the search field, so the list is never a dead end for the keyboard.
document.addEventListener('keydown', (event) => {
  if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target instanceof HTMLInputElement || event.key === ' ') return;
  search.focus();
});

document.getElementById('open-options').addEventListener('click', (event) => {
  event.preventDefault();
  openOptions();
});

async function refreshFromHost() {
  const reply = await callBackground(ext, { type: 'profiles' });
  state.loaded = true;
  state.loadFailed = !reply.ok;
  if (reply.ok) {
    // Clears what an earlier refresh reported, not a login error the user has yet to read
    // (an unknown profile's error starts this very refresh).
    if (state.listError) showError(errorBox, null);
    state.listError = null;
    // The list on screen is now the host's answer for this popup, not the cached copy
    // (body[data-host-listed]; a page driving the popup waits on it before changing files).
    document.body.dataset.hostListed = '';
    // Same config files as the cached list: the painted list is already right.
    if (reply.result?.generation != null && reply.result.generation === state.generation) {
      if (state.profiles.length === 0) scheduleRender(); // replaces "Loading profiles..."
      return;
    }
    setProfiles(reply.result);
  } else {
    // The last good list stays on screen (marked stale) under the error about the files.
    state.listError = reply.error;
    showListError(reply.error);
    linkSetupGuide(errorBox, reply.error);
  }
  scheduleRender();
}

// "MFA" on a row that asks for a code; "MFA until 18:40" while an MFA session covers it.
addBadgeProvider((profile) => {
  const badge = mfaBadge(profile, state.mfaSessions);
  return badge ? [{ text: badge[0], title: badge[1] }] : [];
});

/** "MFA until 18:40" on the rows a live MFA session covers (lib/mfa.js). */
async function refreshMfaSessions() {
  const reply = await callBackground(ext, { type: 'mfaSessions' });
  if (!reply.ok) return; // an older host, or none: plain MFA badges
  state.mfaSessions = sessionsByProfile(reply.result);
  scheduleRender();
}

// IAM Identity Center: sign-in offers and the discovered roles (popup-sso.js).
addBadgeProvider((profile) => (profile.discovered
  ? [{ text: 'discovered', title: 'Listed by IAM Identity Center; no profile needed' }] : []));
state.configured = [];
state.discovered = [];
/** The sign-in panel and discovery feed (a promise), mounted once the list is painted. */
let ssoPanel = null;

function startSsoPanel(discoveredTable) {
  ssoPanel = later.sso().then(({ createSsoPanel }) => createSsoPanel({
    panel: document.getElementById('sso-panel'),
    errorBox,
    // The discovered roles cached in storage are in the list already (start() read them).
    stored: Promise.resolve(discoveredTable),
    onDiscovered: (entries) => {
      state.discovered = entries;
      state.profiles = mergeDiscovered(state.configured, entries);
      state.index = null;
      state.accounts = accountColors(state.profiles);
      scheduleRender();
    },
  }));
}

async function start() {
  performance.mark('roleport:popup-start');
  search.focus();
  let markReady;
  state.whenReady = new Promise((resolve) => { markReady = resolve; });
  // Two reads, the small one first: the first screen is painted while the whole list (the
  // profile table and the discovered roles, thousands of rows) is still on its way.
  const small = ext.storage.local.get([
    STORAGE_KEYS.favourites, STORAGE_KEYS.recent, STORAGE_KEYS.settings, LIST_HEAD_KEY,
  ]);
  const whole = ext.storage.local.get([STORAGE_KEYS.profiles, DISCOVERED_STORAGE_KEY]);
  const stored = await small;
  performance.mark('roleport:storage-read');
  state.favourites = Array.isArray(stored[STORAGE_KEYS.favourites]) ? stored[STORAGE_KEYS.favourites] : [];
  state.recent = Array.isArray(stored[STORAGE_KEYS.recent]) ? stored[STORAGE_KEYS.recent] : [];
  state.settings = normalizeSettings(stored[STORAGE_KEYS.settings]);
  state.storedHead = typeof stored[LIST_HEAD_KEY] === 'string' ? stored[LIST_HEAD_KEY] : null;
  const head = parseListHead(state.storedHead, { favourites: state.favourites, recent: state.recent });
  if (head) paintHead(head, state.storedHead);
  const modules = loadListModules();
  const tables = await whole;
  await modules;
  performance.mark('roleport:table-read');
  const discoveredTable = parseStoredTable(tables[DISCOVERED_STORAGE_KEY]);
  state.discovered = rowsToDiscovered(discoveredTable);
  const cached = parseStoredTable(tables[STORAGE_KEYS.profiles]);
  if (cached) setProfiles(cached);
  else if (state.discovered.length) setProfiles(null);
  performance.mark('roleport:list-ready');
  state.ready = true;
  state.renderRequested = false;
  markReady();
  render();
  startSsoPanel(discoveredTable);
  later.sessions().then(({ startSessionMarkers }) => {
    startSessionMarkers({ ext, results, anchor: search, status: listStatus });
  });
  later.samePage().then(({ startSamePage }) => startSamePage({
    ext, anchor: search.closest('header'),
  })).then((offer) => {
    state.samePage = offer;
  });
  // A popup opened as a normal tab (tests, bookmarks) stays open after opening a console.
  state.inTab = Boolean(await ext.tabs.getCurrent().catch(() => null));
  document.body.classList.toggle('in-tab', state.inTab);
  // The panel asks the host first, as it did when it was part of the page: an error both
  // requests get (no host) then ends as the list's, with its link to the setup guide.
  await ssoPanel;
  await refreshFromHost();
  await refreshMfaSessions();
}

start();
