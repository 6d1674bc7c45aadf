// relay-and-access.md §11, the rows that need no access map or DNS blocklist, through real sockets: the
// client's name state (no PTR, forward-confirmed, forged, temporary failure), class R from relay-domains
// (octet-aligned prefixes, subdomains, relay_hosts_only), the sender checks (NXDOMAIN, temporary failure,
// unqualified, localhost). Foreign hosts are other loopback addresses with names from a loopback DNS server.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reverseName, type Zone } from '../helpers/dns-server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const NO_PTR = '127.0.0.4';
const NAMED = '127.0.0.5';
const FORGED = '127.0.0.6';
const PTR_TEMP = '127.0.0.7';
const HOST9 = '127.0.0.9';

const ZONE: Zone = {
  wildcardA: '192.0.2.1',
  PTR: {
    [reverseName(NAMED)]: ['client.example.net'],
    [reverseName(FORGED)]: ['forged.example.net'],
    [reverseName(HOST9)]: ['host.example.net'],
    [reverseName('127.0.0.50')]: ['fifty.example.net'],
  },
  A: {
    'client.example.net': [NAMED],
    'forged.example.net': ['192.0.2.66'],
    'host.example.net': [HOST9],
    'fifty.example.net': ['127.0.0.50'],
  },
  special: {
    [reverseName(PTR_TEMP)]: 'servfail',
    'nonexistent.example': 'nxdomain',
    'nodata.example': 'nodata',
    'tempfail.example': 'servfail',
  },
};

const sideDirs: string[] = [];

async function server(conf: string[] = [], relayDomains?: string): Promise<TestServer> {
  const extra = [...conf, 'Class w example.com'];
  if (relayDomains !== undefined) {
    // Class R from a relay-domains file, as sendmail's FR line reads it.
    const dir = await mkdtemp(join(tmpdir(), 'postern-relay-'));
    sideDirs.push(dir);
    await writeFile(join(dir, 'relay-domains'), relayDomains);
    extra.push(`ClassFile R ${join(dir, 'relay-domains')}`);
  }
  return startTestServer({ dns: ZONE, conf: extra });
}

/** EHLO, MAIL, one RCPT from `ip`; returns the RCPT reply (or the MAIL reply when MAIL is refused). */
async function rcptFrom(s: TestServer, ip: string, mail: string, rcpt: string): Promise<string> {
  const c = await s.session({ localAddress: ip });
  try {
    await c.cmd('EHLO client.example');
    const m = await c.cmd(`MAIL FROM:${mail}`);
    if (!m.startsWith('250')) return m;
    return await c.cmd(`RCPT TO:${rcpt}`);
  } finally {
    c.close();
  }
}

let plain: TestServer;
before(async () => {
  plain = await server();
});
after(async () => {
  await plain.close();
  for (const d of sideDirs) await rm(d, { recursive: true, force: true });
});

test('§11 a local recipient is accepted from a client without PTR', async () => {
  assert.equal(await rcptFrom(plain, NO_PTR, '<a@gmail.example>', '<bob@example.com>'), '250 2.1.5 <bob@example.com>... Recipient ok');
});

test('§11 relaying is refused with the reason the client name gives', async () => {
  assert.equal(
    await rcptFrom(plain, NO_PTR, '<a@gmail.example>', '<x@other.example>'),
    `550 5.7.1 <x@other.example>... Relaying denied. IP name lookup failed [${NO_PTR}]`,
  );
  assert.equal(await rcptFrom(plain, NAMED, '<a@gmail.example>', '<x@other.example>'), '550 5.7.1 <x@other.example>... Relaying denied');
  assert.equal(
    await rcptFrom(plain, FORGED, '<a@gmail.example>', '<x@other.example>'),
    `550 5.7.1 <x@other.example>... Relaying denied. IP name possibly forged [${FORGED}]`,
  );
  assert.equal(
    await rcptFrom(plain, PTR_TEMP, '<a@gmail.example>', '<x@other.example>'),
    `450 4.4.0 <x@other.example>... Relaying temporarily denied. Cannot resolve PTR record for ${PTR_TEMP}`,
  );
});

test('§11 127.0.0.1 may relay; another loopback address with a good name may not', async () => {
  assert.equal(await rcptFrom(plain, '127.0.0.1', '<a@gmail.example>', '<x@other.example>'), '250 2.1.5 <x@other.example>... Recipient ok');
  assert.equal(await rcptFrom(plain, HOST9, '<a@gmail.example>', '<x@other.example>'), '550 5.7.1 <x@other.example>... Relaying denied');
});

