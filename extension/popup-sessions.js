/**
 * The popup's view of live console sessions: a marker in each signed-in role's row ("signed in,
 * 10 h 42 m left"; "expires in 4 min" stands out), kept current while the popup is open, and
 * a "Signed in" filter, and a "Sign out" button after each signed-in role. The markers sit
 * inside the row's button, so a screen reader reads them as part of the role's name. The sessions come from the background (runtime message
 * "sessions"); the popup never sees more than profile, end and account.
 */
import { oneRowEach } from './lib/grouping.js';
import { sessionMarker } from './lib/sessions.js';
import { callBackground, h } from './lib/ui.js';
import { LIST_CHANGED_EVENT } from './popup-rows.js';

const REFRESH_MS = 20_000;

/**
 * Starts painting markers into `results` (the popup's list, re-rendered by popup.js at will:
 * it repaints on each LIST_CHANGED_EVENT) and adds the filter after `anchor`.
 * Returns {refresh, paint, stop}.
 */
export function startSessionMarkers({
  ext, results, anchor, status = null, now = () => Date.now(), refreshMs = REFRESH_MS,
}) {
  let sessions = new Map();
  let liveOnly = false;

  const filter = h('button', {
    type: 'button',
    id: 'live-only',
    className: 'live-only-toggle',
    'aria-pressed': 'false',
    title: 'Show only roles with a live console session',
  }, 'Signed in');
  filter.hidden = true;
  anchor?.after(filter);
  filter.addEventListener('click', () => {
    liveOnly = !liveOnly;
    filter.setAttribute('aria-pressed', String(liveOnly));
    paint();
  });

  function paint() {
    const moment = now();
    // A profile has a row in each section it is in (Recently used, Favourites, its account):
    // each is marked; the filter shows one of them (lib/grouping.js).
    const buttons = [...results.querySelectorAll('button.role[data-profile]')];
    const markers = buttons.map((button) => {
      const session = sessions.get(button.dataset.profile);
      return session ? sessionMarker(session, moment) : null;
    });
    const live = new Set(buttons.filter((_, i) => markers[i]).map((b) => b.dataset.profile));
    const shown = liveOnly ? oneRowEach(buttons.map((button) => ({
      profile: button.dataset.profile, section: button.closest('section')?.dataset.section,
    })), live) : null;
    for (const [index, button] of buttons.entries()) {
      const session = sessions.get(button.dataset.profile);
      const marker = markers[index];
      let span = button.querySelector('.session-marker');
      const row = button.closest('li') ?? button;
      let signOutButton = row.querySelector('button.session-sign-out');
      if (!marker) {
        span?.remove();
        signOutButton?.remove();
        delete row.dataset.session;
        row.hidden = liveOnly;
        continue;
      }
      if (!span) {
        span = h('span', { className: 'session-marker' });
        // Before the progress text, so "Opening…" still comes last.
        const progress = button.querySelector('.progress');
        const line = progress?.parentNode ?? button;
        line.insertBefore(span, progress);
        line.insertBefore(document.createTextNode(' '), span);
      }
      if (!signOutButton) {
        signOutButton = h('button', {
          type: 'button',
          className: 'session-sign-out',
          // A discovered role's key is not for people: its label is "Account/Role".
          'aria-label': `Sign out of ${session.label ?? button.dataset.profile}`,
          title: 'Sign this role\'s console out',
          dataset: { signOut: button.dataset.profile },
        }, 'Sign out');
        button.after(signOutButton);
      }
      span.textContent = marker.text;
      span.title = marker.label;
      span.classList.toggle('soon', marker.soon);
      row.dataset.session = marker.soon ? 'soon' : 'live';
      row.hidden = liveOnly && !shown.has(index);
    }
    for (const section of results.querySelectorAll('section')) {
      section.hidden = liveOnly && !section.querySelector('li:not([hidden])');
    }
    filter.hidden = sessions.size === 0 && !liveOnly;
    filter.textContent = live.size ? `Signed in (${live.size})` : 'Signed in';
  }

  async function refresh() {
    const reply = await callBackground(ext, { type: 'sessions' });
    if (!reply.ok || !Array.isArray(reply.result?.sessions)) return;
    const next = new Map();
    for (const session of reply.result.sessions) {
      const known = next.get(session.profile);
      // Several jars: show the one that lasts longest.
      if (!known || (session.endsAt ?? Infinity) > (known.endsAt ?? Infinity)) {
        next.set(session.profile, session);
      }
    }
    sessions = next;
    paint();
  }

  async function signOut(profile, control) {
    control.setAttribute('aria-busy', 'true');
    control.textContent = 'Signing out\u2026';
    const reply = await callBackground(ext, { type: 'signOut', profile });
    const name = sessions.get(profile)?.label ?? profile;
    if (status) {
      status.textContent = reply.ok
        ? `Signed out of ${name}.` : `Could not sign out of ${name}.`;
    }
    await refresh();
  }

  results.addEventListener('click', (event) => {
    const control = event.target.closest('button.session-sign-out');
    if (control && control.getAttribute('aria-busy') !== 'true') {
      signOut(control.dataset.signOut, control);
    }
  });

  const onListChanged = () => paint();
  results.addEventListener(LIST_CHANGED_EVENT, onListChanged);
  const timer = setInterval(refresh, refreshMs);
  refresh();
  return {
    refresh,
    paint,
    stop() {
      clearInterval(timer);
      results.removeEventListener(LIST_CHANGED_EVENT, onListChanged);
    },
  };
}

/**
 * The console's session limit (error session_limit): the error box offers to sign out the least
 * recently used session roleport opened and then open, or to open anyway (AWS then shows its
 * "Session limit reached" page). `open(options)` opens the profile again.
 */
export function offerSessionLimitChoices({ ext, errorBox, error, open }) {
  const choices = h('p', { className: 'session-limit-choices' });
  if (error.lru_profile) {
    const signOutFirst = h('button', { type: 'button', id: 'session-limit-sign-out' },
      `Sign out ${error.lru_label ?? error.lru_profile}, then open`);
    signOutFirst.addEventListener('click', async () => {
      signOutFirst.setAttribute('aria-busy', 'true');
      await callBackground(ext, { type: 'signOut', profile: error.lru_profile });
      open({ sessionLimit: 'signed-out-one' });
    });
    choices.append(signOutFirst, ' ');
  }
  const anyway = h('button', { type: 'button', id: 'session-limit-open-anyway' }, 'Open anyway');
  anyway.addEventListener('click', () => open({ sessionLimit: 'open-anyway' }));
  choices.append(anyway);
  errorBox.append(choices);
  choices.querySelector('button')?.focus();
}

