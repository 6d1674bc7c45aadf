import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { countQueries, startTestDns, testResolver, type TestDns } from '../helpers/dns-server.js';
import type { FeatureUse } from '../../src/config/features.js';
import type { DnsResolver } from '../../src/dns/resolver.js';
import { DnsblCache, DnsblChecker, dnsblLists, verdictReply, type DnsblVerdict } from '../../src/policy/dnsbl.js';
import { render, REPLIES } from '../../src/smtp/replies.js';

// relay-and-access.md §8 through the real resolver and a DNS server on loopback.

/** The blocklist name of an IPv4 address, written out as RFC 5782 §2.1 describes it. */
function v4(ip: string, zone: string): string {
  return `${ip.split('.').reverse().join('.')}.${zone}`;
}

// 2001:db8::8 as 32 reversed nibbles (RFC 5782 §2.4).
const V6_LISTED = `8.${'0.'.repeat(23)}8.b.d.0.1.0.0.2`;

let dns: TestDns;
let res: DnsResolver;

before(async () => {
  dns = await startTestDns({
    A: {
      [v4('198.51.100.8', 'bl.example.org')]: ['127.0.0.2'],
      [`${V6_LISTED}.bl.example.org`]: ['127.0.0.2'],
      [v4('198.51.100.40', 'second.example.org')]: ['127.0.0.10'],
      [v4('198.51.100.41', 'bl.example.org')]: ['127.0.0.2'],
      [v4('198.51.100.41', 'second.example.org')]: ['127.0.0.10'],
      [v4('198.51.100.20', 'enh.example.org')]: ['127.0.0.2'],
      [v4('198.51.100.21', 'enh.example.org')]: ['127.0.0.4'],
      [v4('198.51.100.22', 'enh.example.org')]: ['127.0.1.3'],
      [v4('198.51.100.23', 'enh.example.org')]: ['127.1.2.3'],
      [v4('198.51.100.24', 'enh.example.org')]: ['127.0.0.9', '127.0.0.2'],
      [v4('198.51.100.50', 'ttl.example.org')]: ['127.0.0.2'],
      [v4('198.51.100.51', 'long.example.org')]: ['127.0.0.2'],
      [v4('198.51.100.52', 'zero.example.org')]: ['127.0.0.2'],
    },
    ttl: {
      [v4('198.51.100.50', 'ttl.example.org')]: 300,
      [v4('198.51.100.51', 'long.example.org')]: 86400,
      [v4('198.51.100.52', 'zero.example.org')]: 0,
    },
    special: {
      [v4('198.51.100.30', 'bl.example.org')]: 'servfail',
      [v4('198.51.100.31', 'bl.example.org')]: 'drop',
      [v4('198.51.100.32', 'bl.example.org')]: { delayMs: 3000 },
      [v4('198.51.100.33', 'bl.example.org')]: 'refused',
      [v4('198.51.100.30', 'second.example.org')]: 'servfail',
    },
  });
  res = testResolver(dns);
});

after(async () => {
  res.cancel();
  await dns.close();
});

function feature(name: string, ...args: string[]): FeatureUse {
  return { name, args, file: 'sendmail.mc', line: 1, layer: 'imported' };
}

function checker(features: FeatureUse[], opts: { ipv6?: boolean; cache?: DnsblCache } = {}): DnsblChecker {
  const { lists, diagnostics } = dnsblLists(features);
  assert.deepEqual(diagnostics, []);
  return new DnsblChecker(lists, res, { ipv6: opts.ipv6 ?? true, enhancedTries: 2, cache: opts.cache });
}

/** The verdict with its reply rendered for the wire (connection stage: no address prefix). */
function wire(v: DnsblVerdict): unknown {
  if (v.kind === 'listed' || v.kind === 'tempfail') return { kind: v.kind, zone: v.zone, line: verdictReply(v.reply).lines[0] };
  return v;
}

const BL = [feature('dnsbl', 'bl.example.org')];

test('IPv4: d.c.b.a.<zone> is asked; any A record means listed; the default reply', async () => {
  const v = await checker(BL).check('198.51.100.8');
  assert.deepEqual(wire(v), { kind: 'listed', zone: 'bl.example.org', line: '550 5.7.1 Rejected: 198.51.100.8 listed at bl.example.org' });
  assert.equal(countQueries(dns, 'A 8.100.51.198.bl.example.org'), 1);
  assert.equal(
    verdictReply((v as Extract<DnsblVerdict, { kind: 'listed' }>).reply).lines[0],
    render(REPLIES.dnsblListed, { ip: '198.51.100.8', zone: 'bl.example.org' }),
  );
});

