// The incremental reader: what a refresh adds (records appended to a growing segment, new segments,
// state updates in time order), what it drops (segments removed), the commit notification and the
// per-delivery state records with their absolute values.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { SpoolReader } from '../../src/queue/reader.js';
import { Spool } from '../../src/queue/spool.js';
import { consolidatedUpdate, initialState, applyStateUpdate, type StateUpdate } from '../../src/queue/state.js';
import type { Envelope } from '../../src/queue/envelope.js';
import { collect, messageData, sampleEnvelope, tempDir } from './helpers.js';

async function commitOne(spool: Spool, size = 300, extra: Partial<Envelope> = {}): Promise<string> {
  const id = spool.newId();
  await spool.commit(sampleEnvelope(id, size, extra), messageData(id, size));
  return id;
}

test('one reader follows a growing queue: appended records, new segments, state, removed segments', async (t) => {
  const dir = await tempDir(t);
  const w = await Spool.open({ dir, writerId: 'w0', segmentBytes: 4096 });
  const r = await Spool.open({ dir, writerId: 'runner' });
  t.after(async () => {
    await w.close();
    await r.close();
  });
  const reader = new SpoolReader(dir);
  const a = await commitOne(w);
  assert.deepEqual((await collect(reader.list())).map((m) => m.envelope.id), [a]);
  const more = [await commitOne(w, 3000), await commitOne(w, 3000), await commitOne(w, 3000)];
  assert.ok((await readdir(dir)).filter((n) => n.startsWith('w0.')).length >= 3, 'segments rotated');
  assert.deepEqual((await collect(reader.list())).map((m) => m.envelope.id), [a, ...more]);
  await r.appendState({ version: 1, id: a, at: Date.now(), attempts: 1, status: 'Deferred: later', recipients: [{ index: 0, status: 'deferred', text: 'later' }] });
  let m = await reader.get(a);
  assert.equal(m?.state.attempts, 1);
  assert.equal(m?.state.recipients[0]?.status, 'deferred');
  await r.appendState({ version: 1, id: a, at: Date.now() + 1, done: true });
  assert.deepEqual((await collect(reader.list())).map((x) => x.envelope.id), more);
  m = await reader.get(a);
  assert.equal(m?.state.done, true, 'get() still shows a finished message');
  // A segment removed behind the reader's back is forgotten, and its messages with it.
  const first = (await readdir(dir)).filter((n) => n.startsWith('w0.')).sort()[0]!;
  const gone = [a, ...more].filter((id) => reader.index.get(id)?.loc.segment === first);
  assert.ok(gone.includes(a));
  await unlink(join(dir, first));
  assert.equal(await reader.get(a), undefined);
  const left = more.filter((id) => !gone.includes(id));
  assert.deepEqual((await collect(reader.list())).map((x) => x.envelope.id), left);
  for (const id of left) assert.deepEqual(await reader.readData(id), messageData(id, 3000));
});

test('state updates apply in time order whatever the order they were written in', async (t) => {
  const dir = await tempDir(t);
  const w = await Spool.open({ dir, writerId: 'w0' });
  t.after(() => w.close());
  const id = await commitOne(w);
  const now = Date.now();
  await w.appendState({ version: 1, id, at: now + 10, status: 'second' });
  await w.appendState({ version: 1, id, at: now + 5, status: 'first', attempts: 3 });
  const m = await new SpoolReader(dir).get(id);
  assert.equal(m?.state.status, 'second');
  assert.equal(m?.state.attempts, 3);
});

test('the commit listener hears of each message once it is durable, and never of a refused one', async (t) => {
  const dir = await tempDir(t);
  const w = await Spool.open({ dir, writerId: 'w0' });
  t.after(() => w.close());
  const heard: string[] = [];
  const reader = new SpoolReader(dir);
  const found: Array<Promise<boolean>> = [];
  const off = w.onCommit((e) => {
    heard.push(e.id);
    // By the time a listener runs the record is on disk: another reader finds it.
    found.push(reader.get(e.id).then((m) => m?.envelope.id === e.id));
  });
  const ids = await Promise.all([commitOne(w), commitOne(w), commitOne(w)]);
  assert.deepEqual([...heard].sort(), [...ids].sort());
  const bad = w.newId();
  await assert.rejects(w.commit(sampleEnvelope(bad, 10), messageData(bad, 11)));
  assert.ok(!heard.includes(bad));
  off();
  await commitOne(w);
  assert.equal(heard.length, 3);
  assert.deepEqual(await Promise.all(found), [true, true, true]);
});

test('delivery records: outcomes by key, amended by later records, consolidated into one update', () => {
  const env = sampleEnvelope('0000000000000A', 10, { recipients: [{ address: 'team@example.com', primary: true }] });
  const s = initialState(env);
  const ups: StateUpdate[] = [
    { version: 1, id: env.id, at: 1, attempts: 1, deliveries: [{ key: 'mailbox:bob', recipient: 0, status: 'delivered', code: 250, enh: '2.0.0', text: 'Delivered', mailer: 'local', final: 'bob@example.com' }] },
    { version: 1, id: env.id, at: 2, deliveries: [{ key: '|vacation', recipient: 0, status: 'failed', code: 554, enh: '5.0.0', text: 'Service unavailable', mailer: 'prog', final: '|vacation' }] },
    { version: 1, id: env.id, at: 3, deliveries: [{ key: '|vacation', recipient: 0, reported: true }, { key: 'never:seen', recipient: 0, reported: true }] },
    { version: 1, id: env.id, at: 4, recipients: [{ index: 0, status: 'delivered' }], done: true },
  ];
  for (const u of ups) applyStateUpdate(s, u);
  assert.equal(s.deliveries.size, 2);
  assert.equal(s.deliveries.get('mailbox:bob')?.status, 'delivered');
  assert.equal(s.deliveries.get('mailbox:bob')?.reported, false);
  assert.deepEqual(s.deliveries.get('|vacation'), { key: '|vacation', recipient: 0, status: 'failed', code: 554, enh: '5.0.0', text: 'Service unavailable', mailer: 'prog', final: '|vacation', reported: true, at: 2 });
  // The consolidated update gives the same state from scratch, and on top of the original records.
  const c = consolidatedUpdate(env.id, s);
  const fresh = initialState(env);
  applyStateUpdate(fresh, c);
  assert.deepEqual(fresh, s);
  const again = initialState(env);
  for (const u of [...ups, c]) applyStateUpdate(again, u);
  assert.deepEqual(again, s);
});
