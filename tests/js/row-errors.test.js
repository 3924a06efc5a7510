import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  configProblem, errorActions, errorPlace, shortPath,
} from '../../extension/lib/row-errors.js';

describe('errorPlace', () => {
  it('keeps errors about the whole list at the top', () => {
    for (const code of ['host_not_installed', 'host_forbidden', 'host_incompatible', 'extension_error']) {
      assert.equal(errorPlace({ code }), 'list', code);
    }
  });

  it('keeps an unknown profile at the top: its row goes when the list is fetched again', () => {
    assert.equal(errorPlace({ code: 'profile_not_found' }), 'list');
  });

  it('puts MFA errors at the field and login failures at the row', () => {
    assert.equal(errorPlace({ code: 'mfa_invalid' }), 'mfa');
    assert.equal(errorPlace({ code: 'mfa_required' }), 'mfa');
    for (const code of ['network_error', 'access_denied', 'sso_login_required', 'aws_unavailable', 'something_new']) {
      assert.equal(errorPlace({ code }), 'row', code);
    }
  });
});

describe('errorActions', () => {
  const ids = (error) => errorActions(error).map((action) => action.id);

  it('offers Retry and Copy command for an expired SSO session', () => {
    const actions = errorActions({ code: 'sso_login_required', command: 'aws sso login --profile dev ' });
    assert.deepEqual(actions.map((a) => a.id), ['retry', 'copy']);
    assert.equal(actions[1].value, 'aws sso login --profile dev');
  });

  it('offers Retry for failures that may pass, none for a malformed request', () => {
    assert.deepEqual(ids({ code: 'network_error' }), ['retry']);
    assert.deepEqual(ids({ code: 'invalid_request' }), []);
  });

  it('offers the options where the browser settings decide', () => {
    assert.deepEqual(ids({ code: 'open_failed' }), ['retry', 'options']);
  });
});

describe('configProblem', () => {
  const path = '/home/someone/.aws/config';
  const error = {
    code: 'config_error',
    message: `The AWS config could not be read: ${path}, line 3: a line is neither a [section] header nor a \`key = value\` setting`,
    hint: `Fix the AWS config ${path} at line 3; \`aws configure list-profiles\` shows whether it parses.`,
    config_file: path,
    line: '3',
  };

  it('splits the host\'s message into file, line and reason', () => {
    assert.deepEqual(configProblem(error), {
      file: path,
      shortFile: '\u2026/.aws/config',
      line: 3,
      reason: 'a line is neither a [section] header nor a `key = value` setting',
      hint: 'Fix the AWS config; `aws configure list-profiles` shows whether it parses.',
    });
  });

  it('keeps the whole message when the details are missing', () => {
    const bare = { code: 'config_error', message: 'The AWS config could not be read: odd', hint: 'h' };
    assert.equal(configProblem(bare).reason, bare.message);
    assert.equal(configProblem(bare).file, '');
    assert.equal(configProblem({ code: 'network_error' }), null);
  });

  it('shortens long paths only', () => {
    assert.equal(shortPath('/a/b'), '/a/b');
    assert.equal(shortPath('C:\\Users\\me\\.aws\\config'), '\u2026/.aws/config');
  });
});