test('not listed (NXDOMAIN) is clear; an IPv4-mapped address counts as IPv4', async () => {
  assert.deepEqual(await checker(BL).check('198.51.100.9'), { kind: 'clear', tempIgnored: [] });
  assert.deepEqual(wire(await checker(BL).check('::ffff:198.51.100.8')), {
    kind: 'listed',
    zone: 'bl.example.org',
    line: '550 5.7.1 Rejected: 198.51.100.8 listed at bl.example.org',
  });
});

test('IPv6: the 32 reversed nibbles; turned off with DnsblIPv6=False', async () => {
  assert.deepEqual(wire(await checker(BL).check('2001:db8::8')), {
    kind: 'listed',
    zone: 'bl.example.org',
    line: '550 5.7.1 Rejected: IPv6:2001:db8::8 listed at bl.example.org',
  });
  assert.equal(countQueries(dns, `A ${V6_LISTED}.bl.example.org`), 1);
  assert.deepEqual(wire(await checker(BL).check('IPv6:2001:db8::8')), {
    kind: 'listed',
    zone: 'bl.example.org',
    line: '550 5.7.1 Rejected: IPv6:2001:db8::8 listed at bl.example.org',
  });
  const before = dns.queries.length;
  assert.deepEqual(await checker(BL, { ipv6: false }).check('2001:db8::8'), { kind: 'clear', tempIgnored: [] });
  assert.equal(dns.queries.length, before);
});

test('a custom message: macros expanded at lookup time, enhanced code 5.7.1', async () => {
  const c = checker([feature('dnsbl', 'bl.example.org', '"550 Mail from " $&{client_addr} " refused by " $j " - see http://bl.example.org/?ip=" $&{client_addr}')]);
  const macros = (n: string): string | undefined => ({ j: 'mx.example.com' })[n];
  assert.deepEqual(wire(await c.check('198.51.100.8', macros)), {
    kind: 'listed',
    zone: 'bl.example.org',
    line: '550 5.7.1 Mail from 198.51.100.8 refused by mx.example.com - see http://bl.example.org/?ip=198.51.100.8',
  });
  // The caller's own ${client_addr} wins (it is the session's macro).
  assert.deepEqual(wire(await c.check('198.51.100.8', (n) => (n === 'client_addr' ? '198.51.100.8' : undefined))), {
    kind: 'listed',
    zone: 'bl.example.org',
    line: '550 5.7.1 Mail from 198.51.100.8 refused by  - see http://bl.example.org/?ip=198.51.100.8',
  });
});

test('a custom message with its own enhanced code keeps it', async () => {
  const c = checker([feature('dnsbl', 'bl.example.org', '"554 5.7.0 Go away " $&{client_addr}')]);
  assert.deepEqual(wire(await c.check('198.51.100.8')), { kind: 'listed', zone: 'bl.example.org', line: '554 5.7.0 Go away 198.51.100.8' });
});

test('with delay_checks the listed reply answers a RCPT and carries its prefix', async () => {
  const v = await checker(BL).check('198.51.100.8');
  assert.ok(v.kind === 'listed');
  assert.equal(
    verdictReply(v.reply, '<bob@example.com>').lines[0],
    '550 5.7.1 <bob@example.com>... Rejected: 198.51.100.8 listed at bl.example.org',
  );
});

test('quarantine (reason = zone) and discard', async () => {
  assert.deepEqual(await checker([feature('dnsbl', 'bl.example.org', 'quarantine')]).check('198.51.100.8'), {
    kind: 'quarantine',
    zone: 'bl.example.org',
    answer: '127.0.0.2',
    reason: 'bl.example.org',
  });
  assert.deepEqual(await checker([feature('dnsbl', 'bl.example.org', 'discard')]).check('198.51.100.8'), {
    kind: 'discard',
    zone: 'bl.example.org',
    answer: '127.0.0.2',
  });
});

test('temporary failures are ignored by default (SERVFAIL, REFUSED, no answer, a late answer)', async () => {
  for (const ip of ['198.51.100.30', '198.51.100.31', '198.51.100.32', '198.51.100.33']) {
    assert.deepEqual(await checker(BL).check(ip), { kind: 'clear', tempIgnored: ['bl.example.org'] }, ip);
  }
});

test('tempfail argument t: 451 4.4.3 with the default text', async () => {
  const c = checker([feature('dnsbl', 'bl.example.org', '', 't')]);
  assert.deepEqual(wire(await c.check('198.51.100.30')), {
    kind: 'tempfail',
    zone: 'bl.example.org',
    line: '451 4.4.3 Temporary lookup failure of 198.51.100.30 at bl.example.org',
  });
  assert.deepEqual(wire(await c.check('198.51.100.31')), {
    kind: 'tempfail',
    zone: 'bl.example.org',
    line: '451 4.4.3 Temporary lookup failure of 198.51.100.31 at bl.example.org',
  });
  // A definite answer still decides as usual.
  assert.equal((await c.check('198.51.100.8')).kind, 'listed');
  assert.deepEqual(await c.check('198.51.100.9'), { kind: 'clear', tempIgnored: [] });
});

