import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, chmod, chown, open, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Envelope } from '../../src/queue/envelope.js';
import { QueueIdGenerator, queueIdTime } from '../../src/queue/queue-id.js';
import { SpoolReader } from '../../src/queue/reader.js';
import { jsonRecord, messageRecord, RecordType } from '../../src/queue/record.js';
import { SegmentScanner } from '../../src/queue/segment-scan.js';
import { sortedSegments } from '../../src/queue/segment-name.js';
import { Spool, type SpoolEvent } from '../../src/queue/spool.js';
import { collect, listAll, messageData, modeOf, sampleEnvelope, segmentReport, tempDir } from './helpers.js';

/** A queue with `n` messages of `size` octets in one segment of writer w0; returns ids and the segment. */
async function queueWith(dir: string, n: number, size = 2000): Promise<{ ids: string[]; segment: string }> {
  const spool = await Spool.open({ dir });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = spool.newId();
    ids.push(id);
    await spool.commit(sampleEnvelope(id, size), messageData(id, size));
  }
  await spool.close();
  const segs = sortedSegments(await readdir(dir));
  assert.equal(segs.length, 1);
  return { ids, segment: segs[0] as string };
}

async function recordOffsets(path: string): Promise<number[]> {
  const fh = await open(path, 'r');
  try {
    const s = new SegmentScanner(fh, (await fh.stat()).size);
    const out: number[] = [];
    for await (const r of s.records()) out.push(r.offset);
    return out;
  } finally {
    await fh.close();
  }
}

async function reopen(dir: string): Promise<SpoolEvent[]> {
  const events: SpoolEvent[] = [];
  const spool = await Spool.open({ dir, onEvent: (e) => events.push(e) });
  await spool.close();
  return events;
}

const ids = async (dir: string): Promise<string[]> => (await listAll(dir)).map((m) => m.envelope.id);

function recordBytes(env: Envelope, data: Buffer): Buffer {
  return Buffer.concat(messageRecord(env, [data]).buffers);
}

test('a torn last record is ignored by readers and cut off at the next open', async (t) => {
  const dir = await tempDir(t);
  const { ids: written, segment } = await queueWith(dir, 5);
  const path = join(dir, segment);
  const cleanSize = (await stat(path)).size;
  const id = new QueueIdGenerator(99).next();
  const partial = recordBytes(sampleEnvelope(id, 5000), messageData(id, 5000));
  await appendFile(path, partial.subarray(0, Math.floor(partial.length * 0.6)));

  assert.deepEqual(await ids(dir), written);
  const events = await reopen(dir);
  assert.deepEqual(events.map((e) => [e.kind, e.level]), [['torn-tail', 'notice']]);
  assert.match(events[0]?.message ?? '', new RegExp(`^queue file ${segment.replace(/\./g, '\\.')}: incomplete record at offset ${cleanSize}`));
  assert.equal((await stat(path)).size, cleanSize);
  assert.deepEqual(await ids(dir), written);
  for (const s of await segmentReport(dir)) assert.equal(s.validEnd, s.size);
});

test('a zero-filled tail (blocks allocated but never written) is a torn tail too', async (t) => {
  const dir = await tempDir(t);
  const { ids: written, segment } = await queueWith(dir, 3);
  const path = join(dir, segment);
  const cleanSize = (await stat(path)).size;
  await appendFile(path, Buffer.alloc(8192));
  const events = await reopen(dir);
  assert.deepEqual(events.map((e) => e.kind), ['torn-tail']);
  assert.equal((await stat(path)).size, cleanSize);
  assert.deepEqual(await ids(dir), written);
});

test('damage in the middle of a segment sets the rest aside as lost with a SECURITY ALERT', async (t) => {
  const dir = await tempDir(t);
  const { ids: written, segment } = await queueWith(dir, 10);
  const path = join(dir, segment);
  const offsets = await recordOffsets(path);
  const bad = offsets[5] as number; // record 0 is the segment header, so this is the 5th message
  const original = await readFile(path);
  const fh = await open(path, 'r+');
  await fh.write(Buffer.from([original[bad + 600]! ^ 0xff]), 0, 1, bad + 600);
  await fh.close();

  // A reader alone never lists anything at or after the damage.
  assert.deepEqual(await ids(dir), written.slice(0, 4));

  const events = await reopen(dir);
  const alert = events.find((e) => e.kind === 'bogus-segment');
  assert.ok(alert, JSON.stringify(events));
  assert.equal(alert.level, 'alert');
  const lostName = `${segment}.${bad}.lost`;
  assert.equal(
    alert.message,
    `SECURITY ALERT: bogus queue file ${segment}, damaged record at offset ${bad} (bad-checksum); ` +
      `${original.length - bad} bytes set aside as ${lostName}`,
  );
  // The bytes are kept, 0600, for the postmaster; the segment ends before them.
  const lost = await readFile(join(dir, lostName));
  assert.equal(lost.length, original.length - bad);
  assert.deepEqual(lost.subarray(700), original.subarray(bad + 700));
  assert.equal(await modeOf(join(dir, lostName)), 0o600);
  assert.equal((await stat(path)).size, bad);
  assert.deepEqual(await ids(dir), written.slice(0, 4));
  const lostItems = await collect(new SpoolReader(dir).lost());
  assert.deepEqual(lostItems.map((l) => l.file), [lostName]);
  // A second open finds nothing more to do, and new messages go to a new segment.
  assert.deepEqual(await reopen(dir), []);
});

