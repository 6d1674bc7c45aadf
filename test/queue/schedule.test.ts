import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import type { Envelope } from '../../src/queue/envelope.js';
import {
  classTimeouts,
  isDue,
  nextAttemptAt,
  precedenceClass,
  priority,
  queueComparator,
  queueTimeouts,
  retryDelay,
  type Queued,
  type ScheduleOptions,
} from '../../src/queue/schedule.js';
import { initialState, type MessageState } from '../../src/queue/state.js';

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

/** The schedule options of a configuration loaded the way the daemon loads it (embedded defaults + -O). */
async function options(cli: Array<{ name: string; value: string }> = []): Promise<ScheduleOptions> {
  const r = await loadConfig({ embedded: true, cliOptions: cli });
  assert.deepEqual(r.diagnostics, []);
  return { ...r.config!.options, precedence: r.config!.precedence };
}

function envelope(extra: Partial<Envelope> = {}): Envelope {
  return {
    version: 1,
    id: '5AbCdEfGh0001k',
    created: T0,
    sender: 'alice@example.com',
    size: 2166,
    eightBit: false,
    protocol: 'ESMTP',
    helo: 'client.example.com',
    client: 'client.example.com [192.0.2.1]',
    clientAddr: '192.0.2.1',
    recipients: [{ address: 'bob@example.net', primary: true }],
    ...extra,
  };
}

function state(env: Envelope, extra: Partial<MessageState> = {}): MessageState {
  return { ...initialState(env), ...extra };
}

test('precedence class from the P lines: first-class 0, special-delivery 100, list −30, bulk −60, junk −100, else 0 (§2.5)', async () => {
  const { precedence } = await options();
  const table: Array<[string | undefined, number]> = [
    [undefined, 0],
    ['first-class', 0],
    ['special-delivery', 100],
    ['list', -30],
    ['bulk', -60],
    ['junk', -100],
    ['Bulk', -60],
    [' junk ', -100],
    ['urgent', 0],
    ['constructor', 0],
    ['', 0],
  ];
  for (const [value, cls] of table) assert.equal(precedenceClass(value === undefined ? {} : { precedence: value }, precedence), cls, String(value));
});

test('priority = size − class × ClassFactor + recipients × RecipientFactor + attempts × RetryFactor', async () => {
  const opts = await options();
  const env = envelope({ precedence: 'bulk', recipients: [{ address: 'a@x', primary: true }, { address: 'b@x', primary: true }] });
  assert.equal(priority(env, { attempts: 0 }, opts), 2166 + 60 * 1800 + 2 * 30000);
  assert.equal(priority(env, { attempts: 3 }, opts), 2166 + 60 * 1800 + 2 * 30000 + 3 * 90000);
  assert.equal(priority(envelope({ precedence: 'special-delivery' }), { attempts: 0 }, opts), 2166 - 100 * 1800 + 30000);
  const custom = await options([
    { name: 'ClassFactor', value: '10' },
    { name: 'RecipientFactor', value: '1' },
    { name: 'RetryFactor', value: '1000' },
  ]);
  assert.equal(priority(env, { attempts: 2 }, custom), 2166 + 600 + 2 + 2000);
});

test('retry schedule with the defaults: attempts at 0, 5m, 15m, 35m, 1h15m, 2h15m, then every hour (§5)', async () => {
  const opts = await options();
  const env = envelope();
  let s = state(env);
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const at = nextAttemptAt(s, env, opts, T0 + 10 * D);
    times.push((at - T0) / M);
    // The attempt happens exactly when due; the runner records it.
    s = { ...s, attempts: s.attempts + 1, lastAttempt: at };
  }
  assert.deepEqual(times, [0, 5, 15, 35, 75, 135, 195, 255, 315]);
});

test('retryDelay: doubling from MinQueueAge, capped at MaxQueueAge; MaxQueueAge 0 = no backoff', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 50].map((n) => retryDelay(n, { MinQueueAge: 5 * M, MaxQueueAge: H }) / M), [5, 10, 20, 40, 60, 60, 60]);
  assert.deepEqual([1, 2, 10].map((n) => retryDelay(n, { MinQueueAge: 30 * M, MaxQueueAge: 0 }) / M), [30, 30, 30]);
  assert.deepEqual([1, 5].map((n) => retryDelay(n, { MinQueueAge: 0, MaxQueueAge: H })), [0, 0]);
  assert.equal(retryDelay(0, { MinQueueAge: 5 * M, MaxQueueAge: H }), 0);
  // A huge attempt count neither overflows nor loops long.
  assert.equal(retryDelay(Number.MAX_SAFE_INTEGER, { MinQueueAge: 5 * M, MaxQueueAge: H }), H);
});

