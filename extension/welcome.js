/**
 * The welcome page: opened when the extension is installed (and when the host is missing or
 * too old), it asks the background whether the helper program answers, shows this operating
 * system's commands to install it, and once connected how many profiles it found and how to
 * pin the toolbar button. Only the background talks to the host.
 */
import { ext } from './lib/browser.js';
import { rowsToProfiles } from './lib/profiles.js';
import {
  hostState, installerBrowser, isSupportedOs, setupSteps,
} from './lib/setup.js';
import { callBackground, h, withCode } from './lib/ui.js';

const TITLES = {
  checking: 'Checking the helper program\u2026',
  connected: 'The helper program is installed and answering',
  missing: 'The helper program is not installed for this browser',
  outdated: 'The helper program needs an update',
  forbidden: 'The helper program does not allow this copy of the extension',
  broken: 'The helper program does not work',
};

/** The tab's title says the outcome too (the title while checking is the HTML's). */
export const PAGE_TITLES = Object.freeze({
  ready: 'roleport is ready', setup: 'Set up roleport',
});

const OS_NAMES = { linux: 'Linux', mac: 'macOS', win: 'Windows' };

const $ = (id) => document.getElementById(id);

/** Browser, operating system and, for Chromium builds without a pinned id, that id. */
async function environment() {
  const platform = await ext.runtime.getPlatformInfo();
  const gecko = typeof ext.runtime.getBrowserInfo === 'function';
  const geckoName = gecko ? (await ext.runtime.getBrowserInfo()).name : '';
  const browser = installerBrowser({ gecko, geckoName, brands: navigator.userAgentData?.brands });
  // A Chromium build without manifest "key" (a store build) has an id the installer does not
  // know; Firefox builds always carry their gecko id.
  const extensionId = !gecko && !ext.runtime.getManifest().key ? ext.runtime.id : null;
  return { os: platform.os, browser, gecko, extensionId };
}

function showSteps(env, state) {
  const steps = setupSteps({ ...env, update: state === 'outdated' });
  const commandLines = (commands) => commands.map(
    (command) => h('pre', { className: 'command' }, h('code', {}, command)),
  );
  $('steps').replaceChildren(...steps.map((step) => h('li', {},
    h('p', {}, step.text),
    ...commandLines(step.commands),
    ...(step.alternative
      ? [h('p', { className: 'alternative' }, step.alternative.text),
        ...commandLines(step.alternative.commands)]
      : []))));
  $('os-note').textContent = isSupportedOs(env.os)
    ? `Commands for ${OS_NAMES[env.os]}, in a terminal:`
    : 'roleport\u2019s installer supports Linux, macOS and Windows; on other systems follow the '
      + 'Linux steps where they apply.';
  $('setup-title').textContent = state === 'outdated'
    ? 'Update the helper program' : 'Install the helper program';
}

function pinHelp(env) {
  if (env.gecko) {
    return 'Click the Extensions button (the puzzle piece) in the toolbar, then the gear next to '
      + 'roleport, then \u201cPin to Toolbar\u201d.';
  }
  return 'Click the Extensions button (the puzzle piece) right of the address bar, then the pin '
    + 'next to roleport.';
}

async function shortcutHelp(env) {
  const where = env.gecko
    ? '`about:addons` (gear menu \u2192 Manage Extension Shortcuts)'
    : '`chrome://extensions/shortcuts`';
  let shortcut = '';
  try {
    const commands = await ext.commands.getAll();
    shortcut = commands.find((command) => command.name === '_execute_action')?.shortcut ?? '';
  } catch {
    // Shown as "no shortcut" below.
  }
  return shortcut
    ? `Press \`${shortcut}\` to open roleport's list from any tab; change it at ${where}.`
    : `No shortcut opens roleport's list yet: choose one at ${where}.`;
}

function setText(id, text) {
  $(id).replaceChildren(...withCode(text));
}

async function check(env) {
  const button = $('check-again');
  button.disabled = true;
  document.body.dataset.state = 'checking';
  setText('status-title', TITLES.checking);
  setText('status-detail', '');
  setText('status-hint', '');
  const hello = await callBackground(ext, { type: 'hello' });
  let state = hostState(hello);
  if (state === 'connected') {
    const profiles = await callBackground(ext, { type: 'profiles' });
    const version = typeof hello.result?.version === 'string' ? ` (version ${hello.result.version})` : '';
    setText('status-detail', `roleport${version} answers this browser.`);
    if (profiles.ok) {
      const count = rowsToProfiles(profiles.result).length;
      const where = profiles.result?.config_file ? ` in \`${profiles.result.config_file}\`` : '';
      setText('profile-count', count === 0
        ? `It found no AWS profiles${where}. Add one (for example with \`aws configure sso\`), `
          + 'then open the toolbar button.'
        : `It found ${count} AWS ${count === 1 ? 'profile' : 'profiles'}${where}.`);
    } else {
      state = 'broken';
      setText('status-detail', profiles.error.message);
      setText('status-hint', profiles.error.hint ?? '');
    }
  } else if (state === 'missing') {
    // The title says it; the steps below replace the error's short hint.
    setText('status-detail', 'Follow the steps below, then choose Check again.');
  } else {
    setText('status-detail', hello.error.message);
    setText('status-hint', hello.error.hint ?? '');
  }
  setText('status-title', state === 'connected' || !profilesFailed(state, hello)
    ? TITLES[state] : 'The helper program could not read your AWS profiles');
  $('setup').hidden = state === 'connected' || profilesFailed(state, hello);
  $('ready').hidden = state !== 'connected';
  if (state === 'connected') {
    setText('pin-help', pinHelp(env));
    setText('shortcut-help', await shortcutHelp(env));
  } else {
    showSteps(env, state);
  }
  document.body.dataset.state = state;
  document.title = state === 'connected' ? PAGE_TITLES.ready : PAGE_TITLES.setup;
  button.disabled = false;
}

/** A host that said hello but failed to list the profiles (a config problem, not the setup). */
function profilesFailed(state, hello) {
  return state === 'broken' && hello.ok;
}

async function start() {
  const env = await environment();
  document.body.dataset.browser = env.browser;
  document.body.dataset.os = env.os;
  $('check-again').addEventListener('click', () => check(env));
  await check(env);
}

start();
