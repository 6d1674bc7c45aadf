// The per-message lock across processes: a message locked by another process is skipped, a lock left
// by a process killed with SIGKILL is taken over, a lock is never held twice inside one process, and
// mailq's view (isLocked) agrees.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageLocks } from '../../src/queue/message-lock.js';
import { processIds } from '../../src/queue/queue-id.js';
import { tempDir } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/lock-child.js', import.meta.url));

interface Holder {
  proc: ChildProcess;
  lines: string[];
}

/** Starts a child that locks `ids` and resolves once it has reported on each of them. */
function holdInChild(dir: string, ids: string[]): Promise<Holder> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, dir, ...ids], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (out.includes('ready\n')) resolve({ proc, lines: out.trim().split('\n').slice(0, -1) });
    });
    proc.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
    proc.on('exit', (code, signal) => {
      if (!out.includes('ready\n')) reject(new Error(`lock child ended with ${code ?? signal}: ${err}`));
    });
  });
}

function exited(p: ChildProcess): Promise<void> {
  return new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.on('exit', () => r())));
}

test('a message locked by another process is skipped until that process releases it', async (t) => {
  const dir = await tempDir(t);
  const id = processIds.next();
  const h = await holdInChild(dir, [id]);
  t.after(() => h.proc.kill('SIGKILL'));
  assert.deepEqual(h.lines, [`locked ${id}`]);
  const locks = new MessageLocks(dir);
  assert.equal(await locks.tryLock(id), null);
  assert.equal(await locks.isLocked(id), true);
  // The lock file holds the child's pid, mode 0600, in a 0700 directory.
  assert.match(await readFile(join(dir, 'locks', id), 'latin1'), new RegExp(`^${h.proc.pid} \\d+\\n$`));
  assert.equal((await stat(join(dir, 'locks', id))).mode & 0o777, 0o600);
  assert.equal((await stat(join(dir, 'locks'))).mode & 0o777, 0o700);

  h.proc.stdin!.end();
  await exited(h.proc);
  assert.equal(await locks.isLocked(id), false);
  const l = await locks.tryLock(id);
  assert.ok(l !== null);
  await l.release();
  assert.deepEqual(await readdir(join(dir, 'locks')), []);
});

test('a lock left by a process killed with SIGKILL is stale and taken over', async (t) => {
  const dir = await tempDir(t);
  const ids = [processIds.next(), processIds.next()];
  const h = await holdInChild(dir, ids);
  const locks = new MessageLocks(dir);
  assert.equal(await locks.tryLock(ids[0]!), null);
  h.proc.kill('SIGKILL');
  await exited(h.proc);
  assert.equal(await locks.isLocked(ids[0]!), false);
  for (const id of ids) {
    const l = await locks.tryLock(id);
    assert.ok(l !== null, `stale lock of ${id} taken over`);
    assert.match(await readFile(join(dir, 'locks', id), 'latin1'), new RegExp(`^${process.pid}( \\d+)?\\n$`));
    await l.release();
  }
  // Nothing is left behind: no temporary or set-aside files.
  assert.deepEqual(await readdir(join(dir, 'locks')), []);
});

test('a lock whose pid now belongs to another process (a different start time) is stale', async (t) => {
  const dir = await tempDir(t);
  const id = processIds.next();
  await mkdir(join(dir, 'locks'), { mode: 0o700 });
  // pid 1 runs, but it did not write this lock: its start time differs.
  await writeFile(join(dir, 'locks', id), '1 999999999999\n', { mode: 0o600 });
  const locks = new MessageLocks(dir);
  assert.equal(await locks.isLocked(id), false);
  const l = await locks.tryLock(id);
  assert.ok(l !== null);
  await l.release();
  // The same pid with its real start time is a live lock.
  const start = (await readFile('/proc/1/stat', 'latin1')).split(') ')[1]!.split(' ')[19];
  await writeFile(join(dir, 'locks', id), `1 ${start}\n`, { mode: 0o600 });
  assert.equal(await locks.isLocked(id), true);
  assert.equal(await locks.tryLock(id), null);
});

test('inside one process a lock is held once, whichever MessageLocks asks', async (t) => {
  const dir = await tempDir(t);
  const id = processIds.next();
  const a = new MessageLocks(dir);
  const b = new MessageLocks(dir);
  const [x, y] = await Promise.all([a.tryLock(id), b.tryLock(id)]);
  assert.equal([x, y].filter((l) => l !== null).length, 1);
  assert.equal(await b.isLocked(id), true);
  await (x ?? y)!.release();
  assert.equal(await a.isLocked(id), false);
});

test('many processes racing for the same messages: each message is locked by exactly one', async (t) => {
  const dir = await tempDir(t);
  const ids = Array.from({ length: 20 }, () => processIds.next());
  const holders = await Promise.all(Array.from({ length: 4 }, () => holdInChild(dir, ids)));
  t.after(() => holders.forEach((h) => h.proc.kill('SIGKILL')));
  for (const id of ids) {
    const winners = holders.filter((h) => h.lines.includes(`locked ${id}`));
    assert.equal(winners.length, 1, `${id}: ${winners.length} holders`);
  }
});

test('locks held at once are links to one holder file of the process, which goes with the last lock', async (t) => {
  const dir = await tempDir(t);
  const locks = new MessageLocks(dir);
  const ids = [processIds.next(), processIds.next(), processIds.next()];
  const held = await Promise.all(ids.map((id) => locks.tryLock(id)));
  const names = (await readdir(join(dir, 'locks'))).sort();
  const holders = names.filter((n) => n.startsWith(`.holder.${process.pid}.`));
  assert.equal(holders.length, 1);
  assert.deepEqual(names.filter((n) => !n.startsWith('.')), [...ids].sort());
  const ino = (await stat(join(dir, 'locks', holders[0]!))).ino;
  for (const id of ids) assert.equal((await stat(join(dir, 'locks', id))).ino, ino);
  assert.match(await readFile(join(dir, 'locks', holders[0]!), 'latin1'), new RegExp(`^${process.pid} \\d+\\n$`));
  await held[0]!.release();
  await held[1]!.release();
  assert.deepEqual((await readdir(join(dir, 'locks'))).sort(), [holders[0], ids[2]].sort());
  await held[2]!.release();
  assert.deepEqual(await readdir(join(dir, 'locks')), []);
  // The next lock writes a new holder file.
  const again = await locks.tryLock(ids[0]!);
  assert.ok(again !== null);
  await again.release();
  assert.deepEqual(await readdir(join(dir, 'locks')), []);
});
