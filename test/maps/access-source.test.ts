// The access map source: start-up rules, reload on change and on request, failed reloads, temporary
// failure, all on real files in a temporary directory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { AccessMapSource, accessSourceOptions, type AccessSourceEvent } from '../../src/maps/access-source.js';
import type { AccessResult } from '../../src/maps/access-table.js';
import { formatDiagnostic } from '../../src/util/diagnostics.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-access-src-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Moves the file's modification time forward, as a later edit would. */
async function bumpMtime(path: string, seconds = 10): Promise<void> {
  const st = await stat(path);
  const t = new Date(st.mtimeMs + seconds * 1000);
  await utimes(path, t, t);
}

function kind(r: AccessResult): string {
  return r.status === 'found' ? r.value.kind : r.status;
}

/**
 * Every lookup checks the source (interval 0) and a changed file is loaded at once (settle 0). A test
 * that writes the file after a lookup waits for settled() first: writeFile() truncates before it
 * writes, and a check in between would load the empty file (what settleMs prevents in service).
 */
async function openOk(path: string, optional: boolean, events: AccessSourceEvent[] = [], checkIntervalMs = 0): Promise<AccessMapSource> {
  const r = await AccessMapSource.open({ spec: { path, optional, flags: [] }, checkIntervalMs, settleMs: 0, onEvent: (e) => events.push(e) });
  assert.ok(r.ok, JSON.stringify(r.diagnostics));
  return r.source;
}

test('start-up: a missing optional source is an empty map; a missing mandatory one is an error', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'access');
    const events: AccessSourceEvent[] = [];
    const m = await openOk(path, true, events);
    assert.equal(m.table.size, 0);
    assert.equal(m.state, 'ready');
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'not-found');
    assert.deepEqual(events, [{ kind: 'loaded', file: path, entries: 0, ms: 0, diagnostics: [], missing: true }]);
    const r = await AccessMapSource.open({ spec: { path, optional: false, flags: [] } });
    assert.ok(!r.ok);
    assert.deepEqual(r.diagnostics.map(formatDiagnostic), [`${path}: cannot read access map ${path}: no such file`]);
  });
});

test('start-up: a .db file without its text source is an error, optional or not', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'access');
    await writeFile(`${path}.db`, 'binary');
    for (const optional of [true, false]) {
      const r = await AccessMapSource.open({ spec: { path, configuredPath: `${path}.db`, optional, flags: [] } });
      assert.ok(!r.ok);
      assert.deepEqual(
        r.diagnostics.map((d) => d.message),
        [`access database ${path}.db: only the text source can be read; keep ${path}`],
      );
    }
    // The K line without .db names the same files: sendmail's hash maps add the suffix themselves.
    const r = await AccessMapSource.open({ spec: { path, optional: true, flags: [] } });
    assert.ok(!r.ok);
    assert.equal(r.diagnostics[0]!.message, `access database ${path}.db: only the text source can be read; keep ${path}`);
    // With the text source present the .db is not looked at.
    await writeFile(path, 'Connect:192.0.2 REJECT\n');
    const ok = await AccessMapSource.open({ spec: { path, configuredPath: `${path}.db`, optional: false, flags: [] } });
    assert.ok(ok.ok);
    assert.equal(kind(ok.source.lookupAddress('Connect', '192.0.2.9')), 'reject');
  });
});

test('start-up: a source with errors is refused with every error by file and line', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'access');
    await writeFile(path, 'Connect:192.0.2 REJECT\nConnect:192.0.2 OK\nFrom:x.example MAYBE\nTLS_Srv:x VERIFY\n');
    const r = await AccessMapSource.open({ spec: { path, optional: true, flags: [] } });
    assert.ok(!r.ok);
    assert.deepEqual(r.diagnostics.map(formatDiagnostic), [
      `${path}:2: repeated key Connect:192.0.2 (first at line 1); the first entry is used`,
      `${path}:3: "MAYBE" is not an access value (OK, RELAY, REJECT, DISCARD, SKIP, QUARANTINE:reason, ERROR:ddd text, ERROR:D.S.N:ddd text)`,
      `${path}:4: notice: TLS_Srv: entries are not used by Postern and are ignored (1 entry)`,
    ]);
  });
});

