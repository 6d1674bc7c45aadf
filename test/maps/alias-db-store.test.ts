// The server's aliases (aliases-forward.md §3): the compiled database when present and complete,
// AliasWait, the out-of-date warning, the text file when there is no database, reloads.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AliasStoreDirectory } from '../../src/maps/alias-db-directory.js';
import { AliasStore, type AliasStoreEvent } from '../../src/maps/alias-db-store.js';
import { writeAliasDb } from '../../src/maps/alias-db-write.js';
import { parsePasswd } from '../../src/maps/users.js';
import { formatDiagnostic } from '../../src/util/diagnostics.js';

const isLocalDomain = (d: string): boolean => d === 'example.com';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-aliasstore-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const past = new Date(Date.now() - 3600_000);

async function setup(dir: string, text: string, dbEntries?: Array<{ name: string; value: string; line: number }>): Promise<string> {
  const file = join(dir, 'aliases');
  await writeFile(file, text);
  await utimes(file, past, past);
  if (dbEntries !== undefined) await writeAliasDb(`${file}.db`, file, dbEntries, {});
  return file;
}

const values = (store: AliasStore, name: string): string[] | undefined => store.lookup(name)?.elements.map((e) => e.raw);

test('the database is used when present; its values are parsed with the server’s class w', () =>
  withDir(async (dir) => {
    const file = await setup(dir, 'team: text-only\n', [
      { name: 'team', value: 'bob, carol@example.com, x@remote.example', line: 3 },
      { name: 'gone', value: 'error:5.1.1:550 Gone', line: 4 },
    ]);
    const { store, diagnostics } = await AliasStore.open({ files: [file], isLocalDomain, aliasWaitMs: 0 });
    assert.deepEqual(diagnostics, []);
    const team = store.lookup('team')!;
    assert.deepEqual(team.elements.map((e) => e.kind), ['local', 'local', 'remote']);
    assert.deepEqual([team.file, team.line, team.value], [file, 3, 'bob, carol@example.com, x@remote.example']);
    assert.equal(store.lookup('gone')?.elements[0]?.kind, 'error');
    assert.equal(store.lookup('nobody'), undefined);
    assert.equal(store.unavailable(), undefined);
    assert.deepEqual([...store.asMap().keys()], ['team', 'gone']);
    assert.equal(store.asMap().size, 2);
  }));

test('a text file newer than its database: Warning: alias database <db> out of date (the database is kept)', () =>
  withDir(async (dir) => {
    const file = await setup(dir, 'team: new\n', [{ name: 'team', value: 'old', line: 1 }]);
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    const { store, diagnostics } = await AliasStore.open({ files: [file], isLocalDomain, aliasWaitMs: 0 });
    assert.deepEqual(diagnostics.map(formatDiagnostic), [`warning: Warning: alias database ${file}.db out of date`]);
    assert.deepEqual(values(store, 'team'), ['old']);
  }));

test('no database at all: the text file is parsed, and the log says so', () =>
  withDir(async (dir) => {
    const file = await setup(dir, 'team: bob, carol\nbroken line\n');
    const { store, diagnostics } = await AliasStore.open({ files: [file], isLocalDomain, aliasWaitMs: 0 });
    assert.deepEqual(diagnostics.map(formatDiagnostic), [
      `${file}:2: warning: missing colon`,
      `notice: alias database ${file}.db does not exist; using the text of ${file} (run newaliases)`,
    ]);
    assert.deepEqual(values(store, 'team'), ['bob', 'carol']);
  }));

test('a database without its marker: the server waits up to AliasWait, then defers local recipients', () =>
  withDir(async (dir) => {
    const file = await setup(dir, 'team: bob\n');
    await writeFile(`${file}.db`, '#postern-aliases v1\t{"source":"x"}\n"team"\t{"v":"bob","l":1}\n');
    const started = Date.now();
    const { store, diagnostics } = await AliasStore.open({ files: [file], isLocalDomain, aliasWaitMs: 300, pollMs: 50 });
    assert.ok(Date.now() - started >= 250);
    assert.deepEqual(diagnostics.map(formatDiagnostic), [`warning: alias database ${file}.db unavailable`]);
    assert.equal(store.unavailable(), `${file}.db`);
    assert.equal(store.lookup('team'), undefined);
    const users = parsePasswd('bob:x:41001:41001::/home/bob:/bin/sh\n', 'passwd');
    const directory = new AliasStoreDirectory(['example.com'], store, users);
    assert.deepEqual(directory.lookup('bob'), { kind: 'tempfail' });
    // newaliases finishes: the next refresh takes the complete database.
    await writeAliasDb(`${file}.db`, file, [{ name: 'team', value: 'bob', line: 1 }], {});
    await store.refresh();
    assert.equal(store.unavailable(), undefined);
    assert.deepEqual(values(store, 'team'), ['bob']);
    assert.deepEqual(directory.lookup('bob'), { kind: 'user', user: { name: 'bob' } });
    assert.deepEqual(directory.lookup('team'), { kind: 'alias', name: 'team' });
  }));

