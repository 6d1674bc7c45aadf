// A full queue file system: the daemon runs inside its own mount namespace with the spool on a small
// tmpfs (the mount dies with it), so a message that does not fit fails its write. The client gets a
// 4xx, the daemon stays up, the next message that fits is accepted, and the spool lists exactly the
// acknowledged messages. A write refused for another reason (the file size limit: EFBIG) gets 451.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SpoolReader } from '../../src/queue/index.js';
import { E2E_HOST, removeDir, startDaemon, tempDaemonDir, writeDaemonConfig, type Daemon } from '../helpers/daemon.js';
import { segmentReport } from '../queue/helpers.js';
import { splitReceived, transaction } from './smtp.js';

const RCPT = `root@${E2E_HOST}`;

function body(size: number): string {
  const line = `${'d'.repeat(98)}\r\n`;
  return `Subject: ${size}\r\n\r\n${line.repeat(Math.ceil(size / line.length))}`;
}

/** The spool as the daemon sees it: through /proc/<pid>/root, inside the daemon's mount namespace. */
async function spoolState(d: Daemon, spool: string): Promise<{ listed: string[]; lost: unknown[]; torn: string[] }> {
  const dir = `/proc/${d.pid}/root${spool}`;
  const reader = new SpoolReader(dir);
  const listed: string[] = [];
  for await (const m of reader.list()) {
    listed.push(m.envelope.id);
    // Every listed message reads back whole (checksum checked) under its Received field.
    splitReceived((await reader.readData(m.envelope.id)).toString('latin1'));
  }
  const lost: unknown[] = [];
  for await (const l of reader.lost()) lost.push(l);
  const torn = (await segmentReport(dir)).filter((s) => s.validEnd !== s.size).map((s) => s.name);
  return { listed, lost, torn };
}

async function scenario(d: Daemon, spool: string, tooBig: number, expected: string): Promise<void> {
  const c = await d.session();
  await c.cmd('EHLO client.example');
  const first = await transaction(c, 'alice@example.org', [RCPT], body(1000));
  assert.ok(first.qid, first.reply);
  const failed = await transaction(c, 'alice@example.org', [RCPT], body(tooBig));
  assert.deepEqual(failed, { reply: expected });
  assert.equal(d.hasExited, false);
  // Same session, and the daemon still takes mail once it fits.
  const next = await transaction(c, 'alice@example.org', [RCPT], body(1000));
  assert.ok(next.qid, next.reply);
  await c.cmd('QUIT');
  assert.ok(d.logs.some((l) => l.msg === 'queue write failed; message not accepted'));
  assert.deepEqual(await spoolState(d, spool), { listed: [first.qid, next.qid], lost: [], torn: [] });
}

test('disk full: 452 4.3.1 for the message that does not fit, the daemon stays up, the next one is queued', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const mnt = join(dir, 'mnt');
  await mkdir(mnt, { mode: 0o700 });
  const spool = join(mnt, 'spool');
  const conf = await writeDaemonConfig(dir, [`QueueDirectory = ${spool}`, 'MinFreeBlocks = 0']);
  // Root gets a private mount namespace; another user gets one inside its own user namespace.
  const ns = process.geteuid?.() === 0 ? ['-m'] : ['-r', '-m'];
  const mount = 'mount -t tmpfs -o size=256k,mode=0700 tmpfs "$1" && shift && exec "$@"';
  const d = await startDaemon({ cwd: dir, config: conf, prefix: ['unshare', ...ns, '--', 'sh', '-c', mount, 'sh', mnt] });
  t.after(() => d.stop());
  // The spool lives only in the daemon's namespace: from here the mount point is still empty.
  assert.deepEqual(await readdir(mnt), []);

  // A SIZE= the file system cannot hold is refused up front (MinFreeBlocks aside).
  const c = await d.session();
  await c.cmd('EHLO client.example');
  assert.equal(await c.cmd('MAIL FROM:<alice@example.org> SIZE=1000000'), '452 4.4.5 Insufficient disk space; try again later');
  await c.cmd('QUIT');

  await scenario(d, spool, 400 * 1024, '452 4.3.1 Insufficient system storage; message not accepted');
  assert.deepEqual(await d.stop(), { code: 0, signal: null });
});

test('a write refused by the file size limit (EFBIG): 451 4.3.0, the daemon stays up, the next one is queued', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const spool = join(dir, 'spool');
  const conf = await writeDaemonConfig(dir);
  const d = await startDaemon({ cwd: dir, config: conf, prefix: ['prlimit', '--fsize=131072', '--'] });
  t.after(() => d.stop());
  await scenario(d, spool, 200 * 1024, '451 4.3.0 Error writing queue file; message not accepted');
  assert.deepEqual(await d.stop(), { code: 0, signal: null });
});