test('start-up: warnings and notices come back with a working map', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'access');
    await writeFile(path, 'Connect:192.0.2 REJECT\nTry_TLS:x.example NO\n');
    const r = await AccessMapSource.open({ spec: { path, optional: false, flags: [] } });
    assert.ok(r.ok);
    assert.deepEqual(r.diagnostics.map(formatDiagnostic), [`${path}:2: notice: Try_TLS: entries are not used by Postern and are ignored (1 entry)`]);
  });
});

test('reload on modification: write the file, bump the mtime, look up', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'access');
    await writeFile(path, 'Connect:192.0.2 REJECT\n');
    const events: AccessSourceEvent[] = [];
    const m = await openOk(path, false, events);
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'reject');
    await m.settled();
    await writeFile(path, 'Connect:192.0.2 OK\nConnect:198.51.100 REJECT\n');
    await bumpMtime(path);
    m.lookupAddress('Connect', '192.0.2.1');
    await m.settled();
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'ok');
    assert.equal(kind(m.lookupAddress('Connect', '198.51.100.1')), 'reject');
    assert.deepEqual(
      events.map((e) => (e.kind === 'loaded' ? `loaded ${e.entries}` : e.kind)),
      ['loaded 1', 'loaded 2'],
    );
    // Nothing changed: a check does not read the file again.
    assert.deepEqual(await m.check(), { outcome: 'unchanged' });
  });
});

test('checks are at most one per interval: a lookup right after one does not read again', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'access');
    await writeFile(path, 'Connect:192.0.2 REJECT\n');
    const r = await AccessMapSource.open({ spec: { path, optional: false, flags: [] }, checkIntervalMs: 60_000, settleMs: 0 });
    assert.ok(r.ok);
    await writeFile(path, 'Connect:192.0.2 OK\n');
    await bumpMtime(path);
    assert.equal(kind(r.source.lookupAddress('Connect', '192.0.2.1')), 'reject');
    await r.source.settled();
    assert.equal(kind(r.source.lookupAddress('Connect', '192.0.2.1')), 'reject', 'no check within the interval');
    assert.equal((await r.source.check()).outcome, 'loaded');
    assert.equal(kind(r.source.lookupAddress('Connect', '192.0.2.1')), 'ok');
  });
});

test('a file renamed into place is seen even with the same size and modification time', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'access');
    await writeFile(path, 'Connect:192.0.2 REJECT\n');
    const m = await openOk(path, false);
    const st = await stat(path);
    const next = join(dir, 'access.new');
    await writeFile(next, 'Connect:192.0.2 RELAY\n');
    await utimes(next, st.atime, st.mtime);
    await rename(next, path);
    assert.equal((await m.check()).outcome, 'loaded');
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'relay');
  });
});

test('a version modified less than settleMs ago is loaded only once it has stayed the same', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'access');
    await writeFile(path, 'Connect:192.0.2 REJECT\n');
    const r = await AccessMapSource.open({ spec: { path, optional: false, flags: [] }, checkIntervalMs: 60_000, settleMs: 400 });
    assert.ok(r.ok);
    const m = r.source;
    // A fresh version (an editor may still be writing it) waits.
    await writeFile(path, 'Connect:192.0.2 OK\n');
    assert.deepEqual(await m.check(), { outcome: 'changing' });
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'reject');
    await new Promise((resolve) => setTimeout(resolve, 450));
    assert.equal((await m.check()).outcome, 'loaded', 'the same version a settle period later');
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'ok');
    // A version whose modification time is old enough is loaded at the first check.
    await writeFile(path, 'Connect:192.0.2 RELAY\n');
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    assert.equal((await m.check()).outcome, 'loaded');
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'relay');
    // A modification time in the future (clock skew) does not block it for ever.
    await writeFile(path, 'Connect:192.0.2 DISCARD\n');
    await bumpMtime(path, 3600);
    assert.deepEqual(await m.check(), { outcome: 'changing' });
    await new Promise((resolve) => setTimeout(resolve, 450));
    assert.equal((await m.check()).outcome, 'loaded');
    // reload() (SIGHUP) does not wait.
    await writeFile(path, 'Connect:192.0.2 OK\n');
    assert.equal((await m.reload()).outcome, 'loaded');
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'ok');
  });
});