test('a database completed while the server waits is used', () =>
  withDir(async (dir) => {
    const file = await setup(dir, 'team: bob\n');
    await writeFile(`${file}.db`, 'partial');
    const later = setTimeout(() => void writeAliasDb(`${file}.db`, file, [{ name: 'team', value: 'carol', line: 1 }], {}), 100);
    try {
      const { store, diagnostics } = await AliasStore.open({ files: [file], isLocalDomain, aliasWaitMs: 10_000, pollMs: 50 });
      assert.deepEqual(diagnostics, []);
      assert.deepEqual(values(store, 'team'), ['carol']);
    } finally {
      clearTimeout(later);
    }
  }));

test('a changed database is loaded again; an incomplete new version leaves the old one in use', () =>
  withDir(async (dir) => {
    const file = await setup(dir, 'x: y\n', [{ name: 'team', value: 'bob', line: 1 }]);
    const events: AliasStoreEvent[] = [];
    const { store } = await AliasStore.open({ files: [file], isLocalDomain, aliasWaitMs: 0, onEvent: (e) => events.push(e) });
    await writeAliasDb(`${file}.db`, file, [{ name: 'team', value: 'carol', line: 1 }, { name: 'new', value: 'erin', line: 2 }], {});
    await store.refresh();
    assert.deepEqual(values(store, 'team'), ['carol']);
    assert.deepEqual(values(store, 'new'), ['erin']);
    await writeFile(`${file}.db`, '#postern-aliases v1\t{}\n"team"\t{"v":"dave","l":1}\n');
    await store.refresh();
    assert.deepEqual(values(store, 'team'), ['carol']);
    assert.deepEqual(events, [
      { kind: 'loaded', db: `${file}.db`, entries: 2 },
      { kind: 'incomplete', db: `${file}.db`, reason: 'no completeness marker' },
    ]);
  }));

test('several alias files: searched in order, the first that defines a name wins', () =>
  withDir(async (dir) => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await writeFile(a, 'team: bob\n');
    await writeFile(b, 'team: carol\nstaff: erin\n');
    await writeAliasDb(`${b}.db`, b, [{ name: 'team', value: 'carol', line: 1 }, { name: 'staff', value: 'erin', line: 2 }], {});
    const { store } = await AliasStore.open({ files: [a, b], isLocalDomain, aliasWaitMs: 0 });
    assert.deepEqual(values(store, 'team'), ['bob']);
    assert.deepEqual(values(store, 'staff'), ['erin']);
    assert.deepEqual([...store.names()], ['team', 'staff']);
  }));

test('100 000 aliases load and answer (the speed itself is for the benchmark)', () =>
  withDir(async (dir) => {
    const file = await setup(dir, '');
    const entries = Array.from({ length: 100_000 }, (_, i) => ({ name: `user${i}`, value: `u${i}@remote.example, local${i}`, line: i + 1 }));
    await writeAliasDb(`${file}.db`, file, entries, {});
    const { store } = await AliasStore.open({ files: [file], isLocalDomain, aliasWaitMs: 0 });
    assert.deepEqual(values(store, 'user99999'), ['u99999@remote.example', 'local99999']);
    assert.equal(store.asMap().size, 100_000);
  }));

test('a database that cannot be read is unavailable at once, with the reason (waiting would not help)', () =>
  withDir(async (dir) => {
    const file = await setup(dir, 'team: bob\n');
    await mkdir(`${file}.db`);
    const started = Date.now();
    const { store, diagnostics } = await AliasStore.open({ files: [file], isLocalDomain, aliasWaitMs: 60_000, pollMs: 50 });
    assert.ok(Date.now() - started < 30_000);
    assert.deepEqual(diagnostics.map(formatDiagnostic), [
      `warning: cannot read alias database ${file}.db: EISDIR`,
      `warning: alias database ${file}.db unavailable`,
    ]);
    assert.equal(store.unavailable(), `${file}.db`);
  }));
