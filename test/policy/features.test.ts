// relay-and-access.md §5, §7, §10: the relay and anti-spam FEATUREs through real sessions, each with a
// client it must refuse and one it must let through. Foreign hosts are loopback addresses other than
// 127.0.0.1, named by a loopback DNS server.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reverseName, type Zone } from '../helpers/dns-server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const NAMED = '127.0.0.5';
const NO_PTR = '127.0.0.4';
const INSIDE = '127.0.0.12';

const ZONE: Zone = {
  wildcardA: '192.0.2.1',
  PTR: { [reverseName(NAMED)]: ['client.example.net'], [reverseName(INSIDE)]: ['ws1.sub.example.com'] },
  A: { 'client.example.net': [NAMED], 'ws1.sub.example.com': [INSIDE] },
  MX: {
    'backup.example': [{ preference: 10, exchange: 'mx.example.com' }],
    'elsewhere.example': [{ preference: 10, exchange: 'mx.elsewhere.example' }],
  },
  special: { 'MX broken.example': 'servfail' },
};

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function server(conf: string[], listener?: string): Promise<TestServer> {
  return startTestServer({ dns: ZONE, conf: ['Class w example.com', ...conf], ...(listener !== undefined ? { listener } : {}) });
}

async function rcptFrom(s: TestServer, ip: string, mail: string, rcpt: string, helo = 'client.example'): Promise<string> {
  const c = await s.session({ localAddress: ip });
  try {
    await c.cmd(`EHLO ${helo}`);
    const m = await c.cmd(`MAIL FROM:${mail}`);
    if (!m.startsWith('250')) return m;
    return await c.cmd(`RCPT TO:${rcpt}`);
  } finally {
    c.close();
  }
}

async function withServer(conf: string[], body: (s: TestServer) => Promise<void>, listener?: string): Promise<void> {
  const s = await server(conf, listener);
  try {
    await body(s);
  } finally {
    await s.close();
  }
}

test('relay_entire_domain: hosts in $m may relay, and mail to $m is accepted', async () => {
  // $j is mx.example.com, so $m (class m) is example.com.
  await withServer([], async (s) => {
    assert.equal(await rcptFrom(s, INSIDE, '<a@gmail.example>', '<x@other.example>'), '550 5.7.1 <x@other.example>... Relaying denied');
    assert.equal(await rcptFrom(s, NAMED, '<a@gmail.example>', '<x@host.sub.example.com>'), '550 5.7.1 <x@host.sub.example.com>... Relaying denied');
  });
  await withServer(['Feature relay_entire_domain'], async (s) => {
    assert.equal(await rcptFrom(s, INSIDE, '<a@gmail.example>', '<x@other.example>'), '250 2.1.5 <x@other.example>... Recipient ok');
    assert.equal(await rcptFrom(s, NAMED, '<a@gmail.example>', '<x@host.sub.example.com>'), '250 2.1.5 <x@host.sub.example.com>... Recipient ok');
  });
});

test('relay_based_on_MX: a domain whose MX is us is relayed; a temporary MX failure is 450', async () => {
  await withServer(['Feature relay_based_on_MX'], async (s) => {
    assert.equal(await rcptFrom(s, NAMED, '<a@gmail.example>', '<x@backup.example>'), '250 2.1.5 <x@backup.example>... Recipient ok');
    assert.equal(await rcptFrom(s, NAMED, '<a@gmail.example>', '<x@elsewhere.example>'), '550 5.7.1 <x@elsewhere.example>... Relaying denied');
    assert.equal(
      await rcptFrom(s, NAMED, '<a@gmail.example>', '<x@broken.example>'),
      '450 4.4.0 <x@broken.example>... Can not check MX records for recipient host broken.example',
    );
  });
});

test('relay_local_from: a sender in a local domain may relay (the forgeable rule audit warns about)', async () => {
  await withServer(['Feature relay_local_from'], async (s) => {
    assert.equal(await rcptFrom(s, NAMED, '<boss@example.com>', '<x@other.example>'), '250 2.1.5 <x@other.example>... Recipient ok');
    assert.equal(await rcptFrom(s, NAMED, '<boss@gmail.example>', '<x@other.example>'), '550 5.7.1 <x@other.example>... Relaying denied');
  });
});

test('relay_mail_from: a From: RELAY sender may relay; with `domain` the domain key counts too', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-features-'));
  dirs.push(dir);
  const access = join(dir, 'access');
  await writeFile(access, 'From:partner@friend.example RELAY\nFrom:trusted.example RELAY\n');
  await withServer([`Feature access_db, hash ${access}`, 'Feature relay_mail_from'], async (s) => {
    assert.equal(await rcptFrom(s, NAMED, '<partner@friend.example>', '<x@other.example>'), '250 2.1.5 <x@other.example>... Recipient ok');
    assert.equal(await rcptFrom(s, NAMED, '<a@trusted.example>', '<x@other.example>'), '550 5.7.1 <x@other.example>... Relaying denied');
  });
  await withServer([`Feature access_db, hash ${access}`, 'Feature relay_mail_from, domain'], async (s) => {
    assert.equal(await rcptFrom(s, NAMED, '<a@trusted.example>', '<x@other.example>'), '250 2.1.5 <x@other.example>... Recipient ok');
  });
});

test('promiscuous_relay: refused under the floor; without the floor an open relay', async () => {
  await assert.rejects(server(['Feature promiscuous_relay']), /promiscuous_relay requires HardeningFloor=False/);
  await withServer(['HardeningFloor = False', 'Feature promiscuous_relay'], async (s) => {
    assert.equal(await rcptFrom(s, NO_PTR, '<a@gmail.example>', '<x@other.example>'), '250 2.1.5 <x@other.example>... Recipient ok');
  });
});

