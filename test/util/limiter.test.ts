// The limiter of concurrent tasks (scrypt checks in the thread pool): never more than `max` at once,
// the others in order, a failing task frees its slot.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Limiter } from '../../src/util/limiter.js';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('at most max tasks run; waiters start in order; a failure frees its slot', async () => {
  const l = new Limiter(2);
  const gates = [deferred(), deferred(), deferred(), deferred()];
  const started: number[] = [];
  const runs = gates.map((g, i) =>
    l.run(async () => {
      started.push(i);
      await g.promise;
      return i;
    }),
  );
  await tick();
  assert.deepEqual(started, [0, 1]);
  assert.equal(l.active, 2);
  assert.equal(l.queued, 2);
  gates[1]!.reject(new Error('boom'));
  await assert.rejects(runs[1]!, /boom/);
  await tick();
  assert.deepEqual(started, [0, 1, 2]);
  gates[0]!.resolve();
  gates[2]!.resolve();
  assert.equal(await runs[0], 0);
  assert.equal(await runs[2], 2);
  await tick();
  assert.deepEqual(started, [0, 1, 2, 3]);
  gates[3]!.resolve();
  assert.equal(await runs[3], 3);
  assert.equal(l.active, 0);
  assert.equal(l.queued, 0);
});