test('a failed reload keeps the old map and reports the errors by file and line', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'access');
    await writeFile(path, 'Connect:192.0.2 REJECT\n');
    const events: AccessSourceEvent[] = [];
    const m = await openOk(path, false, events);
    await writeFile(path, 'Connect:192.0.2 OK\nConnect:198.51.100 NOPE\n');
    await bumpMtime(path);
    m.lookupAddress('Connect', '192.0.2.1');
    await m.settled();
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'reject', 'old map still in use');
    await m.settled();
    const rejected = events.filter((e) => e.kind === 'rejected');
    assert.equal(rejected.length, 1, 'the same broken version is reported once');
    assert.ok(rejected[0]!.kind === 'rejected');
    assert.deepEqual(rejected[0]!.diagnostics.map(formatDiagnostic), [
      `${path}:2: "NOPE" is not an access value (OK, RELAY, REJECT, DISCARD, SKIP, QUARANTINE:reason, ERROR:ddd text, ERROR:D.S.N:ddd text)`,
    ]);
    // The admin fixes the file: the next check loads it.
    await writeFile(path, 'Connect:192.0.2 OK\nConnect:198.51.100 REJECT\n');
    await bumpMtime(path, 20);
    assert.equal((await m.check()).outcome, 'loaded');
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'ok');
  });
});

test('reload() (SIGHUP) reads the source even when size and modification time did not change', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'access');
    await writeFile(path, 'Connect:192.0.2 REJECT\n');
    // Whole seconds: utimes() cannot restore a nanosecond modification time.
    const when = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    await utimes(path, when, when);
    const m = await openOk(path, false, [], 60_000);
    // Same size (the trailing space is trimmed), same modification time: only a forced read sees it.
    await writeFile(path, 'Connect:192.0.2 RELAY \n');
    await utimes(path, when, when);
    assert.equal((await m.check()).outcome, 'unchanged');
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'reject');
    const r = await m.reload();
    assert.equal(r.outcome, 'loaded');
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'relay');
    await writeFile(path, 'Connect:192.0.2 BAD\n');
    assert.equal((await m.reload()).outcome, 'rejected');
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'relay');
  });
});

test('temporary failure: a mandatory source that cannot be read answers tempfail until it can', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'access');
    await writeFile(path, 'Connect:192.0.2 REJECT\n');
    const events: AccessSourceEvent[] = [];
    const m = await openOk(path, false, events);
    await rm(path);
    assert.deepEqual(await m.check(), { outcome: 'tempfail', reason: `cannot read access map ${path}: no such file` });
    assert.equal(m.state, 'tempfail');
    assert.deepEqual(m.lookupAddress('Connect', '192.0.2.1'), { status: 'tempfail', reason: `cannot read access map ${path}: no such file` });
    assert.equal(kind(m.lookupDomain('From', 'example.com')), 'tempfail');
    assert.equal(kind(m.lookupFull('From', 'a@example.com')), 'tempfail');
    assert.equal(kind(m.lookupUser('To', 'bob')), 'tempfail');
    assert.equal(kind(m.lookupKey('ClientRate', '')), 'tempfail');
    await m.check();
    assert.equal(events.filter((e) => e.kind === 'tempfail').length, 1, 'one event per failure period');
    assert.equal(m.table.lookupAddress('Connect', '192.0.2.1').status, 'found', 'the last good table is kept');
    await m.settled();
    await writeFile(path, 'Connect:192.0.2 OK\n');
    assert.equal((await m.check()).outcome, 'loaded');
    assert.equal(m.state, 'ready');
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'ok');
  });
});

