// The region picker's list (lib/regions.js) and its relay through the background.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { knownRegions } from '../../extension/lib/regions.js';
import { HostError } from '../../extension/lib/errors.js';
import { fakeBrowser, sendToBackground } from './fakes.js';

describe('knownRegions', () => {
  it('keeps the region names the host sends, with their descriptions', async () => {
    const asked = [];
    const regions = await knownRegions(async (action, params) => {
      asked.push([action, params]);
      return { regions: [
        { name: 'eu-west-1', description: 'Europe (Ireland)', partition: 'aws' },
        { name: 'aws-global', description: 'not a region name' },
        { name: 'cn-north-1' },
        null,
      ] };
    });
    assert.deepEqual(asked, [['regions', {}]]);
    assert.deepEqual(regions, [
      { name: 'eu-west-1', description: 'Europe (Ireland)' },
      { name: 'cn-north-1', description: '' },
    ]);
  });

  it('offers none when the host lacks the action, and passes other errors on', async () => {
    const older = async () => { throw new HostError({ code: 'unknown_action', message: 'x' }); };
    assert.deepEqual(await knownRegions(older), []);
    const broken = async () => { throw new HostError({ code: 'timeout', message: 'slow' }); };
    await assert.rejects(knownRegions(broken), { code: 'timeout' });
    assert.deepEqual(await knownRegions(async () => ({})), []);
  });
});

describe('the background relays regions to the options page', () => {
  it('asks the host once and answers {regions}', async () => {
    const fake = fakeBrowser({
      host: (request) => {
        if (request.action === 'hello') {
          return { ok: true, result: { version: '0.1.0', protocol: 1, capabilities: ['hello', 'login', 'profiles', 'regions'] } };
        }
        if (request.action === 'regions') {
          return { ok: true, result: { regions: [{ name: 'eu-west-1', description: 'Europe (Ireland)' }] } };
        }
        return { ok: false, error: { code: 'unknown_action', message: 'no' } };
      },
    });
    globalThis.browser = fake.api;
    await import(`../../extension/background.js?regions=${Date.now()}`);
    const first = await sendToBackground(fake.api, { type: 'regions' });
    const second = await sendToBackground(fake.api, { type: 'regions' });
    assert.deepEqual(first, { ok: true, result: { regions: [{ name: 'eu-west-1', description: 'Europe (Ireland)' }] } });
    assert.deepEqual(second, first);
    assert.equal(fake.requests.filter((r) => r.action === 'regions').length, 1);
  });
});