test('sendmail defaults (MinQueueAge 0, MaxQueueAge 0): every queue run retries', async () => {
  const opts = await options([
    { name: 'MinQueueAge', value: '0' },
    { name: 'MaxQueueAge', value: '0' },
  ]);
  const env = envelope();
  const s = state(env, { attempts: 4, lastAttempt: T0 + H });
  assert.equal(nextAttemptAt(s, env, opts, T0 + H), T0 + H);
  assert.ok(isDue(s, env, opts, T0 + H));
});

test('isDue and the clock: a message is due at its time, not before; a clock stepped back does not strand it', async () => {
  const opts = await options();
  const env = envelope();
  const s = state(env, { attempts: 1, lastAttempt: T0 });
  assert.equal(isDue(s, env, opts, T0 + 5 * M - 1), false);
  assert.equal(isDue(s, env, opts, T0 + 5 * M), true);
  assert.equal(isDue(state(env), env, opts, T0), true);
  // Last attempt recorded "in the future" (clock went back a day): wait one interval from now.
  const future = state(env, { attempts: 1, lastAttempt: T0 + D });
  assert.equal(nextAttemptAt(future, env, opts, T0), T0 + 5 * M);
});

test('done, quarantined or lost messages are never due', async () => {
  const opts = await options();
  const env = envelope();
  for (const extra of [{ done: true }, { quarantine: 'spam' }, { lost: 'double bounce undeliverable' }]) {
    assert.equal(nextAttemptAt(state(env, extra), env, opts, T0), Infinity, JSON.stringify(extra));
    assert.equal(isDue(state(env, extra), env, opts, T0 + 100 * D), false);
  }
});

test('queuewarn / queuereturn defaults: warning once after 4h, return after 5d (§5)', async () => {
  const opts = await options();
  const env = envelope();
  const s = state(env);
  assert.deepEqual(queueTimeouts(env, s, opts, T0 + 4 * H - 1), { warn: false, expire: false, warnAt: T0 + 4 * H, expireAt: T0 + 5 * D, cls: 'normal' });
  assert.equal(queueTimeouts(env, s, opts, T0 + 4 * H).warn, true);
  assert.equal(queueTimeouts(env, state(env, { warningSent: true }), opts, T0 + 4 * H).warn, false);
  assert.deepEqual(queueTimeouts(env, s, opts, T0 + 5 * D - 1), { warn: true, expire: false, warnAt: T0 + 4 * H, expireAt: T0 + 5 * D, cls: 'normal' });
  // Expiry wins over a warning not yet sent.
  assert.deepEqual(queueTimeouts(env, s, opts, T0 + 5 * D), { warn: false, expire: true, warnAt: T0 + 4 * H, expireAt: T0 + 5 * D, cls: 'normal' });
});

test('only pending or deferred recipients count: a finished message neither warns nor expires', async () => {
  const opts = await options();
  const env = envelope({ recipients: [{ address: 'a@x', primary: true }, { address: 'b@x', primary: true }] });
  const finished = state(env);
  finished.recipients = finished.recipients.map((r, i) => ({ ...r, status: i === 0 ? 'delivered' : 'failed' }));
  assert.deepEqual(
    [queueTimeouts(env, finished, opts, T0 + 6 * D).warn, queueTimeouts(env, finished, opts, T0 + 6 * D).expire],
    [false, false],
  );
  const deferred = state(env);
  deferred.recipients = deferred.recipients.map((r, i) => ({ ...r, status: i === 0 ? 'delivered' : 'deferred' }));
  assert.equal(queueTimeouts(env, deferred, opts, T0 + 6 * D).expire, true);
  assert.equal(queueTimeouts(env, { ...deferred, done: true }, opts, T0 + 6 * D).expire, false);
});