test('tempfail argument with a text of its own: enhanced code 4.4.3', async () => {
  const c = checker([feature('dnsbl', 'bl.example.org', '', '"451 Cannot check " $&{client_addr} " right now"')]);
  assert.deepEqual(wire(await c.check('198.51.100.33')), {
    kind: 'tempfail',
    zone: 'bl.example.org',
    line: '451 4.4.3 Cannot check 198.51.100.33 right now',
  });
});

test('enhdnsbl: only answers matching a pattern count ($-, $+, $*)', async () => {
  const exact = checker([feature('enhdnsbl', 'enh.example.org', '', '', '127.0.0.2.')]);
  assert.equal((await exact.check('198.51.100.20')).kind, 'listed');
  assert.deepEqual(await exact.check('198.51.100.21'), { kind: 'clear', tempIgnored: [] });

  const any = checker([feature('enhdnsbl', 'enh.example.org', '', '', '127.0.$-.3.')]);
  assert.equal((await any.check('198.51.100.22')).kind, 'listed');
  assert.equal((await any.check('198.51.100.20')).kind, 'clear');

  const plus = checker([feature('enhdnsbl', 'enh.example.org', '', '', '127.1.$+')]);
  assert.equal((await plus.check('198.51.100.23')).kind, 'listed');
  assert.equal((await plus.check('198.51.100.22')).kind, 'clear');

  const star = checker([feature('enhdnsbl', 'enh.example.org', '', '', '127.0.0.$*')]);
  assert.equal((await star.check('198.51.100.21')).kind, 'listed');
  assert.equal((await star.check('198.51.100.23')).kind, 'clear');

  const several = checker([feature('enhdnsbl', 'enh.example.org', '', '', '127.0.0.4.', '127.1.$+')]);
  assert.equal((await several.check('198.51.100.21')).kind, 'listed');
  assert.equal((await several.check('198.51.100.23')).kind, 'listed');
  assert.equal((await several.check('198.51.100.20')).kind, 'clear');
});

test('enhdnsbl: any of several answers may match; without patterns every answer counts', async () => {
  const v = await checker([feature('enhdnsbl', 'enh.example.org', 'quarantine', '', '127.0.0.2.')]).check('198.51.100.24');
  assert.deepEqual(v, { kind: 'quarantine', zone: 'enh.example.org', answer: '127.0.0.2', reason: 'enh.example.org' });
  assert.equal((await checker([feature('enhdnsbl', 'enh.example.org')]).check('198.51.100.21')).kind, 'listed');
});

test('several lists: asked in configuration order, the first hit decides', async () => {
  const both = [feature('dnsbl', 'bl.example.org'), feature('dnsbl', 'second.example.org', 'quarantine')];
  // Listed on both: the first list's verdict.
  assert.equal((await checker(both).check('198.51.100.41')).kind, 'listed');
  // Listed on the second only.
  assert.deepEqual(await checker(both).check('198.51.100.40'), {
    kind: 'quarantine',
    zone: 'second.example.org',
    answer: '127.0.0.10',
    reason: 'second.example.org',
  });
  const reversed = [feature('dnsbl', 'second.example.org', 'quarantine'), feature('dnsbl', 'bl.example.org')];
  assert.equal((await checker(reversed).check('198.51.100.41')).kind, 'quarantine');
  // An earlier list's temporary failure with `t` decides before a later list's hit...
  const strict = [feature('dnsbl', 'bl.example.org', '', 't'), feature('dnsbl', 'second.example.org')];
  assert.equal((await checker(strict).check('198.51.100.30')).kind, 'tempfail');
  // ...and an ignored one lets the later lists speak, and is reported.
  const lenient = [feature('dnsbl', 'bl.example.org'), feature('dnsbl', 'second.example.org', '', 't')];
  assert.deepEqual(wire(await checker(lenient).check('198.51.100.30')), {
    kind: 'tempfail',
    zone: 'second.example.org',
    line: '451 4.4.3 Temporary lookup failure of 198.51.100.30 at second.example.org',
  });
  const ignoring = [feature('dnsbl', 'bl.example.org'), feature('dnsbl', 'second.example.org')];
  assert.deepEqual(await checker(ignoring).check('198.51.100.30'), { kind: 'clear', tempIgnored: ['bl.example.org', 'second.example.org'] });
});

