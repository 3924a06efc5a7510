import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import {
  CREDENTIALS_DURATION, DEFAULT_SETTINGS, SESSION_DURATIONS, SSO_DISCOVERY_MINUTES,
  applicableSections, applySettings, containersSupported, discoveryAgeText, loginParams,
  normalizeSettings, parseDiscoveryAge, ssoRolesParams,
} from '../../extension/lib/settings.js';
import { isConsoleDuration, isRegion } from '../../extension/lib/rules.js';
import {
  parseStoredTable, pushRecent, rowsToProfiles, storedTable, toggleFavourite,
} from '../../extension/lib/profiles.js';
import { toErrorPayload } from '../../extension/lib/errors.js';

describe('normalizeSettings', () => {
  it('fills defaults for missing or broken storage', () => {
    assert.deepEqual(normalizeSettings(undefined), DEFAULT_SETTINGS);
    assert.deepEqual(normalizeSettings('garbage'), DEFAULT_SETTINGS);
  });

  it('keeps valid values and replaces invalid ones', () => {
    const settings = normalizeSettings({
      containersEnabled: false, containerPrefix: 'aws:', openMode: 'new-window', region: 'eu-west-1',
      sessionDuration: '3600', keepPopupOpen: true, signOutClosesTabs: true, unknown: 1,
    });
    assert.deepEqual(settings, {
      containersEnabled: false, containerPrefix: 'aws:', openMode: 'new-window', region: 'eu-west-1',
      sessionDuration: 3600, keepPopupOpen: true, signOutClosesTabs: true, ssoDiscoveryMaxAge: null,
    });
    assert.equal(normalizeSettings({ signOutClosesTabs: 'yes' }).signOutClosesTabs, false);
    const broken = normalizeSettings({ openMode: 'teleport', region: 'mars-1', sessionDuration: 5, containersEnabled: 'yes' });
    assert.equal(broken.openMode, 'automatic');
    assert.equal(broken.region, '');
    assert.equal(broken.sessionDuration, 0);
    assert.equal(broken.containersEnabled, true);
  });

  it('keeps a region of every partition the host accepts, eusc-de-east-1 among them', () => {
    for (const region of ['eusc-de-east-1', 'us-isob-east-1', 'us-gov-west-1']) {
      assert.equal(normalizeSettings({ region }).region, region);
    }
  });

  it('recognises region names of every partition', () => {
    for (const region of ['eu-west-1', 'us-gov-west-1', 'cn-north-1', 'ap-southeast-5']) assert.ok(isRegion(region), region);
    for (const region of ['', 'eu', 'EU-WEST-1', 'eu-west', 'eu-west-1; rm']) assert.ok(!isRegion(region), region);
  });
});

describe('applySettings (what the options page saves)', () => {
  const previous = { ...DEFAULT_SETTINGS, region: 'eu-central-1' };

  it('saves a region as botocore spells it', () => {
    const { settings, problems } = applySettings(previous, { region: ' EU-WEST-1 ' });
    assert.equal(settings.region, 'eu-west-1');
    assert.deepEqual(problems, {});
    assert.equal(normalizeSettings({ region: 'US-GOV-WEST-1' }).region, 'us-gov-west-1');
  });

  it('empties the region on an empty field', () => {
    assert.equal(applySettings(previous, { region: '  ' }).settings.region, '');
  });

  it('keeps the saved region for an invalid one, saves the other fields and says why', () => {
    const { settings, problems } = applySettings(previous, {
      region: 'mars-north', sessionDuration: '3600', keepPopupOpen: true,
    });
    assert.equal(settings.region, 'eu-central-1');
    assert.equal(settings.sessionDuration, 3600);
    assert.equal(settings.keepPopupOpen, true);
    assert.match(problems.region, /\u201cmars-north\u201d is not an AWS region name/);
    assert.match(problems.region, /stays \u201ceu-central-1\u201d/);
    assert.match(applySettings(DEFAULT_SETTINGS, { region: 'x' }).problems.region, /stays unset/);
  });

  it('starts from defaults when nothing was saved', () => {
    assert.deepEqual(applySettings(undefined, {}), { settings: DEFAULT_SETTINGS, problems: {} });
  });
});