test('per precedence class: .urgent (class > 0), .normal (0), .non-urgent (< 0), .dsn for the null sender', async () => {
  const opts = await options([
    { name: 'Timeout.queuewarn.urgent', value: '1h' },
    { name: 'Timeout.queuereturn.urgent', value: '2d' },
    { name: 'Timeout.queuewarn.non-urgent', value: '12h' },
    { name: 'Timeout.queuereturn.non-urgent', value: '3d' },
    { name: 'Timeout.queuewarn.dsn', value: '30m' },
    { name: 'Timeout.queuereturn.dsn', value: '1d' },
  ]);
  const table: Array<[Partial<Envelope>, string, number, number]> = [
    [{ precedence: 'special-delivery' }, 'urgent', H, 2 * D],
    [{}, 'normal', 4 * H, 5 * D],
    [{ precedence: 'first-class' }, 'normal', 4 * H, 5 * D],
    [{ precedence: 'list' }, 'non-urgent', 12 * H, 3 * D],
    [{ precedence: 'junk' }, 'non-urgent', 12 * H, 3 * D],
    [{ sender: '' }, 'dsn', 30 * M, D],
    // The null sender decides before the precedence does.
    [{ sender: '', precedence: 'bulk' }, 'dsn', 30 * M, D],
  ];
  for (const [extra, cls, warn, ret] of table) {
    const env = envelope(extra);
    assert.deepEqual(classTimeouts(env, opts), { warn, ret, cls }, JSON.stringify(extra));
    const t = queueTimeouts(env, state(env), opts, T0 + warn);
    assert.deepEqual([t.cls, t.warn, t.expire, t.expireAt], [cls, true, false, T0 + ret]);
    assert.equal(queueTimeouts(env, state(env), opts, T0 + ret).expire, true);
  }
});

test('unqualified and compound settings apply to every class (OT5d/4h form)', async () => {
  const opts = await options([{ name: 'T', value: '3d/2h' }]);
  for (const extra of [{}, { precedence: 'special-delivery' }, { precedence: 'bulk' }, { sender: '' }]) {
    const { warn, ret } = classTimeouts(envelope(extra), opts);
    assert.deepEqual([warn, ret], [2 * H, 3 * D], JSON.stringify(extra));
  }
});

test('Timeout.queuereturn=now returns every message whatever its age; queuewarn 0 never warns', async () => {
  const opts = await options([
    { name: 'Timeout.queuereturn', value: 'now' },
    { name: 'Timeout.queuewarn', value: '0' },
  ]);
  const env = envelope();
  assert.deepEqual(queueTimeouts(env, state(env), opts, T0), { warn: false, expire: true, warnAt: Infinity, expireAt: T0, cls: 'normal' });
  const noWarn = await options([{ name: 'Timeout.queuewarn', value: '0' }]);
  assert.equal(queueTimeouts(env, state(env), noWarn, T0 + 4 * D).warn, false);
});

function queued(id: string, extra: Partial<Envelope>, s: Partial<MessageState> = {}): Queued {
  const env = envelope({ id, ...extra });
  return { envelope: env, state: state(env, s) };
}

test('QueueSortOrder comparators: priority (and host), filename, time, modification, random, none', async () => {
  const opts = await options();
  const a = queued('5AbCdEfGh000aa', { size: 5000, created: T0 + 2 * M }, { updated: T0 + 9 * M });
  const b = queued('5AbCdEfGh000bb', { size: 100, created: T0 + 3 * M }, { attempts: 2, updated: T0 + 1 * M });
  const c = queued('5AbCdEfGh000cc', { size: 100, created: T0 + 1 * M, precedence: 'bulk' }, { updated: T0 + 5 * M });
  const d = queued('5AbCdEfGh000dd', { size: 100, created: T0 + 4 * M, precedence: 'special-delivery' }, { updated: T0 + 4 * M });
  const list = [c, a, d, b];
  const order = (o: Parameters<typeof queueComparator>[0], seed?: number): string[] =>
    [...list].sort(queueComparator(o, opts, seed)).map((q) => q.envelope.id.slice(-2));
  // Priorities: a 35000, b 210100, c 138100, d −149900.
  assert.deepEqual(order('priority'), ['dd', 'aa', 'cc', 'bb']);
  assert.deepEqual(order('host'), order('priority'));
  assert.deepEqual(order('filename'), ['aa', 'bb', 'cc', 'dd']);
  assert.deepEqual(order('time'), ['cc', 'aa', 'bb', 'dd']);
  assert.deepEqual(order('modification'), ['bb', 'dd', 'cc', 'aa']);
  assert.deepEqual(order('none'), ['cc', 'aa', 'dd', 'bb']);
  // random: a permutation that a seed fixes, and that differs between some seeds.
  assert.deepEqual([...order('random', 1)].sort(), ['aa', 'bb', 'cc', 'dd']);
  assert.deepEqual(order('random', 1), order('random', 1));
  const seen = new Set(Array.from({ length: 20 }, (_, seed) => order('random', seed).join()));
  assert.ok(seen.size > 1);
});
