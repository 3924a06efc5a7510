import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  SETUP_ERROR_CODES, hostState, installerBrowser, isSupportedOs, registerCommand, setupSteps,
} from '../../extension/lib/setup.js';

const brands = (...names) => names.map((brand) => ({ brand, version: '130' }));

describe('installerBrowser', () => {
  it('names Firefox-family browsers by their name', () => {
    assert.equal(installerBrowser({ gecko: true, geckoName: 'Firefox' }), 'firefox');
    assert.equal(installerBrowser({ gecko: true, geckoName: 'LibreWolf' }), 'librewolf');
  });

  it('names Chromium-family browsers by their most specific brand', () => {
    assert.equal(installerBrowser({ brands: brands('Not?A_Brand', 'Chromium') }), 'chromium');
    assert.equal(installerBrowser({ brands: brands('Chromium', 'Google Chrome') }), 'chrome');
    assert.equal(installerBrowser({ brands: brands('Chromium', 'Microsoft Edge') }), 'edge');
    assert.equal(installerBrowser({ brands: brands('Brave', 'Chromium') }), 'brave');
    assert.equal(installerBrowser({ brands: undefined }), 'chrome');
  });
});

describe('setupSteps', () => {
  const commands = (steps) => steps.flatMap(
    (step) => [...step.commands, ...(step.alternative?.commands ?? [])],
  );

  it('installs with pipx and registers this browser, per operating system', () => {
    const linux = commands(setupSteps({ os: 'linux', browser: 'chromium' }));
    assert.ok(linux.includes('sudo apt install pipx'));
    assert.ok(linux.includes('pipx install roleport'));
    const install = setupSteps({ os: 'linux', browser: 'chromium' })
      .find((step) => step.commands.includes('pipx install roleport'));
    assert.deepEqual(install.alternative.commands, ['pipx install .'], 'from source, same step');
    assert.equal(linux.at(-1), 'roleport install --browser chromium');
    assert.ok(commands(setupSteps({ os: 'mac', browser: 'chrome' })).includes('brew install pipx'));
    const windows = commands(setupSteps({ os: 'win', browser: 'edge' }));
    assert.ok(windows.includes('py -m pip install --user pipx'));
    assert.equal(windows.at(-1), 'roleport install --browser edge');
  });

  it('adds the id of a Chromium build without a pinned key', () => {
    const id = 'abcdefghijklmnopabcdefghijklmnop';
    assert.equal(registerCommand({ browser: 'chrome', extensionId: id }),
      `roleport install --browser chrome --extension-id ${id}`);
    assert.equal(commands(setupSteps({ os: 'linux', browser: 'chrome', extensionId: id })).at(-1),
      `roleport install --browser chrome --extension-id ${id}`);
  });

  it('updates an outdated host and registers it again', () => {
    assert.deepEqual(commands(setupSteps({ os: 'mac', browser: 'firefox', update: true })),
      ['pipx upgrade roleport', 'roleport install --browser firefox']);
  });

  it('knows which systems the installer supports', () => {
    assert.ok(isSupportedOs('win') && isSupportedOs('mac') && isSupportedOs('linux'));
    assert.ok(!isSupportedOs('cros'));
  });
});

describe('hostState', () => {
  it('tells the setup problems apart', () => {
    assert.equal(hostState({ ok: true, result: {} }), 'connected');
    assert.equal(hostState({ ok: false, error: { code: 'host_not_installed' } }), 'missing');
    assert.equal(hostState({ ok: false, error: { code: 'host_incompatible' } }), 'outdated');
    assert.equal(hostState({ ok: false, error: { code: 'host_forbidden' } }), 'forbidden');
    assert.equal(hostState({ ok: false, error: { code: 'host_exited' } }), 'broken');
    assert.equal(hostState(undefined), 'broken');
  });

  it('links the popup to the setup for exactly the setup problems', () => {
    assert.deepEqual([...SETUP_ERROR_CODES].sort(),
      ['host_forbidden', 'host_incompatible', 'host_not_installed']);
  });
});