describe('options sections by browser', () => {
  it('shows containers where the browser has them, opening modes where it has none', () => {
    assert.deepEqual(applicableSections({ containersSupported: false, containersEnabled: true }),
      { containers: false, openMode: true });
    assert.deepEqual(applicableSections({ containersSupported: true, containersEnabled: true }),
      { containers: true, openMode: false });
    // Containers switched off in roleport: logins are opened by the modes again.
    assert.deepEqual(applicableSections({ containersSupported: true, containersEnabled: false }),
      { containers: true, openMode: true });
  });

  it('detects containers by the contextualIdentities API, off when Firefox rejects it', async () => {
    assert.equal(await containersSupported({}), false);
    assert.equal(await containersSupported({ contextualIdentities: { query: async () => [] } }), true);
    const switchedOff = { contextualIdentities: { query: async () => { throw new Error('Contextual identities are currently disabled'); } } };
    assert.equal(await containersSupported(switchedOff), false);
  });
});

describe('the discovered roles\' maximum age (minutes on the page, seconds in storage)', () => {
  const previous = { ...DEFAULT_SETTINGS, ssoDiscoveryMaxAge: 1800 };

  it('defaults to none, so the host\'s own default applies', () => {
    assert.equal(DEFAULT_SETTINGS.ssoDiscoveryMaxAge, null);
    assert.deepEqual(ssoRolesParams(DEFAULT_SETTINGS), {});
    assert.deepEqual(ssoRolesParams(DEFAULT_SETTINGS, { refresh: true }), { refresh: true });
    assert.deepEqual(SSO_DISCOVERY_MINUTES, { min: 1, max: 10080, default: 60 });
  });

  it('saves whole minutes as seconds and sends them as max_age', () => {
    const { settings, problems } = applySettings(previous, { ssoDiscoveryMaxAge: ' 15 ' });
    assert.deepEqual(problems, {});
    assert.equal(settings.ssoDiscoveryMaxAge, 900);
    assert.equal(discoveryAgeText(settings.ssoDiscoveryMaxAge), '15');
    assert.deepEqual(ssoRolesParams(settings, { refresh: true }), { refresh: true, max_age: 900 });
    assert.equal(applySettings(previous, { ssoDiscoveryMaxAge: '10080' }).settings.ssoDiscoveryMaxAge, 604800);
  });

  it('goes back to the default on an empty field', () => {
    const { settings, problems } = applySettings(previous, { ssoDiscoveryMaxAge: '  ' });
    assert.deepEqual(problems, {});
    assert.equal(settings.ssoDiscoveryMaxAge, null);
    assert.equal(discoveryAgeText(null), '');
  });

  it('keeps the saved age for an invalid one, saves the other fields and says why', () => {
    for (const typed of ['0', '10081', '1.5', '-5', 'soon', '1e3', '90 min']) {
      const { settings, problems } = applySettings(previous, {
        ssoDiscoveryMaxAge: typed, keepPopupOpen: true,
      });
      assert.equal(settings.ssoDiscoveryMaxAge, 1800, typed);
      assert.equal(settings.keepPopupOpen, true);
      assert.equal(problems.ssoDiscoveryMaxAge, `\u201c${typed}\u201d is not a whole number of `
        + 'minutes from 1 to 10080 (a week), so the age stays 30 minutes.');
    }
    assert.match(applySettings(DEFAULT_SETTINGS, { ssoDiscoveryMaxAge: '0' }).problems.ssoDiscoveryMaxAge,
      /stays the default \(60 minutes\)\.$/);
    assert.equal(parseDiscoveryAge('1').seconds, 60);
  });

  it('keeps only ages the host accepts from storage', () => {
    for (const stored of [0, 59, 604801, '3600', 3600.5, true]) {
      assert.equal(normalizeSettings({ ssoDiscoveryMaxAge: stored }).ssoDiscoveryMaxAge, null, String(stored));
    }
    assert.equal(normalizeSettings({ ssoDiscoveryMaxAge: 60 }).ssoDiscoveryMaxAge, 60);
  });
});

