// The pure part of the popup's rows (the DOM part is covered by the browser suites).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { effectiveRegion } from '../../extension/popup-rows.js';

describe('effectiveRegion', () => {
  it('shows the options\' region override when set, else the profile\'s region', () => {
    const profile = { name: 'p', region: 'eu-west-1' };
    assert.deepEqual(effectiveRegion(profile, { region: 'us-east-2' }), { region: 'us-east-2', overridden: true });
    assert.deepEqual(effectiveRegion(profile, { region: '' }), { region: 'eu-west-1', overridden: false });
    assert.deepEqual(effectiveRegion({ name: 'q', region: null }, {}), { region: '', overridden: false });
  });
});
