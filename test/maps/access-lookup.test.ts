// The lookup procedures of relay-and-access.md §2.3 on maps loaded from real files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessMapSource } from '../../src/maps/access-source.js';
import type { AccessResult } from '../../src/maps/access-table.js';

async function withMap(lines: string[], flags: string[], fn: (m: AccessMapSource, file: string) => void | Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-access-'));
  try {
    const file = join(dir, 'access');
    await writeFile(file, lines.join('\n') + '\n');
    const r = await AccessMapSource.open({ spec: { path: file, optional: false, flags } });
    assert.ok(r.ok, JSON.stringify(r.diagnostics));
    await fn(r.source, file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `kind@key:line`, or `none`, `none(skip key:line)`, `tempfail`. */
function brief(r: AccessResult): string {
  if (r.status === 'found') return `${r.value.kind}@${r.key}:${r.line}${r.untagged ? ' (untagged)' : ''}`;
  if (r.status === 'tempfail') return 'tempfail';
  return r.skip === undefined ? 'none' : `none(skip ${r.skip.key}:${r.skip.line})`;
}

test('results say which key matched, in which file, on which line', async () => {
  await withMap(['# x', 'Connect:192.0.2 REJECT'], [], (m, file) => {
    assert.deepEqual(m.lookupAddress('Connect', '192.0.2.7'), {
      status: 'found',
      key: 'connect:192.0.2',
      value: { kind: 'reject', raw: 'REJECT' },
      file,
      line: 2,
      untagged: false,
    });
    assert.deepEqual(m.lookupAddress('Connect', '198.51.100.1'), { status: 'not-found' });
  });
});

test('§2.3 domain lookup: the name, then each parent; tagged key before the untagged one for each candidate', async () => {
  await withMap(['Connect:example.com REJECT', 'b.example.com OK', 'From:c.example.com DISCARD'], [], (m) => {
    assert.equal(brief(m.lookupDomain('Connect', 'a.b.example.com')), 'ok@b.example.com:2 (untagged)');
    assert.equal(brief(m.lookupDomain('Connect', 'x.example.com')), 'reject@connect:example.com:1');
    assert.equal(brief(m.lookupDomain('Connect', 'EXAMPLE.COM.')), 'reject@connect:example.com:1');
    assert.equal(brief(m.lookupDomain('From', 'a.c.example.com')), 'discard@from:c.example.com:3');
    assert.equal(brief(m.lookupDomain('Connect', 'example.org')), 'none');
  });
  // Same candidate: the tagged key wins over the untagged one.
  await withMap(['example.com REJECT', 'Connect:example.com OK'], [], (m) => {
    assert.equal(brief(m.lookupDomain('Connect', 'example.com')), 'ok@connect:example.com:2');
    assert.equal(brief(m.lookupDomain('To', 'example.com')), 'reject@example.com:1 (untagged)');
  });
});

test('§2.1 the untagged fallback is for Connect/From/To only, and not for tag-only lookups', async () => {
  await withMap(['192.0.2.1 REJECT', 'bob@ REJECT', 'example.com REJECT'], [], (m) => {
    assert.equal(brief(m.lookupAddress('ClientRate', '192.0.2.1')), 'none');
    assert.equal(brief(m.lookupAddress('GreetPause', '192.0.2.1')), 'none');
    assert.equal(brief(m.lookupUser('Spam', 'bob')), 'none');
    assert.equal(brief(m.lookupDomain('From', 'example.com', { tagOnly: true })), 'none');
    assert.equal(brief(m.lookupDomain('From', 'example.com')), 'reject@example.com:3 (untagged)');
  });
});

test('§2.3 lookupdotdomain (access_db argument): `.example.com` matches strict subdomains only', async () => {
  await withMap(['Connect:.example.com REJECT'], ['lookupdotdomain'], (m) => {
    assert.equal(brief(m.lookupDomain('Connect', 'a.example.com')), 'reject@connect:.example.com:1');
    assert.equal(brief(m.lookupDomain('Connect', 'a.b.example.com')), 'reject@connect:.example.com:1');
    assert.equal(brief(m.lookupDomain('Connect', 'example.com')), 'none');
  });
  await withMap(['Connect:.example.com REJECT'], [], (m) => {
    assert.equal(brief(m.lookupDomain('Connect', 'a.example.com')), 'none');
    assert.equal(brief(m.lookupDomain('Connect', 'a.example.com', { dotDomain: true })), 'reject@connect:.example.com:1');
  });
  // lookupdotdomain: after the name itself `.parent`, before `parent`.
  await withMap(['Connect:.example.com REJECT', 'Connect:example.com OK'], ['lookupdotdomain'], (m) => {
    assert.equal(brief(m.lookupDomain('Connect', 'a.example.com')), 'reject@connect:.example.com:1');
  });
});

test('§2.3 relay_hosts_only: exact lookups use the name itself only', async () => {
  await withMap(['To:other.example RELAY'], [], (m) => {
    assert.equal(brief(m.lookupDomain('To', 'other.example', { exact: true })), 'relay@to:other.example:1');
    assert.equal(brief(m.lookupDomain('To', 'sub.other.example', { exact: true })), 'none');
    assert.equal(brief(m.lookupDomain('To', 'sub.other.example')), 'relay@to:other.example:1');
  });
});

test('§2.3 bracketed address literals: octets removed from the right, brackets kept', async () => {
  await withMap(['Connect:[192.0.2] REJECT', 'To:[IPv6:2001:db8::] RELAY', 'To:[IPv6:2001:db8:0:0:0:0:0] OK'], [], (m) => {
    assert.equal(brief(m.lookupDomain('Connect', '[192.0.2.7]')), 'reject@connect:[192.0.2]:1');
    assert.equal(brief(m.lookupDomain('Connect', '[192.0.3.7]')), 'none');
    assert.equal(brief(m.lookupDomain('To', '[IPv6:2001:db8::]')), 'relay@to:[ipv6:2001:db8:0:0:0:0:0:0]:2');
    assert.equal(brief(m.lookupDomain('To', '[IPv6:2001:db8::5]')), 'ok@to:[ipv6:2001:db8:0:0:0:0:0]:3');
  });
});

test('§2.3 address lookup: IPv4 prefixes on octet boundaries', async () => {
  await withMap(['Connect:192.0.2 REJECT', 'Connect:10 OK'], [], (m) => {
    assert.equal(brief(m.lookupAddress('Connect', '192.0.2.7')), 'reject@connect:192.0.2:1');
    assert.equal(brief(m.lookupAddress('Connect', '192.0.20.7')), 'none');
    assert.equal(brief(m.lookupAddress('Connect', '10.1.2.3')), 'ok@connect:10:2');
    assert.equal(brief(m.lookupAddress('Connect', '100.1.2.3')), 'none');
  });
});

test('§1/§2.3 IPv6: keys in any spelling match client addresses in any spelling; prefixes by group', async () => {
  await withMap(
    ['Connect:IPv6:2001:DB8::1 REJECT', 'Connect:IPv6:2001:0db8:0:0:0:0:0 OK', 'Connect:IPv6:2001:db8:ab RELAY', 'IPv6:fe80:: DISCARD'],
    [],
    (m) => {
      assert.equal(brief(m.lookupAddress('Connect', 'IPv6:2001:db8::1')), 'reject@connect:ipv6:2001:db8:0:0:0:0:0:1:1');
      assert.equal(brief(m.lookupAddress('Connect', 'IPv6:2001:db8:0:0:0:0:0:0001')), 'reject@connect:ipv6:2001:db8:0:0:0:0:0:1:1');
      assert.equal(brief(m.lookupAddress('Connect', 'IPv6:2001:db8::2')), 'ok@connect:ipv6:2001:db8:0:0:0:0:0:2');
      assert.equal(brief(m.lookupAddress('Connect', 'IPv6:2001:db8:ab::9')), 'relay@connect:ipv6:2001:db8:ab:3');
      assert.equal(brief(m.lookupAddress('Connect', 'IPv6:2001:db8:abc::9')), 'none');
      assert.equal(brief(m.lookupAddress('From', 'IPv6:fe80::')), 'discard@ipv6:fe80:0:0:0:0:0:0:0:4 (untagged)');
    },
  );
});

test('§2.3 full lookup: user+detail@domain, then user+*@domain, then user@domain', async () => {
  await withMap(['From:user+*@example.com REJECT', 'From:user@example.com OK', 'From:user+news@example.com RELAY'], [], (m) => {
    assert.equal(brief(m.lookupFull('From', 'user+news@example.com')), 'relay@from:user+news@example.com:3');
    assert.equal(brief(m.lookupFull('From', 'User+Other@Example.COM')), 'reject@from:user+*@example.com:1');
    assert.equal(brief(m.lookupFull('From', 'user@example.com')), 'ok@from:user@example.com:2');
    assert.equal(brief(m.lookupFull('From', 'other@example.com')), 'none');
  });
  await withMap(['From:user@example.com REJECT'], [], (m) => {
    assert.equal(brief(m.lookupFull('From', 'user+x@example.com')), 'reject@from:user@example.com:1');
  });
});

test('§2.3 user lookup: user@; with user+detail: user+*@ then user@', async () => {
  await withMap(['To:bob@ ERROR:550 Mailbox disabled for bob', 'To:list+*@ DISCARD'], [], (m) => {
    const r = m.lookupUser('To', 'bob');
    assert.ok(r.status === 'found' && r.value.kind === 'error');
    assert.equal(`${r.value.code} ${r.value.enhanced} <bob@example.com>... ${r.value.text}`, '550 5.0.0 <bob@example.com>... Mailbox disabled for bob');
    assert.equal(brief(m.lookupUser('To', 'bob+x@')), 'error@to:bob@:1');
    assert.equal(brief(m.lookupUser('To', 'list+announce')), 'discard@to:list+*@:2');
    assert.equal(brief(m.lookupUser('To', 'list')), 'none');
  });
});

test('§2.2/§11 SKIP ends the search with "not found": Connect:198.51.100 RELAY, Connect:198.51.100.5 SKIP', async () => {
  await withMap(['Connect:198.51.100 RELAY', 'Connect:198.51.100.5 SKIP', 'example.com REJECT', 'Connect:a.example.com SKIP'], [], (m) => {
    assert.equal(brief(m.lookupAddress('Connect', '198.51.100.5')), 'none(skip connect:198.51.100.5:2)');
    assert.equal(brief(m.lookupAddress('Connect', '198.51.100.6')), 'relay@connect:198.51.100:1');
    // A tagged SKIP also stops the untagged fallback of the same and less specific names.
    assert.equal(brief(m.lookupDomain('Connect', 'x.a.example.com')), 'none(skip connect:a.example.com:4)');
    assert.equal(brief(m.lookupDomain('Connect', 'b.example.com')), 'reject@example.com:3 (untagged)');
  });
});

test('§5 names before addresses: both lookups answer for host.example.com at 192.0.2.5', async () => {
  await withMap(['Connect:host.example.com RELAY', 'Connect:192.0.2 REJECT'], [], (m) => {
    assert.equal(brief(m.lookupDomain('Connect', 'host.example.com')), 'relay@connect:host.example.com:1');
    assert.equal(brief(m.lookupAddress('Connect', '192.0.2.5')), 'reject@connect:192.0.2:2');
  });
});

test('ClientRate:/ClientConn:/GreetPause: numbers, and the empty default key', async () => {
  await withMap(['ClientRate: 10', 'ClientRate:192.0.2 0', 'ClientConn:192.0.2.7 3', 'GreetPause:localhost 0', 'GreetPause: 5000'], [], (m) => {
    const def = m.lookupKey('ClientRate', '');
    assert.ok(def.status === 'found' && def.value.kind === 'number');
    assert.equal(def.value.value, 10);
    assert.equal(brief(m.lookupAddress('ClientRate', '192.0.2.9')), 'number@clientrate:192.0.2:2');
    assert.equal(brief(m.lookupAddress('ClientConn', '192.0.2.7')), 'number@clientconn:192.0.2.7:3');
    assert.equal(brief(m.lookupDomain('GreetPause', 'localhost')), 'number@greetpause:localhost:4');
    assert.equal(brief(m.lookupKey('GreetPause', '')), 'number@greetpause::5');
  });
});

test('Spam: FRIEND / HATER by full address, domain and user', async () => {
  await withMap(['Spam:abuse@ FRIEND', 'Spam:example.com HATER', 'Spam:postmaster@example.com FRIEND'], [], (m) => {
    assert.equal(brief(m.lookupUser('Spam', 'abuse')), 'friend@spam:abuse@:1');
    assert.equal(brief(m.lookupDomain('Spam', 'example.com')), 'hater@spam:example.com:2');
    assert.equal(brief(m.lookupFull('Spam', 'postmaster@example.com')), 'friend@spam:postmaster@example.com:3');
  });
});
