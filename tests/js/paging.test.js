import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { toErrorPayload } from '../../extension/lib/errors.js';
import { fetchAllPages } from '../../extension/lib/profiles.js';

const columns = ['name'];

/** A host answering `profiles` in pages of `size` rows, like PROTOCOL.md "profiles" paging. */
function pagedHost(names, size, generations = () => 'g1') {
  const asked = [];
  const requestPage = async (offset) => {
    asked.push(offset);
    const rows = names.slice(offset, offset + size).map((name) => [name]);
    const next = offset + size < names.length ? offset + size : null;
    return { columns, rows, generation: generations(asked.length), total: names.length,
      next_offset: next };
  };
  return { asked, requestPage };
}

describe('fetchAllPages', () => {
  it('returns a single page as it is', async () => {
    const host = pagedHost(['a', 'b'], 10);
    const table = await fetchAllPages(host.requestPage);
    assert.deepEqual(table.rows, [['a'], ['b']]);
    assert.deepEqual(host.asked, [0]);
  });

  it('follows next_offset until the last page', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `p${i}`);
    const host = pagedHost(names, 10);
    const table = await fetchAllPages(host.requestPage);
    assert.equal(table.rows.length, 25);
    assert.deepEqual(table.rows.at(-1), ['p24']);
    assert.equal(table.next_offset, null);
    assert.deepEqual(host.asked, [0, 10, 20]);
  });

  it('starts over when the generation changes between pages', async () => {
    const names = Array.from({ length: 15 }, (_, i) => `p${i}`);
    // Second request sees a new generation: the config changed mid-read.
    const host = pagedHost(names, 10, (n) => (n === 2 ? 'g2' : n >= 3 ? 'g3' : 'g1'));
    const table = await fetchAllPages(host.requestPage);
    assert.equal(table.rows.length, 15);
    assert.equal(table.generation, 'g3');
    assert.deepEqual(host.asked, [0, 10, 0, 10]);
  });

  it('gives up when the config never settles', async () => {
    const names = Array.from({ length: 15 }, (_, i) => `p${i}`);
    const host = pagedHost(names, 10, (n) => `g${n}`);
    await assert.rejects(fetchAllPages(host.requestPage, 2), /kept changing/);
    // The popup shows code, message and hint like any host error: say what to do.
    await assert.rejects(fetchAllPages(pagedHost(names, 10, (n) => `g${n}`).requestPage, 2), (error) => {
      assert.equal(toErrorPayload(error).code, 'config_changing');
      assert.match(toErrorPayload(error).hint, /open the popup again/);
      return true;
    });
  });

  it('refuses a next_offset that does not follow the rows received', async () => {
    const requestPage = async () => ({ columns, rows: [['a']], generation: 'g', next_offset: 5 });
    await assert.rejects(fetchAllPages(requestPage), /out of order/);
    await assert.rejects(fetchAllPages(requestPage), (error) => {
      assert.equal(toErrorPayload(error).code, 'bad_reply');
      assert.match(toErrorPayload(error).hint, /update both/);
      return true;
    });
  });
});
