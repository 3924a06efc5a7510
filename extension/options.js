/**
 * The options page: every control saves on change into storage.local "settings" (validated by
 * normalizeSettings); "Test connection" asks the background for the host's hello, which the
 * background has already judged (a host this extension cannot use comes back as an error).
 */
import { ext } from './lib/browser.js';
import { isRegion } from './lib/rules.js';
import { STORAGE_KEYS, normalizeSettings } from './lib/settings.js';
import { callBackground, h, showError } from './lib/ui.js';

const form = document.getElementById('settings');
const saveStatus = document.getElementById('save-status');
const regionInput = document.getElementById('default-region');
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
};

function fill(settings) {
  for (const [key, control] of Object.entries(controls)) {
    if (control.type === 'checkbox') control.checked = settings[key];
    else control.value = String(settings[key]);
  }
}

function read() {
  return {
    containersEnabled: controls.containersEnabled.checked,
    containerPrefix: controls.containerPrefix.value,
    openMode: controls.openMode.value,
    region: controls.region.value.trim(),
    sessionDuration: Number(controls.sessionDuration.value),
    keepPopupOpen: controls.keepPopupOpen.checked,
    signOutClosesTabs: controls.signOutClosesTabs.checked,
  };
}

async function save() {
  const raw = read();
  if (raw.region && !isRegion(raw.region)) {
    regionInput.setAttribute('aria-invalid', 'true');
    saveStatus.textContent = `Not saved: \u201c${raw.region}\u201d is not an AWS region name `
      + '(for example eu-west-1).';
    return;
  }
  regionInput.removeAttribute('aria-invalid');
  const settings = normalizeSettings(raw);
  await ext.storage.local.set({ [STORAGE_KEYS.settings]: settings });
  saveStatus.textContent = 'Saved.';
  form.dataset.saved = String(Date.now());
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

form.addEventListener('change', save);
form.addEventListener('input', (event) => {
  // Text fields save as you type; checkboxes and selects already fire "change".
  if (!(event.target instanceof HTMLInputElement) || event.target.type !== 'text') return;
  // A half-typed region is not an error yet: it is judged on "change" (leaving the field).
  if (event.target === regionInput && regionInput.value.trim() && !isRegion(regionInput.value.trim())) return;
  save();
});
form.addEventListener('submit', (event) => event.preventDefault());
testButton.addEventListener('click', testConnection);

async function start() {
  const stored = await ext.storage.local.get(STORAGE_KEYS.settings);
  fill(normalizeSettings(stored[STORAGE_KEYS.settings]));
  document.body.dataset.ready = 'true';
}

start();
