import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { SpoolReader } from '../../src/queue/reader.js';
import { Spool, SpoolSetupError, SpoolWriteError } from '../../src/queue/spool.js';
import { parseSegmentName } from '../../src/queue/segment-name.js';
import { collect, listAll, messageData, sampleEnvelope, segmentReport, tempDir } from './helpers.js';

test('committed messages read back byte for byte, envelope and data', async (t) => {
  const dir = await tempDir(t);
  const spool = await Spool.open({ dir });
  const sent = new Map<string, { size: number; sender: string }>();
  await Promise.all(
    Array.from({ length: 300 }, async (_, i) => {
      const id = spool.newId();
      const size = (i * 997) % 30000;
      const env = sampleEnvelope(id, size, {
        sender: i % 7 === 0 ? '' : `user${i}@example.com`,
        envid: `env-${i}`,
        eightBit: i % 2 === 0,
        recipients: [
          { address: `rcpt${i}@example.net`, primary: true, notify: ['FAILURE'], orcpt: `rfc822;rcpt${i}@example.net` },
          { address: 'list-member', primary: false },
        ],
      });
      sent.set(id, { size, sender: env.sender });
      // Data given in several pieces must be stored as their concatenation.
      const data = messageData(id, size);
      const cut = Math.floor(size / 3);
      await spool.commit(env, i % 3 === 0 ? data : [data.subarray(0, cut), data.subarray(cut)]);
    }),
  );
  await spool.close();

  const listed = await listAll(dir);
  assert.equal(listed.length, 300);
  const reader = new SpoolReader(dir);
  for (const m of listed) {
    const want = sent.get(m.envelope.id);
    assert.ok(want, m.envelope.id);
    assert.equal(m.envelope.sender, want.sender);
    assert.equal(m.dataSize, want.size);
    assert.equal(m.envelope.recipients.length, 2);
    assert.equal(m.state.recipients[0]?.status, 'pending');
    assert.deepEqual(await reader.readData(m.envelope.id), messageData(m.envelope.id, want.size));
  }
});

test('large messages (read through the thread pool) and small ones (read synchronously) read back byte for byte', async (t) => {
  const dir = await tempDir(t);
  const spool = await Spool.open({ dir });
  // Around the 256 KiB line where the index switches from synchronous to asynchronous reads.
  const sizes = [1, 200 * 1024, 256 * 1024 - 200, 256 * 1024 + 1, 3 * 1024 * 1024];
  const ids: string[] = [];
  for (const size of sizes) {
    const id = spool.newId();
    ids.push(id);
    await spool.commit(sampleEnvelope(id, size), messageData(id, size));
  }
  await spool.close();
  const reader = new SpoolReader(dir);
  await reader.index.refresh();
  for (const [i, id] of ids.entries()) assert.deepEqual(await reader.readData(id), messageData(id, sizes[i]!));
  reader.index.closeFiles();
});

test('several writers share one queue directory, each in its own segments', async (t) => {
  const dir = await tempDir(t);
  const writers = await Promise.all(['w0', 'w1', 'w2'].map((writerId) => Spool.open({ dir, writerId })));
  const ids: string[] = [];
  await Promise.all(
    writers.flatMap((spool) =>
      Array.from({ length: 40 }, async (_, i) => {
        const id = spool.newId();
        ids.push(id);
        await spool.commit(sampleEnvelope(id, 100 + i), messageData(id, 100 + i));
      }),
    ),
  );
  // A reader sees them while the writers are still open.
  assert.deepEqual((await listAll(dir)).map((m) => m.envelope.id).sort(), [...ids].sort());
  await Promise.all(writers.map((w) => w.close()));
  assert.equal(new Set(ids).size, 120);
  const owners = new Set((await readdir(dir)).map((n) => parseSegmentName(n)?.writer).filter((w) => w !== undefined));
  assert.deepEqual([...owners].sort(), ['w0', 'w1', 'w2']);
  const reader = new SpoolReader(dir);
  for (const id of ids) assert.deepEqual(await reader.readData(id), messageData(id, (await reader.readData(id)).length));
});

test('segments rotate at segmentBytes and the reader follows them all', async (t) => {
  const dir = await tempDir(t);
  const spool = await Spool.open({ dir, segmentBytes: 16 * 1024 });
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const id = spool.newId();
    ids.push(id);
    await spool.commit(sampleEnvelope(id, 3000), messageData(id, 3000));
  }
  await spool.close();
  const segs = await segmentReport(dir);
  assert.ok(segs.length >= 6, `${segs.length} segments`);
  for (const s of segs) {
    assert.equal(s.validEnd, s.size, s.name);
    assert.ok(s.size <= 16 * 1024, `${s.name} is ${s.size} octets`);
  }
  assert.deepEqual((await listAll(dir)).map((m) => m.envelope.id), ids);
});

