/** Small DOM helpers shared by the popup and the options page. */
import { errorFields } from './errors.js';

/** Creates an element with properties/attributes and children (strings become text nodes). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value == null || value === false) continue;
    if (key === 'className') element.className = value;
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/**
 * Makes the element children of `parent` from index `from` on be `nodes`, in order, moving only
 * what must move: an element already in its place stays, because moving or re-inserting one
 * makes the browser take its whole subtree out of the page's layout and build it again (most of
 * the cost of a keystroke's list). The old children that are not among `nodes` are removed up to
 * the last one kept; those after it go too when `trim` is set, else they stay last, for the
 * caller to place later.
 */
export function placeChildren(parent, nodes, { from = 0, trim = true } = {}) {
  const wanted = new Set(nodes);
  const old = Array.prototype.slice.call(parent.children, from);
  let lastKept = -1;
  old.forEach((child, i) => {
    if (wanted.has(child)) lastKept = i;
  });
  const end = trim ? old.length : lastKept + 1;
  for (let i = 0; i < end; i += 1) {
    if (!wanted.has(old[i])) old[i].remove();
  }
  let at = from;
  for (const node of nodes) {
    const current = parent.children[at] ?? null;
    if (current !== node) parent.insertBefore(node, current);
    at += 1;
  }
}

/** Text where `backticked` parts (commands in hints) become <code> elements. */
export function withCode(text) {
  return String(text ?? '').split('`').map((part, i) => (i % 2 === 1 ? h('code', {}, part) : part));
}

/** Fills an alert element with an error's message and hint; empties it for null. */
export function showError(element, error) {
  element.replaceChildren();
  if (!error) return;
  element.append(h('span', { className: 'message' }, withCode(error.message)));
  if (error.hint) element.append(h('span', { className: 'hint' }, withCode(error.hint)));
}

/**
 * Sends a runtime message to the background and always resolves with {ok, result | error},
 * also when the background cannot be reached.
 */
export async function callBackground(api, message) {
  try {
    const reply = await api.runtime.sendMessage(message);
    if (reply && typeof reply.ok === 'boolean') return reply;
  } catch {
    // Reported below with a fix, the browser's text adds nothing for the user.
  }
  return { ok: false, error: errorFields('backgroundSilent') };
}
