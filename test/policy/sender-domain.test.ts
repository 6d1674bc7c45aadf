import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { countQueries, reverseName, startTestDns, testResolver, type TestDns } from '../helpers/dns-server.js';
import type { DnsResolver } from '../../src/dns/resolver.js';
import { literalAddress, senderDomainState } from '../../src/policy/sender-domain.js';

// relay-and-access.md §6 step 3 through the real resolver and a DNS server on loopback.

let dns: TestDns;
let res: DnsResolver;
const J = { j: 'mx.example.com' };

before(async () => {
  dns = await startTestDns({
    MX: {
      'mxonly.example': [{ preference: 10, exchange: 'mail.elsewhere.example' }],
      'gmail.example': [{ preference: 5, exchange: 'mx.gmail.example' }],
      'nullmx.example': [{ preference: 0, exchange: '.' }],
      'nullmx-with-a.example': [{ preference: 0, exchange: '.' }],
    },
    A: {
      'aonly.example': ['192.0.2.1'],
      'nullmx-with-a.example': ['192.0.2.2'],
      'mxfail-a.example': ['192.0.2.3'],
      'afail.example': ['192.0.2.4'],
    },
    AAAA: { 'aaaaonly.example': ['2001:db8::5'] },
    TXT: { 'nodata.example': ['hello'], 'mxfail-none.example': ['x'] },
    PTR: {
      [reverseName('192.0.2.10')]: ['ptr.example'],
      [reverseName('2001:db8::10')]: ['ptr6.example'],
    },
    special: {
      'tempfail.example': 'servfail',
      'refused.example': 'refused',
      'silent.example': 'drop',
      'slow.example': { delayMs: 3000 },
      'MX mxfail-a.example': 'servfail',
      'MX mxfail-none.example': 'servfail',
      'A afail.example': 'servfail',
      'AAAA afail.example': 'servfail',
      'MX afail.example': 'nodata',
      [reverseName('192.0.2.12')]: 'servfail',
    },
  });
  res = testResolver(dns);
});

after(async () => {
  res.cancel();
  await dns.close();
});

test('ok: an MX alone is enough', async () => {
  assert.equal(await senderDomainState('mxonly.example', res, J), 'ok');
  assert.equal(await senderDomainState('gmail.example', res, J), 'ok');
  // The MX answer settles it: no address lookups follow.
  assert.equal(countQueries(dns, 'A mxonly.example'), 0);
});

test('ok: without MX, an A or an AAAA record', async () => {
  assert.equal(await senderDomainState('aonly.example', res, J), 'ok');
  assert.equal(await senderDomainState('aaaaonly.example', res, J), 'ok');
  assert.equal(await senderDomainState('AOnly.Example.', res, J), 'ok');
});

test('perm: NXDOMAIN and NOERROR without data', async () => {
  assert.equal(await senderDomainState('nonexistent.example', res, J), 'perm');
  assert.equal(await senderDomainState('nodata.example', res, J), 'perm');
});

test('perm: the null MX, even when the name has an address (RFC 7505)', async () => {
  assert.equal(await senderDomainState('nullmx.example', res, J), 'perm');
  assert.equal(await senderDomainState('nullmx-with-a.example', res, J), 'perm');
});

test('temp: SERVFAIL, REFUSED, no answer, an answer later than the timeout', async () => {
  assert.equal(await senderDomainState('tempfail.example', res, J), 'temp');
  assert.equal(await senderDomainState('refused.example', res, J), 'temp');
  assert.equal(await senderDomainState('silent.example', res, J), 'temp');
  assert.equal(await senderDomainState('slow.example', res, J), 'temp');
});

test('a temporary failure is never taken for non-existence', async () => {
  // MX fails, but an address shows the domain exists.
  assert.equal(await senderDomainState('mxfail-a.example', res, J), 'ok');
  // MX fails, and the name has no address: still only temporary.
  assert.equal(await senderDomainState('mxfail-none.example', res, J), 'temp');
  // No MX, and the address lookups fail.
  assert.equal(await senderDomainState('afail.example', res, J), 'temp');
});

test('$j is ok without asking DNS', async () => {
  const before = dns.queries.length;
  assert.equal(await senderDomainState('mx.example.com', res, J), 'ok');
  assert.equal(await senderDomainState('MX.Example.COM.', res, J), 'ok');
  assert.equal(dns.queries.length, before);
});

test('a domain literal is ok only if its address has a PTR name', async () => {
  assert.equal(await senderDomainState('[192.0.2.10]', res, J), 'ok');
  assert.equal(await senderDomainState('[IPv6:2001:db8::10]', res, J), 'ok');
  assert.equal(await senderDomainState('[ipv6:2001:DB8::10]', res, J), 'ok');
  assert.equal(await senderDomainState('[192.0.2.99]', res, J), 'perm');
  assert.equal(await senderDomainState('[192.0.2.12]', res, J), 'temp');
  assert.equal(await senderDomainState('[300.1.2.3]', res, J), 'perm');
  assert.equal(await senderDomainState('[2001:db8::10]', res, J), 'perm');
  assert.equal(await senderDomainState('[IPv6:192.0.2.10]', res, J), 'perm');
});

test('literalAddress', () => {
  assert.equal(literalAddress('[192.0.2.1]'), '192.0.2.1');
  assert.equal(literalAddress('[IPv6:2001:DB8::1]'), '2001:db8::1');
  assert.equal(literalAddress('example.com'), undefined);
  assert.equal(literalAddress('[example.com]'), undefined);
});
