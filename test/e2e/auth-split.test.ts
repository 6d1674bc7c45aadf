// AUTH under the privilege split: the password file lives with the TLS key in a directory only root may
// enter, mode 0600; the worker (RunAsUser) cannot read it, so the master reads it for the worker, as it
// does the key (docs/auth.md, docs/privilege.md). Not started as root there is no split: the same file
// is read by the one process.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { E2E_HOST, MAIN, removeDir, run, spawnDaemon, startDaemon, tempDaemonDir, writeDaemonConfig } from '../helpers/daemon.js';
import { makeSelfSignedCert } from '../helpers/tls-cert.js';

const asRoot = process.geteuid?.() === 0;
let users = 0;

/**
 * A daemon directory with alice's password in <dir>/secret/passwords (a root-only directory), and,
 * as root, a fresh RunAsUser in `extra`. `cleanup` runs last-in first-out after the test: the daemon
 * must stop before its account goes.
 */
async function passwordSite(t: { after(f: () => Promise<void>): void }): Promise<{ dir: string; secret: string; passwords: string; extra: string[]; cleanup: Array<() => Promise<unknown> | void> }> {
  const dir = await tempDaemonDir();
  const cleanup: Array<() => Promise<unknown> | void> = [() => removeDir(dir)];
  t.after(async () => {
    for (const f of cleanup.reverse()) await f();
  });
  await chmod(dir, 0o755);
  const secret = join(dir, 'secret');
  await mkdir(secret, { mode: 0o700 });
  const passwords = join(secret, 'passwords');
  const add = await run(process.execPath, [MAIN, 'passwd', '-f', passwords, '--stdin', 'alice'], { input: 'wonderland\n' });
  assert.equal(add.code, 0, add.stderr);
  const extra: string[] = [];
  if (asRoot) {
    const name = `postern-t-au${process.pid % 10000}${users++}`;
    execFileSync('useradd', ['-M', '-d', dir, '-s', '/bin/sh', '-U', name]);
    cleanup.push(() => {
      execFileSync('userdel', ['-f', name], { stdio: 'ignore' });
    });
    extra.push(`RunAsUser = ${name}`);
  }
  return { dir, secret, passwords, extra, cleanup };
}

test('a password file only root can read: the master serves it, AUTH PLAIN works in the worker', async (t) => {
  const { dir, secret, passwords, extra, cleanup } = await passwordSite(t);
  const { cert, key } = makeSelfSignedCert(secret, E2E_HOST);
  await chmod(key, 0o600);
  extra.push(`ServerCertFile = ${cert}`, `ServerKeyFile = ${key}`, `AuthPasswordFile = ${passwords}`);
  const d = await startDaemon({ cwd: dir, config: await writeDaemonConfig(dir, extra) });
  cleanup.push(() => d.stop());
  if (asRoot) assert.equal(d.events('privilege').length > 0, true, 'the daemon is split');
  const r = await run('swaks', [
    '--server', '127.0.0.1', '--port', String(d.port), '--ehlo', 'client.example', '--tls',
    '--auth', 'PLAIN', '--auth-user', 'alice', '--auth-password', 'wonderland',
    '--from', 'alice@example.org', '--to', `root@${E2E_HOST}`, '--timeout', '20',
  ]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /<~ {2}235 2\.0\.0 OK Authenticated/);
  assert.equal(d.logs.filter((l) => l.event === 'worker-request-refused').length, 0);
});

test('a group-writable password file stops the start, even where only root can look at it', async (t) => {
  const { dir, passwords, extra, cleanup } = await passwordSite(t);
  await chmod(passwords, 0o660);
  extra.push(`AuthPasswordFile = ${passwords}`);
  const d = spawnDaemon({ cwd: dir, config: await writeDaemonConfig(dir, extra) });
  cleanup.push(async () => {
    if (!d.hasExited) await d.stop();
  });
  const exit = await d.waitExit(20_000);
  assert.equal(exit.code, 78);
  assert.match(d.stderr, new RegExp(`${passwords.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: unsafe map file: mode 0660 is writable by its group`));
});
