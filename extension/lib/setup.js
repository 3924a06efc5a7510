/**
 * What the welcome page tells a user to type: which browser this is (in the installer's names,
 * installer/roleport_installer/table.py) and the commands that install or update the helper
 * program on their operating system. Pure functions; welcome.js shows the result.
 */

/** `runtime.PlatformOs` values (MDN, "runtime.PlatformOs") this page has instructions for. */
export const SUPPORTED_OS = Object.freeze(['linux', 'mac', 'win']);

/**
 * navigator.userAgentData brands (Chromium's User-Agent Client Hints) -> the installer's
 * browser name. Order matters: every Chromium-based browser also lists "Chromium".
 */
const BRANDS = [
  ['Microsoft Edge', 'edge'],
  ['Brave', 'brave'],
  ['Vivaldi', 'vivaldi'],
  ['Google Chrome', 'chrome'],
  ['Chromium', 'chromium'],
];

/**
 * The installer's name for this browser. `gecko` is true in Firefox-family browsers
 * (runtime.getBrowserInfo exists there only), `geckoName` is its `name` ("Firefox",
 * "LibreWolf"), `brands` are Chromium's userAgentData.brands.
 */
export function installerBrowser({ gecko = false, geckoName = '', brands = [] } = {}) {
  if (gecko) return /librewolf/i.test(geckoName) ? 'librewolf' : 'firefox';
  const names = (Array.isArray(brands) ? brands : []).map((brand) => String(brand?.brand ?? ''));
  for (const [brand, name] of BRANDS) {
    if (names.some((item) => item === brand)) return name;
  }
  return 'chrome';
}

/** The `roleport install` line for this browser; store builds of Chromium add their id. */
export function registerCommand({ browser, extensionId = null }) {
  const id = extensionId ? ` --extension-id ${extensionId}` : '';
  return `roleport install --browser ${browser}${id}`;
}

/**
 * The steps, each {text, commands[], alternative?: {text, commands[]}}, for `os` (runtime.getPlatformInfo().os). `update` asks
 * for the commands that bring an installed helper program up to date (host too old).
 * `extensionId` is passed for Chromium builds without a pinned key (store builds), whose id the
 * installer cannot know by itself.
 */
export function setupSteps({ os, browser, extensionId = null, update = false }) {
  const register = registerCommand({ browser, extensionId });
  if (update) {
    return [
      { text: 'Update the helper program:', commands: ['pipx upgrade roleport'] },
      { text: 'Register it again with this browser:', commands: [register] },
    ];
  }
  let pipx;
  if (os === 'win') {
    pipx = { text: 'Install pipx (in PowerShell or Command Prompt), then open a new window:',
      commands: ['py -m pip install --user pipx', 'py -m pipx ensurepath'] };
  } else if (os === 'mac') {
    pipx = { text: 'Install pipx (with Homebrew), then open a new terminal:',
      commands: ['brew install pipx', 'pipx ensurepath'] };
  } else {
    pipx = { text: 'Install pipx (Debian, Ubuntu; elsewhere your package manager\u2019s pipx), '
      + 'then open a new terminal:',
    commands: ['sudo apt install pipx', 'pipx ensurepath'] };
  }
  return [
    pipx,
    {
      text: 'Install the roleport helper program:',
      commands: ['pipx install roleport'],
      alternative: { text: 'or, in a checkout of its source code:', commands: ['pipx install .'] },
    },
    { text: 'Register it with this browser:', commands: [register] },
  ];
}

/** Whether this operating system has instructions (roleport's installer supports these). */
export function isSupportedOs(os) {
  return SUPPORTED_OS.includes(os);
}

/**
 * The welcome page's state for an answer of the background: 'connected', or why not:
 * 'missing' (not installed or not registered for this browser), 'outdated' (too old or of
 * another protocol), 'forbidden' (registered for other extension ids), 'broken' (anything else).
 */
export function hostState(reply) {
  if (reply?.ok) return 'connected';
  switch (reply?.error?.code) {
    case 'host_not_installed': return 'missing';
    case 'host_incompatible': return 'outdated';
    case 'host_forbidden': return 'forbidden';
    default: return 'broken';
  }
}

/** Error codes for which the popup links to the welcome page's setup instructions. */
export const SETUP_ERROR_CODES = Object.freeze(['host_not_installed', 'host_incompatible',
  'host_forbidden']);
