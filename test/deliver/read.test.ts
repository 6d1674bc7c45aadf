// The `read` job (UserFileAccess): a .forward or :include: file read by an agent acting as the user,
// with the facts routing judges it by (aliases-forward.md §5.3).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnAgentService } from '../../src/deliver/agent-service.js';
import type { Identity } from '../../src/deliver/shared-types.js';
import { agentFileAccess } from '../../src/deliver/user-file-access.js';
import { TestAccounts, tempRoot } from './helpers.js';

const accounts = new TestAccounts();
const root = tempRoot();
const T = root.dir;
const service = spawnAgentService();
const access = agentFileAccess(service);
let dave: Identity;
let erin: Identity;

before(() => {
  const home = join(T, 'home-dave');
  mkdirSync(home);
  dave = accounts.user(home);
  erin = accounts.user(join(T, 'home-erin'));
  chownSync(home, dave.uid, dave.gid);
  chmodSync(home, 0o755);
});

after(async () => {
  await service.close();
  await accounts.cleanup();
  root.cleanup();
});

test('a readable file: its content, its stat, and every directory from / down with owner and mode', async () => {
  const fwd = join(dave.home, '.forward');
  writeFileSync(fwd, '\\dave, dave@elsewhere.example\n');
  chownSync(fwd, dave.uid, dave.gid);
  chmodSync(fwd, 0o644);
  const r = await access.read(fwd, dave, 5000);
  assert.equal(r.status, 'ok', JSON.stringify(r));
  if (r.status !== 'ok') return;
  assert.equal(r.content, '\\dave, dave@elsewhere.example\n');
  const st = statSync(fwd);
  assert.deepEqual(r.file, { dev: st.dev, ino: st.ino, mode: st.mode, uid: dave.uid, gid: dave.gid, nlink: 1, size: st.size });
  assert.equal(r.symlink, false);
  assert.equal(r.linkDirWritableByOthers, false);
  const chain = ['/', ...dave.home.split('/').filter(Boolean).map((_, i, a) => `/${a.slice(0, i + 1).join('/')}`)];
  assert.deepEqual(
    r.dirs.map((d) => d.path),
    chain,
  );
  for (const d of r.dirs) {
    const s = statSync(d.path);
    assert.deepEqual(d, { path: d.path, uid: s.uid, mode: s.mode });
  }
  assert.equal(r.dirs[r.dirs.length - 1].uid, dave.uid);
});

test('a symbolic link: followed, and whether the link\'s directory is writable by others', async () => {
  const target = join(dave.home, 'real-forward');
  writeFileSync(target, 'x@example.com\n');
  chownSync(target, dave.uid, dave.gid);
  const open = join(T, 'open');
  mkdirSync(open);
  chmodSync(open, 0o1777);
  symlinkSync(target, join(open, 'link'));
  symlinkSync(target, join(dave.home, 'link'));
  const a = await access.read(join(open, 'link'), dave, 5000);
  assert.ok(a.status === 'ok' && a.symlink && a.linkDirWritableByOthers, JSON.stringify(a));
  assert.equal(a.status === 'ok' && a.content, 'x@example.com\n');
  const b = await access.read(join(dave.home, 'link'), dave, 5000);
  assert.ok(b.status === 'ok' && b.symlink && !b.linkDirWritableByOthers, JSON.stringify(b));
});

test('missing files and directories are missing', async () => {
  assert.deepEqual(await access.read(join(dave.home, 'nothing'), dave, 5000), { status: 'missing' });
  assert.deepEqual(await access.read(join(T, 'no-dir', '.forward'), dave, 5000), { status: 'missing' });
});

test('the file is read as the user: another user\'s private file is denied', async () => {
  const secret = join(dave.home, 'secret');
  writeFileSync(secret, 'a@example.com\n');
  chownSync(secret, dave.uid, dave.gid);
  chmodSync(secret, 0o600);
  assert.deepEqual(await access.read(secret, erin, 5000), { status: 'denied', reason: 'Permission denied' });
  assert.equal((await access.read(secret, dave, 5000)).status, 'ok');
});

test('something that is not a regular file is described, never opened', async () => {
  const r = await access.read('/dev/zero', dave, 5000);
  assert.ok(r.status === 'ok' && r.content === '' && (r.file.mode & 0o170000) === 0o020000, JSON.stringify(r));
  const d = await access.read(dave.home, dave, 5000);
  assert.ok(d.status === 'ok' && (d.file.mode & 0o170000) === 0o040000);
});
