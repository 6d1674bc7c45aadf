import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isQueueId, QueueIdGenerator, queueIdTime } from '../../src/queue/queue-id.js';

test('queue ids are 14 characters of [0-9A-Za-z] and carry their creation time', () => {
  const g = new QueueIdGenerator(3622);
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  const id = g.next(now);
  assert.match(id, /^[0-9A-Za-z]{14}$/);
  assert.equal(isQueueId(id), true);
  assert.equal(queueIdTime(id), now);
  assert.equal(isQueueId('short'), false);
  assert.equal(isQueueId('abcdefghijklm!'), false);
});

test('ids of one generator never repeat and sort in creation order, even in the same millisecond', () => {
  const g = new QueueIdGenerator(1);
  const ids = Array.from({ length: 5000 }, () => g.next(1_700_000_000_000));
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
});

test('a clock that goes back does not bring an id back', () => {
  const g = new QueueIdGenerator(1);
  const a = g.next(1_700_000_000_500);
  const b = g.next(1_700_000_000_000);
  assert.notEqual(a, b);
  assert.ok(b > a);
});

test('more ids in one millisecond than the counter holds borrow the next millisecond', () => {
  const g = new QueueIdGenerator(7);
  const t = 1_700_000_000_000;
  const seen = new Set<string>();
  for (let i = 0; i < 62 ** 3 + 10; i++) seen.add(g.next(t));
  assert.equal(seen.size, 62 ** 3 + 10);
  assert.equal(queueIdTime(g.next(t)), t + 1);
});

test('different processes (pids) get different ids at the same instant', () => {
  const t = 1_700_000_000_000;
  assert.notEqual(new QueueIdGenerator(100).next(t), new QueueIdGenerator(101).next(t));
  assert.notEqual(new QueueIdGenerator(4194303).next(t), new QueueIdGenerator(4194302).next(t));
});

test('advancePast puts new ids above the newest one found on disk', () => {
  const g = new QueueIdGenerator(1);
  const future = Date.now() + 60_000;
  g.advancePast(future);
  assert.ok(queueIdTime(g.next()) > future);
});
