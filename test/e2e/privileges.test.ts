// Least privilege: started as root, the daemon binds, and the SMTP server runs in a worker started as
// RunAsUser (the spool then belongs to that user) while the master keeps root (privilege-split.test.ts
// tests the split itself); a RunAsUser that does not exist stops start-up; RunAsUser = root is kept with
// a warning. Started as another user, it simply keeps that user.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { E2E_HOST, removeDir, spawnDaemon, startDaemon, tempDaemonDir, writeDaemonConfig } from '../helpers/daemon.js';
import { transaction } from './smtp.js';

const asRoot = process.geteuid?.() === 0;

/** Real, effective, saved and file-system ids, and the supplementary groups, from /proc/<pid>/status. */
async function ids(pid: number): Promise<{ uid: number[]; gid: number[]; groups: number[] }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number[] =>
    (new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1] ?? '').split(/\s+/).filter((x) => x !== '').map(Number);
  return { uid: field('Uid'), gid: field('Gid'), groups: field('Groups') };
}

test('RunAsUser = nobody: the server runs as nobody after binding and the spool is owned by nobody', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  // The unprivileged daemon must be able to reach its spool inside the temporary directory.
  await chmod(dir, 0o755);
  const d = await startDaemon({ cwd: dir, config: await writeDaemonConfig(dir, ['RunAsUser = nobody']) });
  t.after(() => d.stop());
  const me = process.geteuid?.() ?? -1;
  const expected = asRoot ? 65534 : me;
  // As root the server is the worker the master names; otherwise the daemon's own process.
  const privilege = d.logs.find((l) => l.event === 'privilege' && l.user === 'nobody' && l.uid === 65534);
  const server = asRoot ? Number(privilege?.worker) : d.pid;
  const { uid, gid, groups } = await ids(server);
  assert.deepEqual(uid, [expected, expected, expected, expected]);
  if (asRoot) {
    assert.deepEqual(gid, [65534, 65534, 65534, 65534]);
    // Spawned with uid and gid: no supplementary group at all, root's least of all.
    assert.deepEqual(groups, []);
    assert.deepEqual((await ids(d.pid)).uid, [0, 0, 0, 0]);
  }
  const spool = await stat(join(dir, 'spool'));
  assert.equal(spool.uid, expected);
  assert.equal(spool.mode & 0o777, 0o700);
  // And it can still queue mail there.
  const c = await d.session();
  await c.cmd('EHLO client.example');
  const sent = await transaction(c, 'alice@example.org', [`root@${E2E_HOST}`], 'Subject: unprivileged\r\n\r\nhi\r\n');
  assert.ok(sent.qid, sent.reply);
  await c.cmd('QUIT');
  // A reload reads the configuration again with the reduced rights.
  d.signal('SIGHUP');
  await d.waitUntil(() => d.logs.find((l) => l.event === 'reloaded' || l.event === 'reload-failed'), 10_000, 'reload outcome');
  assert.equal(d.events('reloaded').length, 1, JSON.stringify(d.events('reload-failed')));
  assert.deepEqual(await d.stop(), { code: 0, signal: null });
});

test('a RunAsUser that does not exist stops start-up with exit 78 (as root); RunAsUser = root warns', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const missing = spawnDaemon({ cwd: dir, config: await writeDaemonConfig(dir, ['RunAsUser = postern-e2e-nobody']) });
  if (asRoot) {
    assert.deepEqual(await missing.waitExit(), { code: 78, signal: null });
    assert.match(missing.stderr, /^postern: RunAsUser postern-e2e-nobody: no such user \(create it, or set RunAsUser explicitly\)$/m);
    assert.equal(missing.events('ready').length, 0);

    const root = await startDaemon({ cwd: dir, config: await writeDaemonConfig(dir) });
    t.after(() => root.stop());
    assert.deepEqual((await ids(root.pid)).uid, [0, 0, 0, 0]);
    assert.ok(root.logs.some((l) => l.event === 'privilege' && l.level === 40 && /RunAsUser is root/.test(String(l.msg))));
    assert.deepEqual(await root.stop(), { code: 0, signal: null });
  } else {
    // Not root: there is nothing to drop, the daemon runs as its caller whatever RunAsUser says.
    await missing.waitForLog((l) => l.event === 'ready');
    assert.deepEqual((await ids(missing.pid)).uid[0], process.geteuid?.());
    assert.deepEqual(await missing.stop(), { code: 0, signal: null });
  }
});