test('state updates are recorded and folded over the envelope by the reader', async (t) => {
  const dir = await tempDir(t);
  const spool = await Spool.open({ dir, writerId: 'smtp' });
  const a = spool.newId();
  const b = spool.newId();
  const rcpts = [
    { address: 'one@example.net', primary: true },
    { address: 'two@example.net', primary: true },
  ];
  await spool.commit(sampleEnvelope(a, 5, { recipients: rcpts }), Buffer.from('hello'));
  await spool.commit(sampleEnvelope(b, 5), Buffer.from('world'));
  await spool.close();

  // The queue runner is another writer appending state records about messages it did not write.
  const runner = await Spool.open({ dir, writerId: 'runner' });
  const t0 = Date.now();
  await runner.appendState({ version: 1, id: a, at: t0, attempts: 1, lastAttempt: t0, status: 'Deferred: Connection refused by mx.example.net.', recipients: [{ index: 0, status: 'delivered' }, { index: 1, status: 'deferred', text: '421 try later' }] });
  await runner.appendState({ version: 1, id: a, at: t0 + 1, warningSent: true, addRecipients: [{ address: 'three', primary: false }] });
  await runner.appendState({ version: 1, id: a, at: t0 + 2, quarantine: 'spam', attempts: 2 });
  await runner.appendState({ version: 1, id: b, at: t0, recipients: [{ index: 0, status: 'delivered' }], done: true });
  await assert.rejects(runner.appendState({ version: 1, id: 'bad', at: t0 }), SpoolWriteError);
  await runner.close();

  const listed = await listAll(dir);
  assert.deepEqual(listed.map((m) => m.envelope.id), [a]);
  const s = listed[0]?.state;
  assert.ok(s);
  assert.equal(s.attempts, 2);
  assert.equal(s.lastAttempt, t0);
  assert.equal(s.status, 'Deferred: Connection refused by mx.example.net.');
  assert.equal(s.warningSent, true);
  assert.equal(s.quarantine, 'spam');
  assert.deepEqual(
    s.recipients.map((r) => [r.address, r.status, r.text, r.primary]),
    [
      ['one@example.net', 'delivered', undefined, true],
      ['two@example.net', 'deferred', '421 try later', true],
      ['three', 'pending', undefined, false],
    ],
  );

  // Released from quarantine, then set aside as lost: no longer listed, but shown by lost().
  const again = await Spool.open({ dir, writerId: 'runner' });
  await again.appendState({ version: 1, id: a, at: t0 + 3, quarantine: null });
  assert.equal((await listAll(dir))[0]?.state.quarantine, undefined);
  await again.appendState({ version: 1, id: a, at: t0 + 4, lost: 'double bounce undeliverable' });
  await again.close();
  assert.deepEqual(await listAll(dir), []);
  const lost = await collect(new SpoolReader(dir).lost());
  assert.deepEqual(lost.map((l) => [l.id, l.reason]), [[a, 'double bounce undeliverable']]);
});

test('commit refuses an envelope that does not match its data, without writing anything', async (t) => {
  const dir = await tempDir(t);
  const spool = await Spool.open({ dir });
  const id = spool.newId();
  await assert.rejects(spool.commit(sampleEnvelope(id, 10), Buffer.from('short')), (err: unknown) => {
    assert.ok(err instanceof SpoolWriteError);
    assert.match(err.message, /size 10 differs from the 5 octets/);
    return true;
  });
  await assert.rejects(spool.commit({ ...sampleEnvelope(id, 1), recipients: [] }, Buffer.from('x')), SpoolWriteError);
  await spool.close();
  assert.deepEqual(await listAll(dir), []);
});

test('close waits for pending commits; later commits are refused', async (t) => {
  const dir = await tempDir(t);
  const spool = await Spool.open({ dir });
  const pending = Array.from({ length: 20 }, () => {
    const id = spool.newId();
    return spool.commit(sampleEnvelope(id, 1000), messageData(id, 1000));
  });
  await spool.close();
  await Promise.all(pending);
  assert.equal((await listAll(dir)).length, 20);
  const id = spool.newId();
  await assert.rejects(spool.commit(sampleEnvelope(id, 1), Buffer.from('x')), /spool is closed/);
});

test('one writer id is used by one process at a time', async (t) => {
  const dir = await tempDir(t);
  const first = await Spool.open({ dir, writerId: 'w0' });
  await assert.rejects(Spool.open({ dir, writerId: 'w0' }), (err: unknown) => err instanceof SpoolSetupError && /writer w0/.test(err.message));
  const other = await Spool.open({ dir, writerId: 'w1' });
  await other.close();
  await first.close();
  const reopened = await Spool.open({ dir, writerId: 'w0' });
  await reopened.close();
  await assert.rejects(Spool.open({ dir, writerId: '../x' }), SpoolSetupError);
});
