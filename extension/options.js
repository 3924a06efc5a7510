/**
 * The options page: every control saves on change into storage.local "settings". Each field is
 * judged on its own (applySettings): an invalid one shows its message next to itself and keeps
 * its saved value, the others are saved all the same. Only the sections that apply to this
 * browser are shown (containers where it has them). The region field offers botocore's regions,
 * which the background asks the host for; the discovered roles' maximum age is typed in minutes
 * (empty: the host's default). "Test connection" asks the background for the host's
 * hello, which the background has already judged (a host this extension cannot use comes back
 * as an error).
 */
import { ext } from './lib/browser.js';
import { isRegion, normalizeRegion } from './lib/rules.js';
import {
  STORAGE_KEYS, applicableSections, applySettings, containersSupported, discoveryAgeText,
  normalizeSettings, parseDiscoveryAge,
} from './lib/settings.js';
import { callBackground, h, showError } from './lib/ui.js';

const form = document.getElementById('settings');
const saveStatus = document.getElementById('save-status');
const regionInput = document.getElementById('default-region');
const regionError = document.getElementById('default-region-error');
const regionList = document.getElementById('known-regions');
const discoveryAgeInput = document.getElementById('sso-discovery-max-age');
const discoveryAgeError = document.getElementById('sso-discovery-max-age-error');
const testButton = document.getElementById('test-connection');
const connectionStatus = document.getElementById('connection-status');

const controls = {
  containersEnabled: document.getElementById('containers-enabled'),
  containerPrefix: document.getElementById('container-prefix'),
  openMode: document.getElementById('open-mode'),
  region: regionInput,
  sessionDuration: document.getElementById('session-duration'),
  keepPopupOpen: document.getElementById('keep-popup-open'),
  signOutClosesTabs: document.getElementById('sign-out-closes-tabs'),
  ssoDiscoveryMaxAge: discoveryAgeInput,
};

/** Each field that can be invalid: its control and the message element next to it. */
const fieldErrors = {
  region: { control: regionInput, message: regionError },
  ssoDiscoveryMaxAge: { control: discoveryAgeInput, message: discoveryAgeError },
};

let browserHasContainers = false;
let saving = Promise.resolve();

function fill(settings) {
  for (const [key, control] of Object.entries(controls)) {
    if (control.type === 'checkbox') control.checked = settings[key];
    else if (key === 'ssoDiscoveryMaxAge') control.value = discoveryAgeText(settings[key]);
    else control.value = String(settings[key]);
  }
}

function read() {
  return {
    containersEnabled: controls.containersEnabled.checked,
    containerPrefix: controls.containerPrefix.value,
    openMode: controls.openMode.value,
    region: controls.region.value,
    sessionDuration: Number(controls.sessionDuration.value),
    keepPopupOpen: controls.keepPopupOpen.checked,
    signOutClosesTabs: controls.signOutClosesTabs.checked,
    ssoDiscoveryMaxAge: controls.ssoDiscoveryMaxAge.value,
  };
}

/** Shows only the sections that apply to this browser and the current settings. */
function showSections() {
  const shown = applicableSections({
    containersSupported: browserHasContainers,
    containersEnabled: controls.containersEnabled.checked,
  });
  for (const section of form.querySelectorAll('[data-section]')) {
    section.hidden = !shown[section.dataset.section];
  }
}

function showProblems(problems) {
  for (const [key, { control, message }] of Object.entries(fieldErrors)) {
    const problem = problems[key];
    if (problem) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
    message.textContent = problem ?? '';
  }
}

async function saveNow() {
  const stored = await ext.storage.local.get(STORAGE_KEYS.settings);
  const { settings, problems } = applySettings(stored[STORAGE_KEYS.settings], read());
  await ext.storage.local.set({ [STORAGE_KEYS.settings]: settings });
  showProblems(problems);
  saveStatus.textContent = Object.keys(problems).length
    ? 'The other options are saved.'
    : 'Saved.';
  form.dataset.saved = String(Date.now());
}

