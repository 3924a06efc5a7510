import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createKeyedPool } from '../../extension/lib/keyed-pool.js';

function counter() {
  let built = 0;
  return { build: () => ({ id: (built += 1) }), count: () => built };
}

describe('the keyed pool of built rows', () => {
  it('gives back what it built for a key and the same inputs, in a later render', () => {
    const pool = createKeyedPool();
    const { build, count } = counter();
    const profile = { name: 'prod-admin' };
    const first = pool.take('a', [profile, 'red'], build);
    assert.equal(first.reused, false);
    pool.nextRender();
    const again = pool.take('a', [profile, 'red'], build);
    assert.equal(again.reused, true);
    assert.equal(again.value, first.value);
    assert.equal(count(), 1);
  });

  it('builds anew when any input changed (another profile object, colour or badge)', () => {
    const pool = createKeyedPool();
    const { build, count } = counter();
    const profile = { name: 'prod-admin' };
    const first = pool.take('a', [profile, 'red', 'MFA'], build).value;
    pool.nextRender();
    assert.notEqual(pool.take('a', [{ ...profile }, 'red', 'MFA'], build).value, first);
    pool.nextRender();
    const second = pool.take('a', [profile, 'red', 'MFA'], build).value;
    pool.nextRender();
    assert.notEqual(pool.take('a', [profile, 'red', 'MFA until 18:40'], build).value, second);
    pool.nextRender();
    assert.notEqual(pool.take('a', [profile, 'red'], build).value, second);
    assert.equal(count(), 5);
  });

  it('never hands out one thing twice in a render (the same key listed twice)', () => {
    const pool = createKeyedPool();
    const { build } = counter();
    const one = pool.take('a', [], build).value;
    const two = pool.take('a', [], build).value;
    assert.notEqual(one, two);
  });

  it('drops what was not used in the last renders', () => {
    const pool = createKeyedPool({ keepRenders: 2 });
    const { build, count } = counter();
    pool.take('a', [], build);
    pool.take('b', [], build);
    pool.nextRender();
    pool.take('b', [], build);
    pool.nextRender();
    pool.nextRender();
    assert.equal(pool.size, 1); // 'a' unused for 3 renders
    assert.equal(pool.take('b', [], build).reused, true);
    assert.equal(pool.take('a', [], build).reused, false);
    assert.equal(count(), 3);
  });

  it('keeps at most maxEntries, the least recently used going first', () => {
    const pool = createKeyedPool({ maxEntries: 2 });
    const { build } = counter();
    pool.take('a', [], build);
    pool.take('b', [], build);
    pool.take('c', [], build);
    pool.nextRender();
    pool.take('c', [], build); // used again: the most recent
    pool.nextRender();
    assert.equal(pool.size, 2);
    assert.equal(pool.take('c', [], build).reused, true);
    assert.equal(pool.take('b', [], build).reused, true);
    assert.equal(pool.take('a', [], build).reused, false);
  });

  it('forgets everything on clear()', () => {
    const pool = createKeyedPool();
    const { build } = counter();
    pool.take('a', [], build);
    pool.clear();
    pool.nextRender();
    assert.equal(pool.size, 0);
    assert.equal(pool.take('a', [], build).reused, false);
  });
});
