import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { mergeDiscovered, rowsToDiscovered } from '../../extension/lib/discovery.js';
import { buildIndex } from '../../extension/lib/fuzzy.js';
import {
  MAX_SUGGESTIONS, chooseProfile, defaultSuggestion, describeProfile, escapeXml,
  omniboxSuggestions, opensInBackground, profileDetails, shownName, suggestionContent,
} from '../../extension/lib/omnibox.js';
import { FAVOURITE_BONUS, RECENT_BONUS, rankForQuery, rankingBoost } from '../../extension/lib/ranking.js';

const PROFILES = [
  { name: 'prod-admin', account_id: '111122223333', account_name: 'Production', role: 'Admin', region: 'eu-west-1' },
  { name: 'prod-readonly', account_id: '111122223333', account_name: 'Production', role: 'ReadOnly', region: 'eu-west-1' },
  { name: 'dev-admin', account_id: '444455556666', account_name: 'Development', role: 'Admin', region: 'us-east-1' },
  { name: 'r&d <lab>', account_id: '777788889999', account_name: 'R&D "Lab"', role: "O'Brien", region: null },
];
const INDEX = buildIndex(PROFILES);

/** Parses a Chromium description the way Chromium does: wrapped in one root element. */
function wellFormedXml(description) {
  // No DOMParser in node: check that every & starts an entity and no raw < or > is left
  // outside the three allowed tags.
  const withoutTags = description.replace(/<\/?(match|dim|url)>/g, '');
  return !/[<>]/.test(withoutTags) && !/&(?!(amp|lt|gt|quot|apos);)/.test(withoutTags);
}

