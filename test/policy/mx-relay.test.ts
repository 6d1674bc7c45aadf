import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDns, testResolver, type TestDns } from '../helpers/dns-server.js';
import type { DnsResolver } from '../../src/dns/resolver.js';
import { mxPointsToUs } from '../../src/policy/mx-relay.js';
import { render, REPLIES } from '../../src/smtp/replies.js';

// FEATURE(relay_based_on_MX), relay-and-access.md §7.2 step 4: any MX host of the domain in class w.

const W = new Set(['localhost', 'mx.example.com', 'example.com']);
const isLocal = (h: string): boolean => W.has(h);

let dns: TestDns;
let res: DnsResolver;

before(async () => {
  dns = await startTestDns({
    MX: {
      'backup.example': [
        { preference: 10, exchange: 'primary.backup.example' },
        { preference: 50, exchange: 'MX.Example.COM.' },
      ],
      'other.example': [{ preference: 10, exchange: 'mx.other.example' }],
      'nullmx.example': [{ preference: 0, exchange: '.' }],
    },
    A: { 'aonly.example': ['192.0.2.1'] },
    special: { 'flaky.example': 'servfail', 'silent.example': 'drop', 'refusing.example': 'refused' },
  });
  res = testResolver(dns);
});

after(async () => {
  res.cancel();
  await dns.close();
});

test('yes: one of the MX hosts is ours, whatever its preference', async () => {
  assert.equal(await mxPointsToUs('backup.example', res, isLocal), 'yes');
  assert.equal(await mxPointsToUs('Backup.Example.', res, isLocal), 'yes');
});

test('no: MX hosts elsewhere, the null MX, no MX records, no such domain, a literal', async () => {
  assert.equal(await mxPointsToUs('other.example', res, isLocal), 'no');
  assert.equal(await mxPointsToUs('nullmx.example', res, isLocal), 'no');
  assert.equal(await mxPointsToUs('aonly.example', res, isLocal), 'no');
  assert.equal(await mxPointsToUs('nonexistent.example', res, isLocal), 'no');
  assert.equal(await mxPointsToUs('[192.0.2.1]', res, isLocal), 'no');
});

test('temp: SERVFAIL, REFUSED, no answer; the caller answers 450 4.4.0', async () => {
  assert.equal(await mxPointsToUs('flaky.example', res, isLocal), 'temp');
  assert.equal(await mxPointsToUs('refusing.example', res, isLocal), 'temp');
  assert.equal(await mxPointsToUs('silent.example', res, isLocal), 'temp');
  assert.equal(
    render(REPLIES.mxCheckTemp, { domain: 'flaky.example' }, '<x@flaky.example>'),
    '450 4.4.0 <x@flaky.example>... Can not check MX records for recipient host flaky.example',
  );
});
