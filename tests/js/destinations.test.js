// "Open this page as another role": which tab's page, and the Destination derived from it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { consoleDestination, describeDestination, sourceTab } from '../../extension/lib/destinations.js';

describe('destinations: a console page as a Destination', () => {
  it('keeps the service path, region and route, without the per-session prefix or codes', () => {
    assert.deepEqual(
      consoleDestination('https://111122223333-abcd1234.eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1&code=ONE-TIME#Instances:'),
      { url: 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:', service: 'ec2', region: 'eu-west-1' },
    );
    assert.equal(consoleDestination('https://console.aws.amazon.com/iam/home').region, null);
    assert.equal(consoleDestination('https://us-gov-west-1.console.amazonaws-us-gov.com/s3/').region, 'us-gov-west-1');
    assert.equal(consoleDestination('https://cn-north-1.console.amazonaws.cn/ec2/home').url, 'https://cn-north-1.console.amazonaws.cn/ec2/home?region=cn-north-1');
  });

  it('refuses anything that is not an AWS console page', () => {
    for (const url of ['https://evil.example/ec2', 'http://eu-west-1.console.aws.amazon.com/ec2',
      'https://console.aws.amazon.com.evil.example/', 'https://eu-west-1.console.aws.amazon.com:8443/',
      'https://user@console.aws.amazon.com/', 'about:blank', 'not a url',
      'https://signin.aws.amazon.com/federation?Action=login&SigninToken=x']) {
      assert.equal(consoleDestination(url), null, url);
    }
  });

  it('reads a local stand-in console page through its destination parameter, once', () => {
    const inner = 'https://eu-west-1.console.aws.amazon.com/s3/buckets?region=eu-west-1';
    assert.equal(consoleDestination(`http://127.0.0.1:9/console?destination=${encodeURIComponent(inner)}`).url, inner);
    const nested = `http://127.0.0.1:9/console?destination=${encodeURIComponent(`http://127.0.0.1:9/console?destination=${encodeURIComponent(inner)}`)}`;
    assert.equal(consoleDestination(nested), null);
    assert.equal(consoleDestination('http://127.0.0.1:9/console'), null);
  });

  it('describes it for the popup', () => {
    assert.equal(describeDestination({ service: 'ec2', region: 'eu-west-1' }), 'EC2 in eu-west-1');
    assert.equal(describeDestination({ service: 'cloudformation', region: null }), 'cloudformation');
    assert.equal(describeDestination({ service: 'console', region: 'us-east-1' }), 'Console home in us-east-1');
  });
});

describe('destinations: the page the user means', () => {
  const own = 'moz-extension://x/';
  it('is the active tab, or, when that is the popup itself, the most recently used other tab', () => {
    const page = { url: 'https://a', active: true, lastAccessed: 1 };
    assert.equal(sourceTab([page, { url: `${own}popup.html`, lastAccessed: 5 }], own), page);
    const older = { url: 'https://old', lastAccessed: 1 };
    const newer = { url: 'https://new', lastAccessed: 3 };
    assert.equal(sourceTab([older, newer, { url: `${own}popup.html`, active: true, lastAccessed: 9 }], own), newer);
    assert.equal(sourceTab([{ url: `${own}popup.html`, active: true }], own), null);
  });
});