test('a checksummed record that does not decode is reported and never listed', async (t) => {
  const dir = await tempDir(t);
  const { ids: written, segment } = await queueWith(dir, 2);
  const path = join(dir, segment);
  const g = new QueueIdGenerator(98);
  const bogusId = g.next();
  const bogus = { ...sampleEnvelope(bogusId, 4), version: 2 } as unknown as Envelope;
  await appendFile(path, recordBytes(bogus, Buffer.from('evil')));
  const okId = g.next();
  await appendFile(path, recordBytes(sampleEnvelope(okId, 4), Buffer.from('good')));

  const events = await reopen(dir);
  assert.deepEqual(events.map((e) => [e.kind, e.level]), [['bogus-record', 'alert']]);
  assert.match(events[0]?.message ?? '', /^SECURITY ALERT: bogus queue file \S+, record at offset \d+: unknown envelope version 2; it will not be processed$/);
  assert.deepEqual(await ids(dir), [...written, okId]);
  const lost = await collect(new SpoolReader(dir).lost());
  assert.equal(lost.length, 1);
  assert.match(lost[0]?.reason ?? '', /unknown envelope version 2/);
});

test('a segment with group/other permissions or a foreign owner is set aside whole', async (t) => {
  const dir = await tempDir(t);
  const { segment } = await queueWith(dir, 2);
  await chmod(join(dir, segment), 0o644);
  // Readers do not trust it either.
  assert.deepEqual(await ids(dir), []);
  assert.match((await collect(new SpoolReader(dir).lost()))[0]?.reason ?? '', /group or other permission bits set \(uid=\d+, gid=\d+, mode=0644\)/);

  const events = await reopen(dir);
  assert.deepEqual(events.map((e) => e.kind), ['bogus-segment']);
  assert.match(events[0]?.message ?? '', new RegExp(`^SECURITY ALERT: bogus queue file ${segment.replace(/\./g, '\\.')}, group or other permission bits set .*mode=0644\\); set aside as ${segment.replace(/\./g, '\\.')}\\.lost$`));
  assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.lost')), [`${segment}.lost`]);

  if (process.geteuid?.() === 0) {
    const { segment: second } = await queueWith(join(dir, 'other'), 1);
    await chown(join(dir, 'other', second), 65534, 65534);
    const ev = await reopen(join(dir, 'other'));
    assert.match(ev[0]?.message ?? '', /not owned by the queue owner uid 0 \(uid=65534, gid=65534, mode=0600\)/);
  }
});

test('a symbolic link posing as a segment is set aside, not followed', async (t) => {
  const dir = await tempDir(t);
  const { ids: written } = await queueWith(dir, 1);
  const target = join(dir, 'elsewhere');
  await writeFile(target, 'not a segment');
  await symlink(target, join(dir, 'w0.0000000077.seg'));
  assert.deepEqual(await ids(dir), written);
  const events = await reopen(dir);
  assert.deepEqual(events.map((e) => e.kind), ['bogus-segment']);
  assert.match(events[0]?.message ?? '', /w0\.0000000077\.seg, is a symbolic link/);
  assert.equal(await readFile(target, 'utf8'), 'not a segment');
  assert.deepEqual(await ids(dir), written);
});

test('a segment of an unknown format is set aside whole; an empty one is removed', async (t) => {
  const dir = await tempDir(t);
  const future = jsonRecord(RecordType.Segment, { format: 2, writer: 'w0', seq: 5, created: 0, pid: 1 });
  await Spool.open({ dir }).then((s) => s.close());
  await writeFile(join(dir, 'w0.0000000005.seg'), Buffer.concat(future.buffers), { mode: 0o600 });
  const header = jsonRecord(RecordType.Segment, { format: 1, writer: 'w0', seq: 6, created: 0, pid: 1 });
  await writeFile(join(dir, 'w0.0000000006.seg'), Buffer.concat([...header.buffers, Buffer.from('PstR')]), { mode: 0o600 });
  assert.deepEqual(
    (await collect(new SpoolReader(dir).lost())).map((l) => [l.file, l.reason]),
    [['w0.0000000005.seg', 'does not start with a segment header of a known format']],
  );
  const events = await reopen(dir);
  assert.deepEqual(events.map((e) => e.kind), ['bogus-segment', 'torn-tail', 'empty-segment']);
  assert.match(events[0]?.message ?? '', /w0\.0000000005\.seg, unknown segment format/);
  const names = await readdir(dir);
  assert.ok(names.includes('w0.0000000005.seg.lost'));
  assert.ok(!names.includes('w0.0000000006.seg'));
  // The next segment is numbered above every existing or lost one.
  const spool = await Spool.open({ dir });
  const id = spool.newId();
  await spool.commit(sampleEnvelope(id, 1), Buffer.from('x'));
  await spool.close();
  assert.deepEqual(sortedSegments(await readdir(dir)), ['w0.0000000006.seg']);
});

test('after a restart new ids are above the newest id in the writer\'s segments', async (t) => {
  const dir = await tempDir(t);
  await Spool.open({ dir }).then((s) => s.close());
  const spool = await Spool.open({ dir });
  // A message written while the clock was an hour ahead.
  const ahead = Date.now() + 3_600_000;
  const id = new QueueIdGenerator(97).next(ahead);
  await spool.commit(sampleEnvelope(id, 1), Buffer.from('x'));
  await spool.close();
  const again = await Spool.open({ dir });
  assert.ok(queueIdTime(again.newId()) > ahead);
  await again.close();
});