test('§11 class R: addresses by whole octets, names with their subdomains, relay_hosts_only exact', async () => {
  const r = await server([], '127\n');
  try {
    assert.equal(await rcptFrom(r, HOST9, '<a@gmail.example>', '<x@other.example>'), '250 2.1.5 <x@other.example>... Recipient ok');
  } finally {
    await r.close();
  }
  const octets = await server([], `${NAMED}\n`);
  try {
    assert.equal(await rcptFrom(octets, NAMED, '<a@gmail.example>', '<x@other.example>'), '250 2.1.5 <x@other.example>... Recipient ok');
    // 127.0.0.5 is not a prefix of 127.0.0.50: prefixes end on an octet boundary.
    assert.equal(await rcptFrom(octets, '127.0.0.50', '<a@gmail.example>', '<x@other.example>'), '550 5.7.1 <x@other.example>... Relaying denied');
  } finally {
    await octets.close();
  }
  const names = await server([], 'other.example\n');
  try {
    assert.equal(await rcptFrom(names, NAMED, '<a@gmail.example>', '<x@sub.other.example>'), '250 2.1.5 <x@sub.other.example>... Recipient ok');
  } finally {
    await names.close();
  }
  const exact = await server(['Feature relay_hosts_only'], 'other.example\n');
  try {
    assert.equal(await rcptFrom(exact, NAMED, '<a@gmail.example>', '<x@sub.other.example>'), '550 5.7.1 <x@sub.other.example>... Relaying denied');
    assert.equal(await rcptFrom(exact, NAMED, '<a@gmail.example>', '<x@other.example>'), '250 2.1.5 <x@other.example>... Recipient ok');
  } finally {
    await exact.close();
  }
});

test('§7.2 step 1: a % route through a relay domain is judged by its real destination', async () => {
  const r = await server([], 'friend.example\n');
  try {
    assert.equal(
      await rcptFrom(r, NAMED, '<a@gmail.example>', '<user%evil.example@friend.example>'),
      '550 5.7.1 <user%evil.example@friend.example>... Relaying denied',
    );
    assert.equal(await rcptFrom(r, NAMED, '<a@gmail.example>', '<user@friend.example>'), '250 2.1.5 <user@friend.example>... Recipient ok');
  } finally {
    await r.close();
  }
  const loose = await server(['Feature loose_relay_check'], 'friend.example\n');
  try {
    assert.equal(
      await rcptFrom(loose, NAMED, '<a@gmail.example>', '<user%evil.example@friend.example>'),
      '250 2.1.5 <user%evil.example@friend.example>... Recipient ok',
    );
  } finally {
    await loose.close();
  }
});

test('§11 sender domains: NXDOMAIN and NODATA do not exist, SERVFAIL does not resolve', async () => {
  assert.equal(
    await rcptFrom(plain, NAMED, '<a@nonexistent.example>', '<bob@example.com>'),
    '553 5.1.8 <a@nonexistent.example>... Domain of sender address a@nonexistent.example does not exist',
  );
  assert.equal(
    await rcptFrom(plain, NAMED, '<a@nodata.example>', '<bob@example.com>'),
    '553 5.1.8 <a@nodata.example>... Domain of sender address a@nodata.example does not exist',
  );
  assert.equal(
    await rcptFrom(plain, NAMED, '<a@tempfail.example>', '<bob@example.com>'),
    '451 4.1.8 Domain of sender address a@tempfail.example does not resolve',
  );
  const lax = await server(['Feature accept_unresolvable_domains']);
  try {
    assert.equal(await rcptFrom(lax, NAMED, '<a@nonexistent.example>', '<bob@example.com>'), '250 2.1.5 <bob@example.com>... Recipient ok');
  } finally {
    await lax.close();
  }
});

test('§11 unqualified and localhost senders from a network client', async () => {
  assert.equal(
    await rcptFrom(plain, NO_PTR, '<alice>', '<bob@example.com>'),
    '553 5.5.4 <alice>... Domain name required for sender address alice',
  );
  assert.equal(
    await rcptFrom(plain, NO_PTR, '<alice@localhost>', '<bob@example.com>'),
    '553 5.5.4 <alice@localhost>... Real domain name required for sender address',
  );
  // The host itself (named localhost, in class w) may use them.
  assert.equal(await rcptFrom(plain, '127.0.0.1', '<alice@localhost>', '<bob@example.com>'), '250 2.1.5 <bob@example.com>... Recipient ok');
  const lax = await server(['Feature accept_unqualified_senders']);
  try {
    assert.equal(await rcptFrom(lax, NO_PTR, '<alice>', '<bob@example.com>'), '250 2.1.5 <bob@example.com>... Recipient ok');
  } finally {
    await lax.close();
  }
});

test('§10 delay_checks: the sender is judged at RCPT, with the recipient as prefix', async () => {
  const d = await server(['Feature delay_checks']);
  try {
    const c = await d.session({ localAddress: NAMED });
    await c.cmd('EHLO client.example');
    assert.equal(await c.cmd('MAIL FROM:<a@nonexistent.example>'), '250 2.1.0 <a@nonexistent.example>... Sender ok');
    assert.equal(
      await c.cmd('RCPT TO:<bob@example.com>'),
      '553 5.1.8 <bob@example.com>... Domain of sender address a@nonexistent.example does not exist',
    );
    // A relay refusal comes first: the delayed checks run only for recipients that passed §7.
    assert.equal(await c.cmd('RCPT TO:<x@other.example>'), '550 5.7.1 <x@other.example>... Relaying denied');
    c.close();
  } finally {
    await d.close();
  }
});
