import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countQueries, reverseName, startTestDns, testResolver, type TestDns } from '../helpers/dns-server.js';
import type { DnsResolver } from '../../src/dns/resolver.js';
import { isNullMx, mxHosts } from '../../src/dns/lookup.js';

// The resolver against a real DNS server on loopback: every DNS outcome is told apart, and only
// NXDOMAIN and NOERROR-without-data count as "does not exist" (relay-and-access.md §6 step 3).

let dns: TestDns;
let res: DnsResolver;

before(async () => {
  dns = await startTestDns({
    A: { 'host.example': ['192.0.2.1', '192.0.2.2'], 'mixed.example': ['192.0.2.3'], 'mx1.example': ['192.0.2.4'] },
    AAAA: { 'host.example': ['2001:db8::1'] },
    MX: {
      'mail.example': [
        { preference: 20, exchange: 'MX2.Example' },
        { preference: 10, exchange: 'mx1.example' },
      ],
      'nullmx.example': [{ preference: 0, exchange: '.' }],
    },
    PTR: { [reverseName('192.0.2.1')]: ['host.example'], [reverseName('2001:db8::1')]: ['host.example'] },
    TXT: { 'txtonly.example': ['v=spf1 -all'] },
    ttl: { 'host.example': 300, 'mixed.example': 7 },
    special: {
      'servfail.example': 'servfail',
      'refused.example': 'refused',
      'dropped.example': 'drop',
      'slow.example': { delayMs: 3000 },
      'AAAA mixed.example': 'servfail',
      [reverseName('192.0.2.12')]: 'servfail',
      [reverseName('192.0.2.13')]: 'refused',
      [reverseName('192.0.2.14')]: 'drop',
    },
  });
  res = testResolver(dns);
});

after(async () => {
  res.cancel();
  await dns.close();
});

test('MX records come sorted by preference, lower case, without the trailing dot', async () => {
  const r = await res.mx('mail.example');
  assert.deepEqual(r, {
    ok: true,
    value: [
      { preference: 10, exchange: 'mx1.example' },
      { preference: 20, exchange: 'mx2.example' },
    ],
  });
  assert.ok(r.ok);
  assert.deepEqual(mxHosts(r.value), ['mx1.example', 'mx2.example']);
  assert.equal(isNullMx(r.value), false);
});

test('the null MX "." is recognised (RFC 7505)', async () => {
  const r = await res.mx('nullmx.example');
  assert.deepEqual(r, { ok: true, value: [{ preference: 0, exchange: '' }] });
  assert.ok(r.ok && isNullMx(r.value));
});

test('A and AAAA answers carry their TTL', async () => {
  assert.deepEqual(await res.a('host.example'), { ok: true, value: ['192.0.2.1', '192.0.2.2'], ttl: 300 });
  assert.deepEqual(await res.aaaa('host.example'), { ok: true, value: ['2001:db8::1'], ttl: 300 });
  assert.deepEqual(await res.a('mixed.example'), { ok: true, value: ['192.0.2.3'], ttl: 7 });
});

test('NXDOMAIN and NOERROR without data are "none", each with its own status', async () => {
  assert.deepEqual(await res.a('nowhere.example'), { ok: false, kind: 'none', status: 'nxdomain', code: 'ENOTFOUND' });
  assert.deepEqual(await res.mx('host.example'), { ok: false, kind: 'none', status: 'nodata', code: 'ENODATA' });
  assert.deepEqual(await res.a('txtonly.example'), { ok: false, kind: 'none', status: 'nodata', code: 'ENODATA' });
});

test('SERVFAIL and REFUSED are temporary', async () => {
  assert.deepEqual(await res.mx('servfail.example'), { ok: false, kind: 'temp', status: 'servfail', code: 'ESERVFAIL' });
  assert.deepEqual(await res.a('refused.example'), { ok: false, kind: 'temp', status: 'refused', code: 'EREFUSED' });
});

test('no answer, or an answer later than the timeout, is temporary', async () => {
  assert.deepEqual(await res.a('dropped.example'), { ok: false, kind: 'temp', status: 'timeout', code: 'ETIMEOUT' });
  assert.deepEqual(await res.mx('slow.example'), { ok: false, kind: 'temp', status: 'timeout', code: 'ETIMEOUT' });
  assert.deepEqual(await res.a('slow.example', { tries: 1 }), { ok: false, kind: 'temp', status: 'timeout', code: 'ETIMEOUT' });
});

test('addresses: A and AAAA together; a temporary failure on one side is not "none"', async () => {
  assert.deepEqual(await res.addresses('host.example'), { ok: true, value: ['192.0.2.1', '192.0.2.2', '2001:db8::1'] });
  assert.deepEqual(await res.addresses('mixed.example'), { ok: true, value: ['192.0.2.3'] });
  assert.deepEqual(await res.addresses('nowhere.example'), { ok: false, kind: 'none', status: 'nxdomain', code: 'ENOTFOUND' });
  assert.deepEqual(await res.addresses('txtonly.example'), { ok: false, kind: 'none', status: 'nodata', code: 'ENODATA' });
  const sf = await res.addresses('servfail.example');
  assert.equal(sf.ok, false);
  assert.ok(!sf.ok && sf.kind === 'temp' && sf.status === 'servfail');
});

test('reverse: PTR names; none without a record; temporary failures stay temporary', async () => {
  assert.deepEqual(await res.reverse('192.0.2.1'), { ok: true, value: ['host.example'] });
  assert.deepEqual(await res.reverse('2001:db8::1'), { ok: true, value: ['host.example'] });
  assert.deepEqual(await res.reverse('192.0.2.99'), { ok: false, kind: 'none', status: 'nxdomain', code: 'ENOTFOUND' });
  assert.deepEqual(await res.reverse('192.0.2.12'), { ok: false, kind: 'temp', status: 'servfail', code: 'ESERVFAIL' });
  assert.deepEqual(await res.reverse('192.0.2.13'), { ok: false, kind: 'temp', status: 'refused', code: 'EREFUSED' });
  assert.deepEqual(await res.reverse('192.0.2.14'), { ok: false, kind: 'temp', status: 'timeout', code: 'ETIMEOUT' });
  assert.deepEqual(await res.reverse('not-an-ip'), { ok: false, kind: 'none', status: 'badname', code: 'EBADNAME' });
});

test('a name that cannot exist is "none" and never sent', async () => {
  const before = dns.queries.length;
  for (const name of ['a..example', '', `${'x'.repeat(64)}.example`, 'sp ace.example', `${'a.'.repeat(130)}example`]) {
    const r = await res.mx(name);
    assert.ok(!r.ok && r.kind === 'none' && r.status === 'badname', name);
  }
  assert.equal(dns.queries.length, before);
});

test('the hosts file answers names and addresses before DNS', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-hosts-'));
  try {
    const hostsFile = join(dir, 'hosts');
    await writeFile(hostsFile, '192.0.2.50 listed.example alias.example\n');
    const r = testResolver(dns, { hostsFile });
    assert.deepEqual(await r.addresses('Alias.Example.'), { ok: true, value: ['192.0.2.50'] });
    assert.deepEqual(await r.reverse('192.0.2.50'), { ok: true, value: ['listed.example'] });
    assert.equal(countQueries(dns, 'A alias.example'), 0);
    assert.equal(countQueries(dns, `PTR ${reverseName('192.0.2.50')}`), 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