/** Saves one change after another: two quick changes must not interleave their reads. */
function save() {
  saving = saving.then(saveNow, saveNow);
  return saving;
}

async function testConnection() {
  // aria-disabled, not disabled: a disabled button loses focus, dropping keyboard users at the
  // top of the page.
  if (testButton.getAttribute('aria-disabled') === 'true') return;
  testButton.setAttribute('aria-disabled', 'true');
  connectionStatus.setAttribute('aria-busy', 'true');
  connectionStatus.replaceChildren(h('p', {}, 'Connecting\u2026'));
  const reply = await callBackground(ext, { type: 'hello' });
  connectionStatus.removeAttribute('aria-busy');
  testButton.removeAttribute('aria-disabled');
  if (reply.ok) {
    const hello = reply.result ?? {};
    connectionStatus.dataset.state = 'ok';
    connectionStatus.replaceChildren(
      h('p', { className: 'ok' }, 'Connected to the roleport helper program.'),
      h('dl', {},
        h('dt', {}, 'Version'), h('dd', { id: 'host-version' }, String(hello.version ?? 'unknown')),
        h('dt', {}, 'Protocol'), h('dd', {}, String(hello.protocol ?? 'unknown')),
        h('dt', {}, 'AWS config file'), h('dd', { id: 'host-config-file' }, String(hello.config_file ?? 'unknown')),
        h('dt', {}, 'Credentials file'), h('dd', {}, String(hello.credentials_file ?? 'unknown'))),
    );
    return;
  }
  connectionStatus.dataset.state = 'error';
  const alert = h('div', { className: 'alert', role: 'alert' });
  showError(alert, reply.error);
  connectionStatus.replaceChildren(alert);
}

form.addEventListener('change', (event) => {
  if (event.target === regionInput) {
    // Leaving the field: show the region as it is saved ("EU-WEST-1" -> "eu-west-1").
    const region = normalizeRegion(regionInput.value);
    if (region === '' || isRegion(region)) regionInput.value = region;
  }
  if (event.target === discoveryAgeInput) {
    // Leaving the field: show the age as it is saved (" 15 " -> "15").
    const { seconds, problem } = parseDiscoveryAge(discoveryAgeInput.value);
    if (!problem) discoveryAgeInput.value = discoveryAgeText(seconds);
  }
  if (event.target === controls.containersEnabled) showSections();
  save();
});
form.addEventListener('input', (event) => {
  // Text fields save as you type; checkboxes and selects already fire "change".
  if (!(event.target instanceof HTMLInputElement) || event.target.type !== 'text') return;
  // A half-typed region is not an error yet: it is judged on "change" (leaving the field).
  if (event.target === regionInput) {
    const region = normalizeRegion(regionInput.value);
    if (region !== '' && !isRegion(region)) return;
  }
  if (event.target === discoveryAgeInput && parseDiscoveryAge(discoveryAgeInput.value).problem) return;
  save();
});
form.addEventListener('submit', (event) => event.preventDefault());
testButton.addEventListener('click', testConnection);

/** Fills the region picker with botocore's regions; without them the field takes free text. */
async function offerRegions() {
  const reply = await callBackground(ext, { type: 'regions' });
  if (!reply.ok || !Array.isArray(reply.result?.regions)) return;
  regionList.replaceChildren(...reply.result.regions.map((region) => h('option', {
    value: region.name, label: region.description ? `${region.name} \u2013 ${region.description}` : null,
  })));
  regionList.dataset.count = String(reply.result.regions.length);
}

async function start() {
  const [stored, hasContainers] = await Promise.all([
    ext.storage.local.get(STORAGE_KEYS.settings), containersSupported(ext),
  ]);
  browserHasContainers = hasContainers;
  fill(normalizeSettings(stored[STORAGE_KEYS.settings]));
  showSections();
  document.body.dataset.ready = 'true';
  await offerRegions();
}

start();
