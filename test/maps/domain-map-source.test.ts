// A domain map file held by the daemon: read at start-up, read again when it changes (after it
// settles), a broken new version rejected while the old one stays in service.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainMapSource, type DomainMapEvent } from '../../src/maps/domain-map-source.js';
import { parseTlsPolicyMap } from '../../src/outbound/route/maps.js';
import type { TlsPolicy } from '../../src/outbound/route/types.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-dmap-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeOld(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  // Older than the settle time: the next check takes it at once.
  const t = new Date(Date.now() - 10_000);
  await utimes(path, t, t);
}

function open(path: string, events: DomainMapEvent[], optional = true): ReturnType<typeof DomainMapSource.open<TlsPolicy>> {
  return DomainMapSource.open<TlsPolicy>({ path, what: 'TLS policy map', optional, parse: parseTlsPolicyMap, checkIntervalMs: 0, settleMs: 200, onEvent: (e) => events.push(e) });
}

test('start-up: a missing optional file is an empty map; a missing mandatory one and a file with errors are fatal', async () => {
  await withDir(async (dir) => {
    const events: DomainMapEvent[] = [];
    const a = await open(join(dir, 'none'), events);
    assert.ok(a.ok);
    assert.equal(a.source.current().size, 0);
    const b = await open(join(dir, 'none'), events, false);
    assert.ok(!b.ok);
    assert.match(b.diagnostics[0]!.message, /cannot read TLS policy map .*: no such file/);
    await writeOld(join(dir, 'bad'), 'a.example verify\nb.example maybe\n');
    const c = await open(join(dir, 'bad'), events);
    assert.ok(!c.ok);
    assert.equal(c.diagnostics[0]!.line, 2);
  });
});

test('a changed file is read again; a broken version is rejected and the old map stays', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'tls');
    await writeOld(path, 'a.example verify\n');
    const events: DomainMapEvent[] = [];
    const r = await open(path, events);
    assert.ok(r.ok);
    const src = r.source;
    assert.equal(src.current().lookup('a.example')?.value, 'verify');
    await writeOld(path, 'a.example none\nb.example verify\n');
    await src.check();
    assert.equal(src.current().lookup('a.example')?.value, 'none');
    assert.equal(src.current().lookup('b.example')?.value, 'verify');
    await writeOld(path, 'a.example verify\nb.example bogus\n');
    await src.check();
    assert.equal(src.current().lookup('a.example')?.value, 'none', 'the rejected version is not used');
    assert.deepEqual(events.map((e) => e.kind), ['loaded', 'loaded', 'rejected']);
  });
});

test('a version written just now waits until it has settled', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'tls');
    await writeOld(path, 'a.example verify\n');
    const r = await open(path, []);
    assert.ok(r.ok);
    await writeFile(path, 'a.example none\n');
    await r.source.check();
    assert.equal(r.source.current().lookup('a.example')?.value, 'verify', 'too fresh');
    await new Promise((res) => setTimeout(res, 250));
    await r.source.check();
    assert.equal(r.source.current().lookup('a.example')?.value, 'none');
  });
});
