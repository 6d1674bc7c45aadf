import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/fill-child.js', import.meta.url));

interface Outcome {
  id: string;
  error?: { kind: string; code?: string; message: string };
}
interface Report {
  okIds: string[];
  failedGroup: Outcome[];
  listedAfterFailure: string[];
  segmentsAfterFailure: { name: string; size: number; validEnd: number }[];
  again: Outcome;
  listedAtEnd: string[];
  segmentsAtEnd: { name: string; size: number; validEnd: number }[];
  events: { kind: string; message: string }[];
  reopenEvents: { kind: string; level: string; message: string }[];
}

async function run(argv: string[]): Promise<Report> {
  const { stdout } = await promisify(execFile)(argv[0] as string, argv.slice(1), { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Report;
}

function checkReport(r: Report, kind: string, code: string): void {
  assert.ok(r.okIds.length > 0, 'some messages fit before the failure');
  // The whole batch fails together, with the error kind the SMTP layer maps to 451.
  assert.equal(r.failedGroup.length, 4);
  for (const f of r.failedGroup) {
    assert.equal(f.error?.kind, kind, JSON.stringify(f));
    assert.equal(f.error?.code, code);
  }
  assert.ok(r.events.some((e) => e.kind === 'write-failed'));
  // Nothing half-written: exactly the acknowledged messages, and every segment ends on a record.
  assert.deepEqual(r.listedAfterFailure, r.okIds);
  for (const s of r.segmentsAfterFailure) assert.equal(s.validEnd, s.size, `${s.name} keeps a partial batch`);
  // The spool is still usable once there is room.
  assert.equal(r.again.error, undefined, JSON.stringify(r.again));
  assert.deepEqual(r.listedAtEnd, [...r.okIds, r.again.id]);
  for (const s of r.segmentsAtEnd) assert.equal(s.validEnd, s.size);
  assert.deepEqual(r.reopenEvents.filter((e) => e.level === 'alert' || e.kind === 'torn-tail'), []);
}

test('a full file system (ENOSPC on a small tmpfs) fails the batch as disk-full and the spool recovers', async (t) => {
  const base = join(await tempDir(t), 'mnt');
  await mkdir(base, { mode: 0o700 });
  // A private mount namespace: the tmpfs disappears with the child, even if the test dies.
  const ns = process.geteuid?.() === 0 ? ['-m'] : ['-r', '-m'];
  checkReport(await run(['unshare', ...ns, '--', process.execPath, child, 'enospc', base]), 'disk-full', 'ENOSPC');
});

test('a write refused by the file size limit (EFBIG) fails the batch as io and the spool recovers', async (t) => {
  const base = await tempDir(t);
  checkReport(await run(['prlimit', '--fsize=65536', '--', process.execPath, child, 'efbig', base]), 'io', 'EFBIG');
});
