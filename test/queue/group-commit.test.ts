import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Spool } from '../../src/queue/spool.js';
import { listAll, messageData, sampleEnvelope, tempDir } from './helpers.js';

test('200 concurrent commits from 50 sessions share a handful of fdatasyncs', async (t) => {
  const dir = await tempDir(t);
  const spool = await Spool.open({ dir });
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      for (let i = 0; i < 4; i++) {
        const id = spool.newId();
        await spool.commit(sampleEnvelope(id, 10240), messageData(id, 10240));
      }
    }),
  );
  const { commits, flushes } = spool.stats;
  await spool.close();
  assert.equal(commits, 200);
  assert.ok(flushes >= 1 && flushes <= 20, `${flushes} flushes for 200 commits`);
  assert.equal((await listAll(dir)).length, 200);
});

test('commits made while a batch is being written go together in the next batch', async (t) => {
  const dir = await tempDir(t);
  const spool = await Spool.open({ dir });
  const commitOne = (): Promise<void> => {
    const id = spool.newId();
    return spool.commit(sampleEnvelope(id, 500), messageData(id, 500));
  };
  const first = commitOne();
  // The first batch starts on the next turn of the event loop; these arrive while it is in flight.
  await new Promise((r) => setImmediate(r));
  const later = Array.from({ length: 30 }, commitOne);
  await Promise.all([first, ...later]);
  assert.equal(spool.stats.flushes, 2);
  assert.equal(spool.stats.commits, 31);
  await spool.close();
});