test('require_rdns: a client without a PTR name is refused at connect; class R is exempt', async () => {
  await withServer(['Feature require_rdns'], async (s) => {
    const c = await s.connect({ localAddress: NO_PTR });
    assert.equal(await c.text(), '554 mx.example.com ESMTP not accepting messages');
    await c.cmd('EHLO me.example');
    assert.equal(await c.cmd('MAIL FROM:<a@b.example>'), `550 5.7.1 Fix reverse DNS for ${NO_PTR}`);
    c.close();
    assert.equal(await rcptFrom(s, NAMED, '<a@gmail.example>', '<bob@example.com>'), '250 2.1.5 <bob@example.com>... Recipient ok');
  });
});

test('block_bad_helo (with delay_checks): our own name or a dotless name as HELO is refused at RCPT', async () => {
  await withServer(['Feature delay_checks', 'Feature block_bad_helo'], async (s) => {
    assert.equal(
      await rcptFrom(s, NAMED, '<a@gmail.example>', '<bob@example.com>', 'mx.example.com'),
      '550 5.7.1 <bob@example.com>... bogus HELO name used: mx.example.com',
    );
    assert.equal(
      await rcptFrom(s, NAMED, '<a@gmail.example>', '<bob@example.com>', 'localhost'),
      '550 5.7.1 <bob@example.com>... bogus HELO name used: localhost',
    );
    assert.equal(await rcptFrom(s, NAMED, '<a@gmail.example>', '<bob@example.com>', 'client.example.net'), '250 2.1.5 <bob@example.com>... Recipient ok');
  });
});

test('redirect: an address in .REDIRECT gets 551 with the new address', async () => {
  await withServer(['Feature redirect'], async (s) => {
    assert.equal(
      await rcptFrom(s, NAMED, '<a@gmail.example>', '<new@example.net.REDIRECT>'),
      '551 5.1.1 User has moved; please try <new@example.net>',
    );
  });
});

test('listener modifiers: f requires qualified senders, u accepts unqualified ones', async () => {
  const listener = (m: string): string => `Name=MTA, Addr=127.0.0.1, Port=0, M=${m}`;
  await withServer(
    [],
    async (s) => {
      assert.equal(await rcptFrom(s, NAMED, '<a@host>', '<bob@example.com>'), '553 5.5.4 <a@host>... Real domain name required for sender address');
    },
    listener('f'),
  );
  await withServer(
    [],
    async (s) => {
      assert.equal(await rcptFrom(s, NAMED, '<alice>', '<bob@example.com>'), '250 2.1.5 <bob@example.com>... Recipient ok');
    },
    listener('u'),
  );
});

test('ratecontrol and conncontrol: ClientRate: and ClientConn: limits per client address', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-features-'));
  dirs.push(dir);
  const access = join(dir, 'access');
  // A default rate for everyone (the empty key) and a connection limit for one address.
  await writeFile(access, `ClientRate: 2\nClientConn:${NO_PTR} 1\n`);
  await withServer([`Feature access_db, hash ${access}`, 'Feature ratecontrol', 'Feature conncontrol, nodelay, terminate'], async (s) => {
    const first = await s.connect({ localAddress: NO_PTR });
    assert.match(await first.text(), /^220 /);
    // A second open connection from the same address is over ClientConn: 1.
    const second = await s.connect({ localAddress: NO_PTR });
    assert.equal(await second.text(), '421 4.3.2 Too many open connections.');
    await second.closed();
    first.close();
    // Three connections from NAMED within the window: the third is over ClientRate 2.
    for (let i = 0; i < 2; i++) {
      const c = await s.connect({ localAddress: NAMED });
      assert.match(await c.text(), /^220 /);
      c.close();
      await c.closed();
    }
    const third = await s.connect({ localAddress: NAMED });
    assert.match(await third.text(), /^220 /);
    assert.equal(await third.cmd('EHLO x.example'), `250-mx.example.com Hello client.example.net [${NAMED}], pleased to meet you\n250 ENHANCEDSTATUSCODES`);
    assert.equal(await third.cmd('MAIL FROM:<a@b.example>'), '452 4.3.2 Connection rate limit exceeded.');
    third.close();
  });
});

test('nopercenthack and nouucp: reject makes a routed local part undeliverable, nospecial makes it a plain user', async () => {
  await withServer(['Feature nopercenthack, reject', 'Feature nouucp, reject'], async (s) => {
    assert.equal(await rcptFrom(s, NAMED, '<a@gmail.example>', '<user%bob@example.com>'), '550 5.7.1 <user%bob@example.com>... Relaying denied');
    assert.equal(await rcptFrom(s, NAMED, '<a@gmail.example>', '<host!user@example.com>'), '550 5.7.1 <host!user@example.com>... Relaying denied');
  });
  await withServer(['Feature nopercenthack, nospecial', 'Feature nouucp, nospecial'], async (s) => {
    assert.equal(await rcptFrom(s, NAMED, '<a@gmail.example>', '<user%x@example.com>'), '550 5.1.1 <user%x@example.com>... User unknown');
    assert.equal(await rcptFrom(s, NAMED, '<a@gmail.example>', '<evil.example!user@example.com>'), '550 5.1.1 <evil.example!user@example.com>... User unknown');
  });
  await withServer([], async (s) => {
    // By default both route on: the real destination is remote, so relaying is refused.
    assert.equal(await rcptFrom(s, NAMED, '<a@gmail.example>', '<user%evil.example@example.com>'), '550 5.7.1 <user%evil.example@example.com>... Relaying denied');
  });
});
