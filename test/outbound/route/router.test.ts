// Next-hop resolution against a real DNS server on loopback: MX order, equal preferences shuffled,
// implicit MX (A and AAAA), the null MX, NXDOMAIN, temporary failures, MX hosts that are our own
// names; then the mailertable and the smart host in front of DNS, and the TLS policy.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDns, testResolver, type TestDns } from '../../helpers/dns-server.js';
import { Router, type RouterOptions } from '../../../src/outbound/route/router.js';
import { orderMx } from '../../../src/outbound/route/mx.js';
import { parseMailertable, parseTlsPolicyMap } from '../../../src/outbound/route/maps.js';
import { parseRouteSpec } from '../../../src/outbound/route/relay-spec.js';
import type { DnsResolver } from '../../../src/dns/resolver.js';
import type { RouteDecision, RouteSpec } from '../../../src/outbound/route/types.js';

let dns: TestDns;
let resolver: DnsResolver;

before(async () => {
  dns = await startTestDns({
    MX: {
      'multi.test': [
        { preference: 20, exchange: 'mx3.multi.test' },
        { preference: 10, exchange: 'mx1.multi.test' },
        { preference: 10, exchange: 'mx2.multi.test' },
      ],
      'nullmx.test': [{ preference: 0, exchange: '.' }],
      'ours.test': [
        { preference: 5, exchange: 'backup-first.test' },
        { preference: 10, exchange: 'mx.example.com' },
        { preference: 20, exchange: 'mx9.elsewhere.test' },
      ],
      'onlyus.test': [{ preference: 10, exchange: 'mx.example.com' }],
      'dangling.test': [{ preference: 10, exchange: 'nowhere.test' }],
      'halfbroken.test': [
        { preference: 10, exchange: 'broken-mx.test' },
        { preference: 20, exchange: 'mx1.multi.test' },
      ],
      'relay.example.net': [{ preference: 10, exchange: 'mx1.multi.test' }],
    },
    A: {
      'mx1.multi.test': ['127.0.0.11'],
      'mx2.multi.test': ['127.0.0.12'],
      'mx3.multi.test': ['127.0.0.13'],
      'nomx.test': ['127.0.0.20'],
      'backup-first.test': ['127.0.0.21'],
      'mx9.elsewhere.test': ['127.0.0.29'],
      'smart.example.net': ['127.0.0.30'],
      'mail.example.com': ['127.0.0.31'],
    },
    AAAA: { 'nomx.test': ['::1'], 'mx1.multi.test': ['::1'] },
    special: { 'MX lookupfail.test': 'servfail', 'nowhere.test': 'nxdomain', 'MX gone.test': 'nxdomain', 'broken-mx.test': 'servfail' },
  });
  resolver = testResolver(dns);
});

after(async () => {
  resolver.cancel();
  await dns.close();
});

function router(extra: Partial<RouterOptions> = {}): Router {
  return new Router({ dns: resolver, isOwnName: (n) => n === 'mx.example.com', j: 'mx.example.com', port: 25, random: () => 0, ...extra });
}

function hosts(d: RouteDecision): unknown {
  if (d.kind !== 'hops') return d;
  return d.hops.map((h) => `${h.host}:${h.port} ${h.addresses.join(',')} ${h.tls}${h.mxName !== undefined ? ` mx=${h.mxName}` : ''}`);
}

test('MX records by preference; the addresses of each host, IPv4 then IPv6', async () => {
  const d = await router().route('bob@multi.test');
  assert.equal(d.kind === 'hops' && d.via, 'mx');
  assert.deepEqual(hosts(d), [
    'mx2.multi.test:25 127.0.0.12 opportunistic mx=mx2.multi.test',
    'mx1.multi.test:25 127.0.0.11,::1 opportunistic mx=mx1.multi.test',
    'mx3.multi.test:25 127.0.0.13 opportunistic mx=mx3.multi.test',
  ]);
});

test('equal preferences in random order, better preferences always first', () => {
  const recs = [
    { preference: 10, exchange: 'a' },
    { preference: 10, exchange: 'b' },
    { preference: 10, exchange: 'c' },
    { preference: 5, exchange: 'first' },
    { preference: 30, exchange: 'last' },
  ];
  const seen = new Set<string>();
  let seed = 1;
  const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < 200; i++) {
    const o = orderMx(recs, rand).map((r) => r.exchange);
    assert.equal(o[0], 'first');
    assert.equal(o[4], 'last');
    seen.add(o.slice(1, 4).join(''));
  }
  assert.equal(seen.size, 6, 'every order of the three equal hosts occurs');
});

test('no MX: the domain itself (implicit MX), A and AAAA', async () => {
  const d = await router().route('x@nomx.test');
  assert.equal(d.kind === 'hops' && d.via, 'implicit-mx');
  assert.deepEqual(hosts(d), ['nomx.test:25 127.0.0.20,::1 opportunistic']);
});