describe('session length choices', () => {
  it('offers only console durations the host accepts, besides "as long as the credentials"', () => {
    for (const seconds of SESSION_DURATIONS) {
      if (seconds !== CREDENTIALS_DURATION) assert.ok(isConsoleDuration(seconds), String(seconds));
    }
    assert.equal(SESSION_DURATIONS[0], CREDENTIALS_DURATION);
  });

  it('are the choices of the options page', () => {
    const page = readFileSync(new URL('../../extension/options.html', import.meta.url), 'utf8');
    const select = /<select id="session-duration"[^>]*>([\s\S]*?)<\/select>/.exec(page)[1];
    const offered = [...select.matchAll(/<option value="(\d+)"/g)].map((match) => Number(match[1]));
    assert.deepEqual(offered, [...SESSION_DURATIONS]);
  });
});

describe('loginParams', () => {
  it('sends only what is set (the host rejects unknown params)', () => {
    assert.deepEqual(loginParams('p', DEFAULT_SETTINGS, null), { profile: 'p' });
    assert.deepEqual(
      loginParams('p', { ...DEFAULT_SETTINGS, region: 'us-east-1', sessionDuration: 7200 }, '123456'),
      { profile: 'p', region: 'us-east-1', duration: 7200, mfa_code: '123456' },
    );
  });
});

describe('profile table and lists', () => {
  it('maps rows by column name, tolerating new columns and bad rows', () => {
    const profiles = rowsToProfiles({
      columns: ['name', 'account_id', 'future'],
      rows: [['a', '1', 'x'], 'bad', [null, '2'], ['b']],
    });
    assert.deepEqual(profiles, [{ name: 'a', account_id: '1', future: 'x' }, { name: 'b', account_id: null, future: null }]);
    assert.deepEqual(rowsToProfiles(null), []);
  });

  it('keeps the table in storage as one JSON string and reads it back', () => {
    const table = { columns: ['name'], rows: [['a'], ['b']], generation: 'g1' };
    const stored = storedTable(table);
    assert.equal(typeof stored, 'string');
    assert.deepEqual(parseStoredTable(stored), table);
    assert.deepEqual(rowsToProfiles(parseStoredTable(stored)), [{ name: 'a' }, { name: 'b' }]);
  });

  it('reads a table an older version kept as an object, and refuses anything else', () => {
    const table = { columns: ['name'], rows: [['a']] };
    assert.deepEqual(parseStoredTable(table), table);
    for (const bad of [undefined, null, '', '{broken', '[1,2]', '"text"', 'null', 42, ['a']]) {
      assert.equal(parseStoredTable(bad), null, JSON.stringify(bad));
    }
  });

  it('keeps recent names distinct, newest first, bounded', () => {
    assert.deepEqual(pushRecent(['a', 'b', 'c'], 'b'), ['b', 'a', 'c']);
    assert.deepEqual(pushRecent(['a', 'b'], 'c', 2), ['c', 'a']);
    assert.deepEqual(pushRecent(undefined, 'a'), ['a']);
  });

  it('toggles favourites', () => {
    assert.deepEqual(toggleFavourite(['a'], 'b'), ['a', 'b']);
    assert.deepEqual(toggleFavourite(['a', 'b'], 'a'), ['b']);
  });
});

describe('toErrorPayload', () => {
  it('passes only the wire fields, never stray properties such as a URL', () => {
    const error = Object.assign(new Error('boom'), {
      code: 'mfa_required', hint: 'enter code', profile: 'p', mfa_serial: 'arn:mfa', url: 'https://secret',
    });
    assert.deepEqual(toErrorPayload(error), {
      code: 'mfa_required', message: 'boom', hint: 'enter code', profile: 'p', mfa_serial: 'arn:mfa',
    });
    assert.equal(toErrorPayload(undefined).code, 'internal_error');
  });
});
