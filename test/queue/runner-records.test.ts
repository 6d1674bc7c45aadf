// The state records one attempt writes, read back from the segment files: an attempt with one
// delivery job and no report due writes its outcome in the last record (one record in all); when a
// report is due the outcome is its own record, written before the report and the last record.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordType } from '../../src/queue/record.js';
import { SegmentScanner } from '../../src/queue/segment-scan.js';
import { parseSegmentName } from '../../src/queue/segment-name.js';
import type { StateUpdate } from '../../src/queue/state.js';
import { RunnerWorld } from './runner-world.js';

/** Every state record about message `id`, in segment then file order. */
async function stateRecords(dir: string, id: string): Promise<StateUpdate[]> {
  const out: StateUpdate[] = [];
  for (const name of (await readdir(dir)).filter((n) => parseSegmentName(n) !== null).sort()) {
    const fh = await open(join(dir, name), 'r');
    try {
      const scanner = new SegmentScanner(fh, (await fh.stat()).size);
      for await (const rec of scanner.records()) {
        if (rec.header.type !== RecordType.State) continue;
        const u = JSON.parse(rec.payload.toString('utf8')) as StateUpdate;
        if (u.id === id) out.push(u);
      }
    } finally {
      await fh.close();
    }
  }
  return out;
}

test('one delivery, no report due: the outcome, the recipient status and done in one state record', async (t) => {
  const w = await RunnerWorld.create(t);
  const id = await w.submit([w.address(w.bob)]);
  await w.settle();
  assert.equal((await w.mbox(w.bob)).length, 1);
  const records = await stateRecords(w.spoolDir, id);
  assert.equal(records.length, 1, JSON.stringify(records));
  const [r] = records;
  assert.equal(r?.done, true);
  assert.equal(r?.attempts, 1);
  assert.deepEqual(r?.recipients, [{ index: 0, status: 'delivered' }]);
  assert.equal(r?.deliveries?.length, 1);
  assert.equal(r?.deliveries?.[0]?.status, 'delivered');
  assert.equal(r?.deliveries?.[0]?.reported, true);
  assert.equal(typeof r?.deliveries?.[0]?.at, 'number');
  // The state read back is the one two records would have given; the delivery is logged once.
  const m = await w.message(id);
  assert.equal(m?.state.done, true);
  assert.equal(m?.state.deliveries.get(`mailbox:${w.bob.name}`)?.reported, true);
  assert.deepEqual(w.deliveries(id).map((d) => d.stat), ['Sent']);
});

test('one delivery that fails: its outcome is written before the report, then the last record', async (t) => {
  const w = await RunnerWorld.create(t, { aliases: ['nobody-here: "|refuse"'], programs: { refuse: 'cat > /dev/null\necho "refuse: no"\nexit 67' } });
  const id = await w.submit([w.address('nobody-here')]);
  await w.settle();
  assert.deepEqual(w.reports(id).map((r) => r.kind), ['failure']);
  const records = await stateRecords(w.spoolDir, id);
  assert.equal(records.length, 2, JSON.stringify(records));
  assert.equal(records[0]?.deliveries?.[0]?.status, 'failed');
  assert.equal(records[0]?.done, undefined);
  assert.equal(records[1]?.done, true);
  assert.deepEqual(records[1]?.deliveries?.map((d) => d.reported), [true]);
  assert.equal(w.deliveries(id).length, 1);
});

test('a receipt asked for (NOTIFY=SUCCESS): the outcome is its own record before the report', async (t) => {
  const w = await RunnerWorld.create(t);
  const id = await w.submit([{ address: w.address(w.bob), notify: ['SUCCESS'] }]);
  await w.settle();
  assert.deepEqual(w.reports(id).map((r) => r.kind), ['success']);
  const records = await stateRecords(w.spoolDir, id);
  assert.equal(records.length, 2, JSON.stringify(records));
  assert.equal(records[0]?.deliveries?.[0]?.status, 'delivered');
  assert.equal(records[1]?.done, true);
});
