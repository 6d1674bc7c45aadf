// Deletion and compaction of segments: finished segments go, live messages in otherwise dead
// segments are copied with their state, a finished message never comes back, the newest segment of a
// writer is never touched, and a compaction killed with SIGKILL at any moment loses nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compact, planCompaction } from '../../src/queue/compaction.js';
import { SpoolIndex } from '../../src/queue/spool-index.js';
import { SpoolReader } from '../../src/queue/reader.js';
import { Spool } from '../../src/queue/spool.js';
import type { MessageState } from '../../src/queue/state.js';
import { collect, messageData, sampleEnvelope, segmentReport, tempDir } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/compact-child.js', import.meta.url));

const SIZE = 1500;

async function fill(dir: string, n: number): Promise<string[]> {
  const w = await Spool.open({ dir, writerId: 'w0', segmentBytes: 4096 });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = w.newId();
    await w.commit(sampleEnvelope(id, SIZE, { recipients: [{ address: 'a@example.net', primary: true }, { address: 'b@example.net', primary: true }] }), messageData(id, SIZE));
    ids.push(id);
  }
  await w.close();
  return ids;
}

/** Finishes every message for which `finish(i)` holds; the others get one delivered recipient. */
async function progress(dir: string, ids: string[], finish: (i: number) => boolean): Promise<void> {
  const r = await Spool.open({ dir, writerId: 'runner', segmentBytes: 4096 });
  let at = Date.now();
  for (const [i, id] of ids.entries()) {
    await r.appendState({
      version: 1,
      id,
      at: at++,
      attempts: 1,
      recipients: [{ index: 0, status: 'delivered' }, { index: 1, status: finish(i) ? 'delivered' : 'deferred', text: 'later' }],
      deliveries: [{ key: `mailbox:a${i}`, recipient: 0, status: 'delivered', mailer: 'local' }],
    });
    if (finish(i)) await r.appendState({ version: 1, id, at: at++, done: true });
  }
  await r.close();
}

function view(s: MessageState): unknown {
  return { attempts: s.attempts, recipients: s.recipients.map((r) => [r.status, r.text]), deliveries: [...s.deliveries.keys()], done: s.done };
}

async function states(dir: string): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const m of await collect(new SpoolReader(dir).list())) out.set(m.envelope.id, view(m.state));
  return out;
}

test('finished segments are deleted, live messages copied with their state, newest segments kept', async (t) => {
  const dir = await tempDir(t);
  const ids = await fill(dir, 30);
  await progress(dir, ids, (i) => i % 5 !== 0);
  const before = await states(dir);
  assert.equal(before.size, 6);
  const segsBefore = (await readdir(dir)).filter((n) => n.endsWith('.seg'));

  const spool = await Spool.open({ dir, writerId: 'runner', segmentBytes: 4096 });
  const result = await compact(spool, new SpoolIndex(dir));
  await spool.close();
  assert.ok(result.deleted.length > 0);
  const segsAfter = (await readdir(dir)).filter((n) => n.endsWith('.seg'));
  assert.ok(segsAfter.length < segsBefore.length, `${segsBefore.length} → ${segsAfter.length}`);
  const newestW0 = segsBefore.filter((n) => n.startsWith('w0.')).sort().at(-1)!;
  assert.ok(segsAfter.includes(newestW0), 'the newest segment of w0 stays');
  // Same live messages with the same state and data, nothing finished came back.
  assert.deepEqual(await states(dir), before);
  const reader = new SpoolReader(dir);
  for (const id of before.keys()) assert.deepEqual(await reader.readData(id), messageData(id, SIZE));
  for (const s of await segmentReport(dir)) assert.equal(s.validEnd, s.size);
  assert.deepEqual(await collect(reader.lost()), []);

  // A second pass deletes what the first one left only because of the now-copied records, and the
  // state keeps converging.
  const again = await Spool.open({ dir, writerId: 'runner', segmentBytes: 4096 });
  await compact(again, new SpoolIndex(dir));
  await again.close();
  assert.deepEqual(await states(dir), before);
});

test('a segment holding the finish of a message whose record stays is not deleted', async (t) => {
  const dir = await tempDir(t);
  // One w0 segment (it is the newest, so it stays); the runner's state goes to small segments.
  const w = await Spool.open({ dir, writerId: 'w0' });
  const id = w.newId();
  await w.commit(sampleEnvelope(id, SIZE), messageData(id, SIZE));
  await w.close();
  const r = await Spool.open({ dir, writerId: 'runner', segmentBytes: 4096 });
  await r.appendState({ version: 1, id, at: Date.now(), done: true });
  await r.close();
  const r2 = await Spool.open({ dir, writerId: 'runner', segmentBytes: 4096 });
  await r2.appendState({ version: 1, id: '0000000000000B', at: Date.now(), done: true });
  const index = new SpoolIndex(dir);
  await index.refresh();
  assert.deepEqual(planCompaction(index), []);
  await compact(r2, index);
  await r2.close();
  assert.deepEqual(await states(dir), new Map());
  assert.equal((await readdir(dir)).filter((n) => n.startsWith('runner.')).length, 2);
});

test('untrusted segments and .lost files are never removed', async (t) => {
  const dir = await tempDir(t);
  const ids = await fill(dir, 8);
  await progress(dir, ids, () => true);
  await writeFile(join(dir, 'w9.0000000001.seg'), 'not a segment', { mode: 0o600 });
  await writeFile(join(dir, 'w0.0000000001.seg.lost'), 'set aside', { mode: 0o600 });
  const spool = await Spool.open({ dir, writerId: 'runner' });
  await compact(spool, new SpoolIndex(dir));
  await spool.close();
  const names = await readdir(dir);
  assert.ok(names.includes('w9.0000000001.seg'));
  assert.ok(names.includes('w0.0000000001.seg.lost'));
});

function runAndKill(dir: string, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    p.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (out.startsWith('open\n') && timer === undefined) timer = setTimeout(() => p.kill('SIGKILL'), ms);
    });
    p.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 || signal === 'SIGKILL') resolve(out);
      else reject(new Error(`compact child: ${code}: ${err}`));
    });
  });
}

test('compaction killed with SIGKILL at random moments: live messages keep data and state, finished ones stay finished', async (t) => {
  const dir = await tempDir(t);
  const ids = await fill(dir, 60);
  await progress(dir, ids, (i) => i % 3 !== 0);
  const before = await states(dir);
  let completed = 0;
  for (let round = 0; round < 8; round++) {
    const out = await runAndKill(dir, Math.floor(Math.random() * 40));
    if (out.includes('done')) completed++;
    assert.deepEqual(await states(dir), before, `round ${round}`);
    const reader = new SpoolReader(dir);
    for (const id of before.keys()) assert.deepEqual(await reader.readData(id), messageData(id, SIZE), `round ${round}: ${id}`);
    assert.deepEqual(await collect(reader.lost()), [], `round ${round}`);
  }
  // And a compaction that runs to its end leaves the same queue.
  await runAndKill(dir, 60_000);
  assert.deepEqual(await states(dir), before);
  t.diagnostic(`${completed} of 8 killed runs had completed`);
});
