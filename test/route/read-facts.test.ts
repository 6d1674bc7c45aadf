// route/read-facts.ts on real files: the facts a reader reports, and that nothing blocks or escapes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentDirectories, readFileFacts } from '../../src/route/read-facts.js';
import { AsUserFileAccess } from './readers.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-facts-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a regular file: content, stat, and every directory from / down', () =>
  withDir(async (dir) => {
    const path = join(dir, 'list');
    await writeFile(path, 'bob\n');
    await chown(path, 41001, 41002);
    await chmod(path, 0o640);
    const r = await readFileFacts(path, 5000);
    assert.equal(r.status, 'ok');
    if (r.status !== 'ok') return;
    assert.equal(r.content, 'bob\n');
    assert.deepEqual([r.file.uid, r.file.gid, r.file.mode & 0o7777, r.file.nlink, r.file.size], [41001, 41002, 0o640, 1, 4]);
    assert.equal(r.symlink, false);
    assert.deepEqual(r.dirs.map((d) => d.path), parentDirectories(path));
    assert.equal(r.dirs[0]!.path, '/');
    assert.equal(r.dirs[r.dirs.length - 1]!.path, dir);
  }));

test('a symbolic link: the target’s stat and content, the directories of both paths', () =>
  withDir(async (dir) => {
    await mkdir(join(dir, 'real'));
    await mkdir(join(dir, 'links'), { mode: 0o777 });
    await chmod(join(dir, 'links'), 0o777);
    await writeFile(join(dir, 'real', 'f'), 'carol\n');
    await symlink(join(dir, 'real', 'f'), join(dir, 'links', 'f'));
    const r = await readFileFacts(join(dir, 'links', 'f'), 5000);
    assert.ok(r.status === 'ok');
    assert.equal(r.symlink, true);
    assert.equal(r.linkDirWritableByOthers, true);
    assert.equal(r.content, 'carol\n');
    const paths = r.dirs.map((d) => d.path);
    assert.ok(paths.includes(join(dir, 'links')) && paths.includes(join(dir, 'real')));
  }));

test('missing, not a directory, a FIFO (not waited on), a directory, a relative path', () =>
  withDir(async (dir) => {
    assert.deepEqual(await readFileFacts(join(dir, 'none'), 5000), { status: 'missing' });
    await writeFile(join(dir, 'file'), 'x');
    assert.deepEqual(await readFileFacts(join(dir, 'file', 'sub'), 5000), { status: 'missing' });
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const fifo = await readFileFacts(join(dir, 'fifo'), 5000);
    assert.ok(fifo.status === 'ok' && (fifo.file.mode & 0o170000) === 0o010000 && fifo.content === '');
    const d = await readFileFacts(dir, 5000);
    assert.ok(d.status === 'ok' && (d.file.mode & 0o170000) === 0o040000);
    assert.deepEqual(await readFileFacts('relative/path', 5000), { status: 'denied', reason: 'path is not absolute' });
  }));

test('read as the user: the kernel’s permission error', () =>
  withDir(async (dir) => {
    await chmod(dir, 0o755);
    const path = join(dir, 'secret');
    await writeFile(path, 'x');
    await chmod(path, 0o600);
    const reader = new AsUserFileAccess();
    const as = { name: 'nobody', uid: 65534, gid: 65534, home: '/', shell: '' };
    assert.deepEqual(await reader.read(path, as, 5000), { status: 'denied', reason: 'Permission denied' });
    await chmod(path, 0o644);
    assert.equal((await reader.read(path, as, 5000)).status, 'ok');
  }));
