/**
 * The `aws` address-bar keyword: suggestions for what the user typed, ranked like the popup
 * (ranking.js), and which profile Enter opens. Pure functions; background.js wires them to the
 * omnibox events.
 *
 * Chromium reads a suggestion's description as XML with <match>, <dim> and <url> markup, so
 * every piece of text must be XML-escaped or a name such as "R&D" makes the whole suggestion
 * fail to parse (Chrome for Developers, "chrome.omnibox", SuggestResult.description). Firefox
 * shows the description as plain text and does not recognise the markup (MDN, "omnibox.
 * SuggestResult", browser compatibility), so there it gets none.
 */
import { discoveredLabel } from './discovery.js';
import { tokenize } from './fuzzy.js';
import { rankForQuery } from './ranking.js';

/** Chromium shows at most about this many extension suggestions; more only costs time. */
export const MAX_SUGGESTIONS = 6;

const XML_ESCAPES = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;',
};

/** Text safe inside Chromium's omnibox description XML. */
export function escapeXml(text) {
  return String(text ?? '').replace(/[&<>"']/g, (character) => XML_ESCAPES[character]);
}

/**
 * Line breaks and tabs cannot be shown in the address bar's one-line rows (Chromium removes
 * them); they are turned into spaces so words do not run together.
 */
function oneLine(text) {
  return String(text ?? '').replace(/[\r\n\t\u2028\u2029]+/g, ' ').trim();
}

/**
 * What a row calls its profile: the profile name, or "Account/Role" for a role discovered
 * through IAM Identity Center (its list key has line breaks, which the address bar drops).
 */
export function shownName(profile) {
  if (!profile.discovered) return oneLine(profile.name);
  return oneLine(discoveredLabel({ account_id: profile.account_id, role_name: profile.role },
    profile.account_name));
}

/**
 * What a chosen suggestion puts in the address bar and Enter sends back: the profile name, or
 * for a discovered role its shown name with its account id and IAM Identity Center session,
 * which tell apart two accounts of one name (one line, unlike the role's list key).
 */
export function suggestionContent(profile) {
  if (!profile.discovered) return profile.name;
  return `${shownName(profile)} (${oneLine(profile.account_id)}, ${oneLine(profile.sso_session)})`;
}

/** "Admin in Production (123456789012), eu-west-1": what the row says besides the name. */
export function profileDetails(profile) {
  const account = profile.account_name && profile.account_id
    ? `${profile.account_name} (${profile.account_id})`
    : profile.account_name || profile.account_id || '';
  const role = profile.role || '';
  const where = role && account ? `${role} in ${account}` : role || account;
  return [where, profile.region].map(oneLine).filter(Boolean).join(', ');
}

/** The description of one suggestion: the profile name, then its details (dimmed). */
export function describeProfile(profile, { markup }) {
  const name = shownName(profile);
  const details = profileDetails(profile);
  if (!markup) return details ? `${name} \u2014 ${details}` : name;
  const named = `<match>${escapeXml(name)}</match>`;
  return details ? `${named} <dim>\u2014 ${escapeXml(details)}</dim>` : named;
}

/**
 * The suggestions for `text`: the best matches in the popup's order, each {content,
 * description} where content is suggestionContent (what Enter sends back). An empty query
 * suggests favourites, then recently used profiles.
 */
export function omniboxSuggestions(index, text, {
  favourites = [], recent = [], markup = false, limit = MAX_SUGGESTIONS,
} = {}) {
  let profiles;
  if (tokenize(text).length === 0) {
    const byName = new Map(index.map((entry) => [entry.profile.name, entry.profile]));
    const names = [...new Set([...favourites, ...recent])];
    profiles = names.map((name) => byName.get(name)).filter(Boolean).slice(0, limit);
  } else {
    profiles = rankForQuery(index, text, { favourites, recent, limit }).matches;
  }
  return profiles.map((profile) => ({
    content: suggestionContent(profile),
    description: describeProfile(profile, { markup }),
  }));
}

/**
 * The profile Enter opens: the one whose suggestion content is exactly the text (a chosen
 * suggestion sends it back), else the best match of the typed text; null if nothing matches.
 */
export function chooseProfile(index, text, { favourites = [], recent = [] } = {}) {
  const typed = String(text ?? '').trim();
  if (!typed) return null;
  const exact = index.find((entry) => entry.profile.name === typed)
    ?? index.find((entry) => suggestionContent(entry.profile) === typed);
  if (exact) return exact.profile;
  return rankForQuery(index, typed, { favourites, recent, limit: 1 }).matches[0] ?? null;
}

/** The first row of the dropdown, which says what Enter will do with the text as typed. */
export function defaultSuggestion(index, text, options = {}) {
  const { markup = false } = options;
  const chosen = chooseProfile(index, text, options);
  if (chosen) {
    const name = markup ? `<match>${escapeXml(shownName(chosen))}</match>` : shownName(chosen);
    return { description: `Open the AWS console as ${name}` };
  }
  if (index.length === 0) {
    return { description: 'roleport has no profiles yet: open its toolbar button once' };
  }
  const typed = oneLine(text);
  if (!typed) return { description: 'Type part of a profile, account or role name' };
  const shown = markup ? escapeXml(typed) : typed;
  return { description: `No AWS profile matches \u201c${shown}\u201d` };
}

/** Whether Enter asked for a tab in the background (Alt+Enter / middle click in some browsers). */
export function opensInBackground(disposition) {
  return disposition === 'newBackgroundTab';
}