test('temporary failure: something that is not a regular file in place of the source', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'access');
    await writeFile(path, 'Connect:192.0.2 REJECT\n');
    const m = await openOk(path, true);
    await rm(path);
    await mkdir(path);
    const r = await m.reload();
    assert.deepEqual(r, { outcome: 'tempfail', reason: `cannot read access map ${path}: not a regular file` });
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'tempfail');
    const start = await AccessMapSource.open({ spec: { path, optional: true, flags: [] } });
    assert.ok(!start.ok, 'at start-up the same is an error');
  });
});

test('an optional source that disappears leaves an empty map; one that appears is loaded', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'access');
    const m = await openOk(path, true);
    await writeFile(path, 'Connect:192.0.2 REJECT\n');
    assert.equal((await m.check()).outcome, 'loaded');
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'reject');
    await rm(path);
    assert.deepEqual(await m.check(), { outcome: 'loaded', entries: 0, diagnostics: [], missing: true });
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'not-found');
    assert.deepEqual(await m.check(), { outcome: 'unchanged' });
  });
});

test('a .db file left alone at a reload keeps the old map and says why', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'access');
    await writeFile(path, 'Connect:192.0.2 REJECT\n');
    const m = await openOk(path, true);
    await writeFile(`${path}.db`, 'binary');
    await rm(path);
    const r = await m.check();
    assert.ok(r.outcome === 'rejected');
    assert.deepEqual(r.diagnostics.map((d) => d.message), [`access database ${path}.db: only the text source can be read; keep ${path}`]);
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'reject');
  });
});

test('reloads are serialised: concurrent requests run one after the other', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'access');
    await writeFile(path, 'Connect:192.0.2 REJECT\n');
    const m = await openOk(path, false);
    await writeFile(path, 'Connect:192.0.2 OK\n');
    const first = m.reload();
    const second = m.reload();
    const check = m.check();
    const outcomes = await Promise.all([first, second, check]);
    // The check runs after both reloads and finds the file as they left it.
    assert.deepEqual(outcomes.map((o) => o.outcome), ['loaded', 'loaded', 'unchanged']);
    assert.equal(kind(m.lookupAddress('Connect', '192.0.2.1')), 'ok');
  });
});

test('accessSourceOptions: the configured map, OperatorChars and FEATURE(lookupdotdomain)', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'access');
    const mc = join(dir, 'sendmail.mc');
    await writeFile(
      mc,
      [
        'divert(-1)',
        'divert(0)dnl',
        "define(`confOPERATORS', `.:@')dnl",
        `FEATURE(\`access_db', \`hash -T<TMPF> -o ${path}.db')dnl`,
        "FEATURE(`lookupdotdomain')dnl",
        '',
      ].join('\n'),
    );
    const loaded = await loadConfig({ path: mc });
    assert.ok(loaded.config, loaded.diagnostics.map(formatDiagnostic).join('\n'));
    const opts = accessSourceOptions(loaded.config);
    assert.ok(opts !== undefined);
    assert.equal(opts.spec.path, path);
    assert.equal(opts.spec.optional, true);
    assert.equal(opts.operatorChars, '.:@');
    assert.equal(opts.dotDomain, true);
    await writeFile(path, 'Connect:.example.com ERROR:550 Go away, now (really)\n');
    const r = await AccessMapSource.open(opts);
    assert.ok(r.ok);
    const hit = r.source.lookupDomain('Connect', 'a.example.com');
    assert.ok(hit.status === 'found' && hit.value.kind === 'error');
    assert.equal(hit.value.text, 'Go away,now(really)');
  });
});