test('null MX: 556 5.1.10; NXDOMAIN: 550 5.1.2 Host unknown; SERVFAIL: temporary 4.4.3', async () => {
  assert.deepEqual(await router().route('x@nullmx.test'), { kind: 'perm', status: { code: 556, enh: '5.1.10', text: '<x@nullmx.test>... Host does not accept mail: MX 0 .' } });
  assert.deepEqual(await router().route('x@gone.test'), { kind: 'perm', status: { code: 550, enh: '5.1.2', text: '<x@gone.test>... Host unknown (Name server: gone.test: host not found)' } });
  assert.deepEqual(await router().route('x@lookupfail.test'), { kind: 'temp', status: { code: 451, enh: '4.4.3', text: 'Name server: lookupfail.test: host name lookup failure' } });
});

test('an MX host without addresses is skipped; one that fails temporarily makes the whole answer temporary only when nothing else is left', async () => {
  assert.deepEqual(await router().route('x@dangling.test'), { kind: 'perm', status: { code: 550, enh: '5.1.2', text: '<x@dangling.test>... Host unknown (Name server: nowhere.test: host not found)' } });
  assert.deepEqual(hosts(await router().route('x@halfbroken.test')), ['mx1.multi.test:25 127.0.0.11,::1 opportunistic mx=mx1.multi.test']);
});

test('MX hosts that are our own names, and every host behind them, are skipped; nothing left is the loop error', async () => {
  assert.deepEqual(hosts(await router().route('x@ours.test')), ['backup-first.test:25 127.0.0.21 opportunistic mx=backup-first.test']);
  assert.deepEqual(await router().route('x@onlyus.test'), { kind: 'perm', status: { code: 553, enh: '5.3.5', text: 'mx.example.com. config error: mail loops back to me (MX problem?)' } });
});

test('a domain literal goes to that address', async () => {
  assert.deepEqual(hosts(await router({ port: 2525 }).route('x@[127.0.0.9]')), ['127.0.0.9:2525 127.0.0.9 opportunistic mx=127.0.0.9']);
});

function table(text: string): () => ReturnType<typeof parseMailertable>['map'] {
  const p = parseMailertable(text, 'mailertable');
  assert.equal(p.errors, 0);
  return () => p.map;
}

function smart(text: string): RouteSpec {
  const r = parseRouteSpec(text);
  assert.ok(r.ok);
  return r.spec;
}

test('smart host: [host] by its addresses, a plain host by its MX records, with a port', async () => {
  const a = await router({ smartHost: smart('[smart.example.net]:2525') }).route('x@multi.test');
  assert.equal(a.kind === 'hops' && a.via, 'smart-host');
  assert.deepEqual(hosts(a), ['smart.example.net:2525 127.0.0.30 opportunistic mx=smart.example.net']);
  const b = await router({ smartHost: smart('relay.example.net') }).route('x@multi.test');
  assert.deepEqual(hosts(b), ['mx1.multi.test:25 127.0.0.11,::1 opportunistic mx=mx1.multi.test']);
});

test('mailertable before the smart host; local: and error: entries', async () => {
  const r = router({
    smartHost: smart('[smart.example.net]'),
    mailertable: table('example.com esmtp:[mail.example.com]\n.example.com local:\nold.test error:5.1.2:550 domain gone\nlater.test error:4.4.1:451 later\n'),
  });
  const a = await r.route('x@example.com');
  assert.equal(a.kind === 'hops' && a.via, 'mailertable');
  assert.deepEqual(hosts(a), ['mail.example.com:25 127.0.0.31 opportunistic mx=mail.example.com']);
  assert.deepEqual(await r.route('bob@sub.example.com'), { kind: 'local', user: 'bob' });
  assert.deepEqual(await r.route('x@old.test'), { kind: 'perm', status: { code: 550, enh: '5.1.2', text: 'domain gone' } });
  assert.deepEqual(await r.route('x@later.test'), { kind: 'temp', status: { code: 451, enh: '4.4.1', text: 'later' } });
  assert.deepEqual(hosts(await r.route('x@multi.test')), ['smart.example.net:25 127.0.0.30 opportunistic mx=smart.example.net']);
});

test('a host list: the hosts that resolve, in order', async () => {
  const r = router({ mailertable: table('multi.test esmtp:[nowhere.test]:[mx3.multi.test]:[mx1.multi.test]:2600\n') });
  assert.deepEqual(hosts(await r.route('x@multi.test')), ['mx3.multi.test:25 127.0.0.13 opportunistic mx=mx3.multi.test', 'mx1.multi.test:2600 127.0.0.11,::1 opportunistic mx=mx1.multi.test']);
});

test('TLS policy by recipient domain: verify, none, opportunistic by default', async () => {
  const p = parseTlsPolicyMap('multi.test verify\n.test none\n', 'tls');
  const r = router({ tlsPolicy: () => p.map });
  const a = await r.route('x@multi.test');
  assert.ok(a.kind === 'hops' && a.hops.every((h) => h.tls === 'verify'));
  const b = await r.route('x@nomx.test');
  assert.ok(b.kind === 'hops' && b.hops.every((h) => h.tls === 'none'));
  assert.equal(r.tlsFor('example.org'), 'opportunistic');
});