test('answers are cached for their TTL: no query within it, a new one after it', async () => {
  let now = 1_000_000;
  const cache = new DnsblCache({ clock: () => now });
  const c = checker([feature('dnsbl', 'ttl.example.org')], { cache });
  const q = `A ${v4('198.51.100.50', 'ttl.example.org')}`;
  assert.equal((await c.check('198.51.100.50')).kind, 'listed');
  assert.equal(countQueries(dns, q), 1);
  now += 299_000;
  assert.equal((await c.check('198.51.100.50')).kind, 'listed');
  assert.equal(countQueries(dns, q), 1);
  now += 2_000;
  assert.equal((await c.check('198.51.100.50')).kind, 'listed');
  assert.equal(countQueries(dns, q), 2);
});

test('a cached answer lives at most an hour, whatever its TTL; TTL 0 is not cached', async () => {
  let now = 5_000_000;
  const cache = new DnsblCache({ clock: () => now });
  const c = checker([feature('dnsbl', 'long.example.org'), feature('dnsbl', 'zero.example.org')], { cache });
  const long = `A ${v4('198.51.100.51', 'long.example.org')}`;
  await c.check('198.51.100.51');
  now += 3_599_000;
  await c.check('198.51.100.51');
  assert.equal(countQueries(dns, long), 1);
  now += 2_000;
  await c.check('198.51.100.51');
  assert.equal(countQueries(dns, long), 2);

  const zero = `A ${v4('198.51.100.52', 'zero.example.org')}`;
  await c.check('198.51.100.52');
  await c.check('198.51.100.52');
  assert.equal(countQueries(dns, zero), 2);
});

test('simultaneous checks of one address share one query', async () => {
  const c = checker([feature('dnsbl', 'second.example.org')]);
  const q = `A ${v4('198.51.100.40', 'second.example.org')}`;
  const before = countQueries(dns, q);
  const verdicts = await Promise.all([1, 2, 3, 4, 5].map(() => c.check('198.51.100.40')));
  for (const v of verdicts) assert.equal(v.kind, 'listed');
  assert.equal(countQueries(dns, q), before + 1);
});

test('temporary failures and "not listed" are not cached by default; a negative TTL keeps "not listed"', async () => {
  const c = checker(BL);
  const temp = `A ${v4('198.51.100.33', 'bl.example.org')}`;
  const before = countQueries(dns, temp);
  await c.check('198.51.100.33');
  await c.check('198.51.100.33');
  assert.equal(countQueries(dns, temp), before + 2);

  const clean = `A ${v4('198.51.100.60', 'bl.example.org')}`;
  await c.check('198.51.100.60');
  await c.check('198.51.100.60');
  assert.equal(countQueries(dns, clean), 2);

  const remembering = checker(BL, { cache: new DnsblCache({ negativeTtlSeconds: 60 }) });
  await remembering.check('198.51.100.60');
  await remembering.check('198.51.100.60');
  assert.equal(countQueries(dns, clean), 3);
});

test('no lists, or no address: clear without asking', async () => {
  const before = dns.queries.length;
  assert.deepEqual(await checker([]).check('198.51.100.8'), { kind: 'clear', tempIgnored: [] });
  assert.deepEqual(await checker(BL).check(''), { kind: 'clear', tempIgnored: [] });
  assert.deepEqual(await checker(BL).check('0'), { kind: 'clear', tempIgnored: [] });
  assert.equal(dns.queries.length, before);
});

test('enhdnsbl queries use the EDNSBL_TO tries, dnsbl queries the resolver default', async () => {
  const seen: Array<[string, number | undefined]> = [];
  const recording = {
    a: (name: string, opts?: { tries?: number }) => {
      seen.push([name, opts?.tries]);
      return res.a(name, opts);
    },
  };
  const { lists } = dnsblLists([feature('dnsbl', 'bl.example.org'), feature('enhdnsbl', 'enh.example.org')]);
  await new DnsblChecker(lists, recording, { ipv6: true, enhancedTries: 5 }).check('198.51.100.9');
  assert.deepEqual(seen, [
    [v4('198.51.100.9', 'bl.example.org'), undefined],
    [v4('198.51.100.9', 'enh.example.org'), 5],
  ]);
});

test('a resolver that fails unexpectedly gives a temporary failure, never an exception', async () => {
  const broken = {
    a: (): Promise<never> => Promise.reject(new Error('boom')),
  };
  const throwing = {
    a: (): never => {
      throw new Error('boom');
    },
  };
  for (const r of [broken, throwing]) {
    const { lists } = dnsblLists([feature('dnsbl', 'bl.example.org', '', 't')]);
    const v = await new DnsblChecker(lists, r, { ipv6: true, enhancedTries: 5 }).check('198.51.100.8');
    assert.deepEqual(wire(v), {
      kind: 'tempfail',
      zone: 'bl.example.org',
      line: '451 4.4.3 Temporary lookup failure of 198.51.100.8 at bl.example.org',
    });
  }
});
