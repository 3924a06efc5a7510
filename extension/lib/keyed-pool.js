/**
 * Keeps built things (the popup's row elements) by key across renders, so that a list that
 * changes as you type reuses what it built before instead of building it again.
 *
 * take(key, inputs, build): the thing kept under `key` when it was built from the same
 * `inputs` (an array compared element by element with Object.is: the profile object, its
 * colour, its badges...) and is not taken yet in this render; otherwise build(), kept under
 * `key`. A render starts with nextRender(); what was not taken in the last `keepRenders`
 * renders is dropped then, and at most `maxEntries` things are kept (the least recently
 * used go first), so the pool stays small while typing and deleting reuse the recent lists.
 */
export function createKeyedPool({ keepRenders = 8, maxEntries = 1200 } = {}) {
  const entries = new Map(); // key -> {value, inputs, usedIn}
  let render = 0;

  function sameInputs(a, b) {
    return a.length === b.length && a.every((input, i) => Object.is(input, b[i]));
  }

  return {
    take(key, inputs, build) {
      const entry = entries.get(key);
      if (entry && entry.usedIn !== render && sameInputs(entry.inputs, inputs)) {
        entry.usedIn = render;
        // Map order is the order of use: re-inserting keeps the least recently used first.
        entries.delete(key);
        entries.set(key, entry);
        return { value: entry.value, reused: true };
      }
      const value = build();
      entries.delete(key);
      entries.set(key, { value, inputs: [...inputs], usedIn: render });
      return { value, reused: false };
    },
    nextRender() {
      render += 1;
      for (const [key, entry] of entries) {
        if (render - entry.usedIn > keepRenders) entries.delete(key);
      }
      for (const key of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(key);
      }
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