describe('escapeXml', () => {
  it('escapes the five XML special characters and leaves the rest', () => {
    assert.equal(escapeXml(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f');
    assert.equal(escapeXml('plain-name_1'), 'plain-name_1');
    assert.equal(escapeXml(null), '');
  });
});

describe('describeProfile', () => {
  it('says name, role, account and region', () => {
    assert.equal(describeProfile(PROFILES[0], { markup: false }),
      'prod-admin \u2014 Admin in Production (111122223333), eu-west-1');
  });

  it('marks the name and dims the details for Chromium, escaping every piece', () => {
    const description = describeProfile(PROFILES[3], { markup: true });
    assert.equal(description,
      '<match>r&amp;d &lt;lab&gt;</match> <dim>\u2014 O&apos;Brien in R&amp;D &quot;Lab&quot; (777788889999)</dim>');
    assert.ok(wellFormedXml(description));
  });

  it('gives Firefox plain text, which it shows as typed', () => {
    assert.equal(describeProfile(PROFILES[3], { markup: false }),
      'r&d <lab> \u2014 O\'Brien in R&D "Lab" (777788889999)');
  });

  it('puts line breaks and tabs on one line', () => {
    const profile = { name: 'a\nb', role: 'x\ty', account_id: '1' };
    assert.equal(describeProfile(profile, { markup: false }), 'a b \u2014 x y in 1');
  });

  it('leaves out what the profile does not say', () => {
    assert.equal(profileDetails({ name: 'keys' }), '');
    assert.equal(describeProfile({ name: 'keys' }, { markup: true }), '<match>keys</match>');
    assert.equal(profileDetails({ name: 'x', account_id: '1', region: 'eu-west-1' }), '1, eu-west-1');
  });
});

describe('omniboxSuggestions', () => {
  it('ranks exactly like the popup (fuzzy ranking with the favourite/recent bonus)', () => {
    const options = { favourites: ['prod-readonly'], recent: ['dev-admin'] };
    const popupOrder = rankForQuery(INDEX, 'admin', options).matches.map((p) => p.name);
    const suggested = omniboxSuggestions(INDEX, 'admin', options).map((s) => s.content);
    assert.deepEqual(suggested, popupOrder.slice(0, MAX_SUGGESTIONS));
    assert.deepEqual(omniboxSuggestions(INDEX, 'prd', options).map((s) => s.content),
      ['prod-readonly', 'prod-admin']);
  });

  it('sends the profile name back as content and escapes descriptions for Chromium', () => {
    const [first] = omniboxSuggestions(INDEX, 'lab', { markup: true });
    assert.equal(first.content, 'r&d <lab>');
    assert.ok(wellFormedXml(first.description), first.description);
  });

  it('caps the list and suggests favourites then recent ones for an empty query', () => {
    const many = buildIndex(Array.from({ length: 20 }, (_, i) => ({ name: `p${i}` })));
    assert.equal(omniboxSuggestions(many, 'p').length, MAX_SUGGESTIONS);
    assert.deepEqual(omniboxSuggestions(INDEX, '  ', {
      favourites: ['dev-admin'], recent: ['prod-admin', 'dev-admin', 'gone'],
    }).map((s) => s.content), ['dev-admin', 'prod-admin']);
  });
});

describe('chooseProfile and the default suggestion', () => {
  it('opens the profile a chosen suggestion names, else the best match of the text', () => {
    assert.equal(chooseProfile(INDEX, 'prod-readonly').name, 'prod-readonly');
    assert.equal(chooseProfile(INDEX, 'dev adm').name, 'dev-admin');
    assert.equal(chooseProfile(INDEX, 'r&d <lab>').name, 'r&d <lab>');
    assert.equal(chooseProfile(INDEX, 'zzzz'), null);
    assert.equal(chooseProfile(INDEX, '  '), null);
  });

  it('says what Enter will open, escaped for Chromium', () => {
    assert.equal(defaultSuggestion(INDEX, 'dev', { markup: false }).description,
      'Open the AWS console as dev-admin');
    const none = defaultSuggestion(INDEX, '<none>', { markup: true }).description;
    assert.equal(none, 'No AWS profile matches \u201c&lt;none&gt;\u201d');
    assert.ok(wellFormedXml(defaultSuggestion(INDEX, 'lab', { markup: true }).description));
    assert.match(defaultSuggestion([], 'x').description, /no profiles yet/);
  });

  it('opens in the background only when asked', () => {
    assert.equal(opensInBackground('newBackgroundTab'), true);
    assert.equal(opensInBackground('currentTab'), false);
    assert.equal(opensInBackground('newForegroundTab'), false);
  });
});

describe('roles discovered through IAM Identity Center', () => {
  const discovered = rowsToDiscovered({
    columns: ['sso_session', 'account_id', 'account_name', 'account_email', 'role'],
    rows: [
      ['corp', '222222222222', 'Sandbox', 'sb@example.com', 'Developer'],
      ['corp', '333333333333', 'Sandbox', 'sb2@example.com', 'Developer'],
      ['corp', '111122223333', 'Production', 'p@example.com', 'Admin'], // configured already
    ],
  });
  const index = buildIndex(mergeDiscovered(PROFILES, discovered));

  it('are suggested by account and role, on one line, told apart by account id', () => {
    const suggestions = omniboxSuggestions(index, 'sandbox dev', { markup: true });
    assert.deepEqual(suggestions.map((s) => s.content), [
      'Sandbox/Developer (222222222222, corp)', 'Sandbox/Developer (333333333333, corp)',
    ]);
    for (const { content, description } of suggestions) {
      assert.doesNotMatch(content + description, /[\r\n]/);
      assert.ok(wellFormedXml(description));
    }
    assert.match(suggestions[0].description, /^<match>Sandbox\/Developer<\/match> <dim>/);
  });

  it('a chosen suggestion opens that role, by its list key', () => {
    const [, second] = omniboxSuggestions(index, 'sandbox dev');
    const chosen = chooseProfile(index, second.content);
    assert.equal(chosen.account_id, '333333333333');
    assert.equal(chosen.name, discovered[1].name);
    assert.equal(suggestionContent(chosen), second.content);
  });

  it('typed text opens the best match, and Enter says which role', () => {
    assert.equal(chooseProfile(index, 'sandbox developer').account_id, '222222222222');
    assert.equal(defaultSuggestion(index, 'sandbox developer').description,
      'Open the AWS console as Sandbox/Developer');
  });

  it('a role a profile already names is suggested once, as the profile', () => {
    const contents = omniboxSuggestions(index, 'production admin').map((s) => s.content);
    assert.deepEqual(contents, ['prod-admin']);
  });

  it('recently used discovered roles are suggested for an empty query', () => {
    const suggestions = omniboxSuggestions(index, '', { recent: [discovered[0].name] });
    assert.deepEqual(suggestions.map((s) => s.content), ['Sandbox/Developer (222222222222, corp)']);
  });

  it('a profile keeps its own name as the shown name and content', () => {
    assert.equal(shownName(PROFILES[0]), 'prod-admin');
    assert.equal(suggestionContent(PROFILES[0]), 'prod-admin');
  });
});

describe('rankingBoost', () => {
  it('adds the favourite and recent bonuses', () => {
    const boost = rankingBoost(['a'], ['a', 'b']);
    assert.equal(boost({ name: 'a' }), FAVOURITE_BONUS + RECENT_BONUS);
    assert.equal(boost({ name: 'b' }), RECENT_BONUS);
    assert.equal(boost({ name: 'c' }), 0);
    assert.equal(rankingBoost(null, undefined)({ name: 'a' }), 0);
  });
});
