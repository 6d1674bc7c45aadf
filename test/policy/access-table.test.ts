// relay-and-access.md §11, the rows that use the access map, through real sockets; and the map's own
// behaviour in a running server (§2: reloaded when the file changes, errors keep the old map).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reverseName, type Zone } from '../helpers/dns-server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const NAMED = '127.0.0.5';
const REJECTED = '127.0.0.11';
const LISTED = '127.0.0.8';

const listName = (ip: string): string => `${reverseName(ip).replace('.in-addr.arpa', '')}.bl.example.org`;

const ZONE: Zone = {
  wildcardA: '192.0.2.1',
  PTR: { [reverseName(NAMED)]: ['client.example.net'] },
  A: { 'client.example.net': [NAMED], [listName(LISTED)]: ['127.0.0.2'] },
  special: {
    'nonexistent.example': 'nxdomain',
    [listName(NAMED)]: 'nxdomain',
    [listName(REJECTED)]: 'nxdomain',
    [listName('127.0.0.1')]: 'nxdomain',
  },
};

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function withAccess(access: string, conf: string[] = []): Promise<{ srv: TestServer; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-access-'));
  dirs.push(dir);
  const file = join(dir, 'access');
  await writeFile(file, access);
  const srv = await startTestServer({ dns: ZONE, conf: [`Feature access_db, hash -T<TMPF> ${file}`, 'Class w example.com', ...conf] });
  return { srv, file };
}

async function rcptFrom(s: TestServer, ip: string, mail: string, rcpt: string | undefined): Promise<string> {
  const c = await s.session({ localAddress: ip });
  try {
    await c.cmd('EHLO client.example');
    const m = await c.cmd(`MAIL FROM:${mail}`);
    if (rcpt === undefined || !m.startsWith('250')) return m;
    return await c.cmd(`RCPT TO:${rcpt}`);
  } finally {
    c.close();
  }
}

test('§11 To: RELAY lets anyone relay to that domain', async () => {
  const { srv } = await withAccess('To:other.example RELAY\n');
  try {
    assert.equal(await rcptFrom(srv, NAMED, '<a@gmail.example>', '<x@other.example>'), '250 2.1.5 <x@other.example>... Recipient ok');
    assert.equal(await rcptFrom(srv, NAMED, '<a@gmail.example>', '<x@third.example>'), '550 5.7.1 <x@third.example>... Relaying denied');
  } finally {
    await srv.close();
  }
});

test('§11 Connect: RELAY for a network, SKIP for one address in it', async () => {
  const { srv } = await withAccess('Connect:127.0.0 RELAY\nConnect:127.0.0.5 SKIP\n');
  try {
    assert.equal(await rcptFrom(srv, '127.0.0.6', '<a@gmail.example>', '<x@other.example>'), '250 2.1.5 <x@other.example>... Recipient ok');
    assert.equal(await rcptFrom(srv, NAMED, '<a@gmail.example>', '<x@other.example>'), '550 5.7.1 <x@other.example>... Relaying denied');
  } finally {
    await srv.close();
  }
});

test('§11 From: entries: OK over a missing domain, REJECT, ERROR quoted and unquoted', async () => {
  const { srv } = await withAccess(
    [
      'From:nonexistent.example OK',
      'From:spammer@bad.example REJECT',
      'From:bad.example ERROR:5.7.0:"550 We do not like you"',
      'From:spam@worse.example ERROR:5.7.1:550 Mail refused, ask postmaster',
      '',
    ].join('\n'),
  );
  try {
    assert.equal(await rcptFrom(srv, NAMED, '<a@nonexistent.example>', undefined), '250 2.1.0 <a@nonexistent.example>... Sender ok');
    assert.equal(await rcptFrom(srv, NAMED, '<spammer@bad.example>', undefined), '550 5.7.1 <spammer@bad.example>... Access denied');
    assert.equal(await rcptFrom(srv, NAMED, '<x@bad.example>', undefined), '550 5.7.0 <x@bad.example>... We do not like you');
    assert.equal(
      await rcptFrom(srv, NAMED, '<spam@worse.example>', undefined),
      '550 5.7.1 <spam@worse.example>... Mail refused,ask postmaster',
    );
  } finally {
    await srv.close();
  }
});

