import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStoredTable } from '../../extension/lib/profiles.js';
import { createSsoHandlers } from '../../extension/lib/sso.js';

function fakes({ containers = false, replies = {}, settings = {} } = {}) {
  const created = [];
  const stored = {};
  const requests = [];
  const client = {
    request: async (action, params) => {
      requests.push([action, params]);
      const reply = replies[action];
      if (reply instanceof Error) throw reply;
      return typeof reply === 'function' ? reply(params) : reply;
    },
  };
  const ext = {
    tabs: { create: async (properties) => { created.push(properties); return { id: created.length }; } },
    storage: { local: { set: async (items) => Object.assign(stored, items) } },
    ...(containers ? { contextualIdentities: { query: async () => [] } } : {}),
  };
  const handlers = createSsoHandlers({ client, ext, readSettings: async () => settings });
  return {
    handlers, created, stored, requests,
  };
}

const FLOW = {
  flow_id: 'abc123', state: 'pending', user_code: 'ABCD-EFGH', start_url: 'https://corp.awsapps.com/start',
  verification_uri: 'https://device.sso.eu-west-1.amazonaws.com/',
  verification_uri_complete: 'https://device.sso.eu-west-1.amazonaws.com/?user_code=ABCD-EFGH',
  interval: 5,
};

test('the verification page opens once per flow, in the default store where containers exist', async () => {
  const { handlers, created } = fakes({ containers: true, replies: { sso_login_start: FLOW } });
  const first = await handlers.ssoLoginStart({ sso_session: 'corp' }, { tab: { windowId: 3 } });
  const second = await handlers.ssoLoginStart({ sso_session: 'corp' }, {});
  assert.equal(first.opened, true);
  assert.equal(second.opened, false);
  assert.deepEqual(created, [{
    url: FLOW.verification_uri_complete, active: true, cookieStoreId: 'firefox-default', windowId: 3,
  }]);
});

test('a verification address that is not https is refused, not opened', async () => {
  const { handlers, created } = fakes({
    replies: { sso_login_start: { ...FLOW, verification_uri_complete: 'http://evil.example/x' } },
  });
  await assert.rejects(handlers.ssoLoginStart({ sso_session: 'corp' }, {}), { code: 'open_failed' });
  assert.equal(created.length, 0);
  await assert.rejects(handlers.ssoLoginStart({}, {}), { code: 'invalid_request' });
});

test('discovered roles are read page by page and cached; an older host gives none', async () => {
  const pages = {
    0: { columns: ['sso_session'], rows: [['a'], ['b']], next_offset: 2, sessions: [{ sso_session: 'corp' }] },
    2: { columns: ['sso_session'], rows: [['c']], next_offset: null },
  };
  const { handlers, stored, requests } = fakes({
    replies: { sso_roles: (params) => pages[params.offset ?? 0] },
  });
  const table = await handlers.ssoRoles({ refresh: true });
  assert.deepEqual(table.rows, [['a'], ['b'], ['c']]);
  assert.deepEqual(requests.map(([, params]) => params), [{ refresh: true }, { refresh: true, offset: 2 }]);
  // Kept as one JSON string, read back whole (lib/profiles.js parseStoredTable).
  assert.equal(typeof stored.discovered, 'string');
  assert.deepEqual(parseStoredTable(stored.discovered).rows, table.rows);
  const unknown = Object.assign(new Error('no'), { code: 'unknown_action' });
  const older = fakes({ replies: { sso_roles: unknown } });
  assert.deepEqual((await older.handlers.ssoRoles({})).rows, []);
});

test('the options page\'s maximum age goes with every listing request', async () => {
  const { handlers, requests } = fakes({
    settings: { ssoDiscoveryMaxAge: 900 },
    replies: { sso_roles: () => ({ columns: [], rows: [], next_offset: null, sessions: [] }) },
  });
  await handlers.ssoRoles({});
  await handlers.ssoRoles({ refresh: true });
  assert.deepEqual(requests.map(([, params]) => params), [{ max_age: 900 }, { refresh: true, max_age: 900 }]);
});

