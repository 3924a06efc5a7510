/**
 * Runs async tasks one after another per key (and concurrently across keys), so two quick clicks
 * on the same profile cannot both find "no container" and create two.
 */
export function createKeyedLock() {
  const tails = new Map();
  return function runExclusive(key, task) {
    const previous = tails.get(key) ?? Promise.resolve();
    const result = previous.catch(() => undefined).then(task);
    const tail = result.catch(() => undefined);
    tails.set(key, tail);
    tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}
