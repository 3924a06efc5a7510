/**
 * Where the registry of live console sessions (sessions.js) lives: storage.session, which the
 * browser keeps in memory across the background's restarts (a service worker stops when idle)
 * and clears when the browser closes, like the console's own session cookies. Without it (an
 * older browser) the registry lives in the background's memory: a restart then forgets the
 * sessions and the next click signs in again, which is safe. Never a secret in it (sessions.js).
 */
import { createKeyedLock } from './keyed-lock.js';
import { emptyRegistry, normalizeRegistry, prune } from './sessions.js';

export const SESSIONS_KEY = 'consoleSessions';

/**
 * `area` is storage.session (or null); `now` the clock. `read()` gives the current registry,
 * expired records dropped; `update(change)` applies change(registry) -> registry, one at a
 * time, and writes only when something changed.
 */
export function createSessionStore(area, { now = () => Date.now() } = {}) {
  const lock = createKeyedLock();
  let memory = emptyRegistry();

  async function load() {
    if (!area) return memory;
    try {
      const stored = await area.get(SESSIONS_KEY);
      return normalizeRegistry(stored?.[SESSIONS_KEY]);
    } catch {
      return memory;
    }
  }

  async function save(registry) {
    memory = registry;
    if (!area) return;
    try {
      await area.set({ [SESSIONS_KEY]: registry });
    } catch {
      // Storage refused (quota, shutting down): the in-memory copy still serves this run.
    }
  }

  return {
    read: () => lock(SESSIONS_KEY, async () => prune(await load(), now())),
    update: (change) => lock(SESSIONS_KEY, async () => {
      const before = await load();
      const next = await change(prune(before, now()));
      if (JSON.stringify(next) !== JSON.stringify(before)) await save(next);
      return next;
    }),
  };
}