test('§11 Connect: REJECT gives the 554 greeting and a null session answering Access denied', async () => {
  const { srv } = await withAccess(`Connect:${REJECTED} REJECT\n`);
  try {
    const c = await srv.connect({ localAddress: REJECTED });
    assert.equal(await c.text(), '554 mx.example.com ESMTP not accepting messages');
    assert.equal(await c.cmd('EHLO me.example'), `250-mx.example.com Hello [${REJECTED}], pleased to meet you\n250 ENHANCEDSTATUSCODES`);
    assert.equal(await c.cmd('MAIL FROM:<a@b.example>'), '550 5.7.1 Access denied');
    assert.equal(await c.cmd('RCPT TO:<bob@example.com>'), '550 5.7.1 Access denied');
    assert.equal(await c.cmd('NOOP'), '250 2.0.0 OK');
    c.close();
  } finally {
    await srv.close();
  }
});

test('§11 Connect: OK exempts a DNSBL-listed client', async () => {
  const { srv } = await withAccess(`Connect:${LISTED} OK\n`, ['Feature dnsbl, bl.example.org']);
  try {
    assert.equal(await rcptFrom(srv, LISTED, '<a@gmail.example>', '<bob@example.com>'), '250 2.1.5 <bob@example.com>... Recipient ok');
  } finally {
    await srv.close();
  }
});

test('§11 blocklist_recipients: To:bob@ ERROR gives its text with the class default code', async () => {
  const { srv } = await withAccess('To:bob@ ERROR:550 Mailbox disabled for bob\nTo:root@example.com REJECT\n', ['Feature blocklist_recipients']);
  try {
    assert.equal(await rcptFrom(srv, NAMED, '<a@gmail.example>', '<bob@example.com>'), '550 5.0.0 <bob@example.com>... Mailbox disabled for bob');
    assert.equal(await rcptFrom(srv, NAMED, '<a@gmail.example>', '<root@example.com>'), '550 5.2.1 <root@example.com>... Mailbox disabled for this recipient');
  } finally {
    await srv.close();
  }
});

test('§2 an ERROR:421 answers and closes the session', async () => {
  const { srv } = await withAccess('From:closer.example ERROR:4.7.0:421 Go away now\n');
  try {
    const c = await srv.session({ localAddress: NAMED });
    await c.cmd('EHLO me.example');
    assert.equal(await c.cmd('MAIL FROM:<a@closer.example>'), '421 4.7.0 Go away now');
    await c.closed();
  } finally {
    await srv.close();
  }
});

test('§2 the map is reloaded when its file changes; a broken version keeps the map in use', async () => {
  const { srv, file } = await withAccess('From:first.example REJECT\n');
  try {
    assert.equal(await rcptFrom(srv, NAMED, '<a@first.example>', undefined), '550 5.7.1 <a@first.example>... Access denied');
    await writeFile(file, 'From:second.example REJECT\n');
    const past = new Date(Date.now() - 5000);
    await utimes(file, past, past);
    // The source looks at the file at most once a second; ask until the new version is in use.
    let reply = '';
    for (let i = 0; i < 40 && !reply.startsWith('550'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      reply = await rcptFrom(srv, NAMED, '<a@second.example>', undefined);
    }
    assert.equal(reply, '550 5.7.1 <a@second.example>... Access denied');
    assert.equal(await rcptFrom(srv, NAMED, '<a@first.example>', undefined), '250 2.1.0 <a@first.example>... Sender ok');
    await writeFile(file, 'From:third.example FROBNICATE\n');
    const later = new Date(Date.now() - 4000);
    await utimes(file, later, later);
    await new Promise((r) => setTimeout(r, 1200));
    await rcptFrom(srv, NAMED, '<a@x.example>', undefined);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await rcptFrom(srv, NAMED, '<a@second.example>', undefined), '550 5.7.1 <a@second.example>... Access denied');
  } finally {
    await srv.close();
  }
});
