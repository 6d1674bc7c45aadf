// The compiled alias database (aliases-forward.md §3 steps 4–5): format, completeness marker, atomic
// installation, owner/group/mode.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALIAS_DB_MARKER, dbPathOf } from '../../src/maps/alias-db-format.js';
import { parseAliasDb, readAliasDb } from '../../src/maps/alias-db-read.js';
import { writeAliasDb } from '../../src/maps/alias-db-write.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-aliasdb-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const ENTRIES = [
  { name: 'postmaster', value: 'root', line: 2 },
  { name: 'team', value: 'bob,\tcarol', line: 4 },
  { name: 'prog', value: '"|/usr/bin/vacation bob"', line: 12 },
  { name: 'we\\ird"name', value: 'x', line: 20 },
];

test('written and read back: every entry, its value and line; mode 0640, owner and group as asked', () =>
  withDir(async (dir) => {
    const db = dbPathOf(join(dir, 'aliases'));
    assert.equal(db, join(dir, 'aliases.db'));
    await writeAliasDb(db, join(dir, 'aliases'), ENTRIES, { uid: 41001, gid: 41002 });
    const st = await stat(db);
    assert.deepEqual([st.mode & 0o7777, st.uid, st.gid], [0o640, 41001, 41002]);
    assert.deepEqual(await readdir(dir), ['aliases.db']);
    const r = await readAliasDb(db);
    assert.ok(r.status === 'ok');
    assert.equal(r.db.source, join(dir, 'aliases'));
    assert.equal(r.db.size, 4);
    for (const e of ENTRIES) assert.deepEqual(r.db.get(e.name), { v: e.value, l: e.line });
    assert.equal(r.db.get('nobody'), undefined);
    assert.deepEqual([...r.db.names()], ENTRIES.map((e) => e.name));
    const text = await readFile(db, 'utf8');
    assert.ok(text.endsWith(`\n${ALIAS_DB_MARKER}\n`));
  }));

test('no completeness marker, a foreign file, an empty database', () => {
  const good = '#postern-aliases v1\t{"source":"/etc/mail/aliases"}\n"a"\t{"v":"b","l":1}\n"@"\t"@"\n';
  assert.equal(parseAliasDb('x', good).status, 'ok');
  assert.deepEqual(parseAliasDb('x', good.slice(0, -1)), { status: 'incomplete', reason: 'no completeness marker' });
  assert.deepEqual(parseAliasDb('x', good.slice(0, good.indexOf('"@"'))), { status: 'incomplete', reason: 'no completeness marker' });
  assert.deepEqual(parseAliasDb('x', 'hash database\0\0'), { status: 'incomplete', reason: 'not a Postern alias database' });
  const empty = parseAliasDb('x', '#postern-aliases v1\t{"source":"s"}\n"@"\t"@"\n');
  assert.ok(empty.status === 'ok' && empty.db.size === 0);
});

test('installation replaces the old database whole; a failure leaves no temporary file', () =>
  withDir(async (dir) => {
    const db = join(dir, 'aliases.db');
    await writeAliasDb(db, 'aliases', ENTRIES, {});
    const before = await readAliasDb(db);
    await writeAliasDb(db, 'aliases', [{ name: 'only', value: 'bob', line: 1 }], {});
    const after = await readAliasDb(db);
    assert.ok(before.status === 'ok' && after.status === 'ok');
    assert.equal(before.db.size, 4);
    assert.deepEqual([...after.db.names()], ['only']);
    assert.notEqual((await stat(db)).ino, undefined);
    const blocked = join(dir, 'blocked.db');
    await mkdir(blocked);
    await writeFile(join(blocked, 'x'), '');
    await assert.rejects(writeAliasDb(blocked, 'aliases', ENTRIES, {}), (e: NodeJS.ErrnoException) => e.code === 'EISDIR' || e.code === 'ENOTEMPTY');
    assert.deepEqual((await readdir(dir)).sort(), ['aliases.db', 'blocked.db']);
  }));

test('a database whose directory does not exist: the system error is thrown', () =>
  withDir(async (dir) => {
    await assert.rejects(writeAliasDb(join(dir, 'missing-dir', 'aliases.db'), 'aliases', ENTRIES, {}), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  }));
