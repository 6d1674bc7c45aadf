// The outbound connection pool with the real client and loopback peers: a connection reused for the next
// message (RSET first), idle connections QUIT after ConnectionCacheTimeout or when the peer hangs up,
// OutboundMaxPerDestination and OutboundMaxConnections never exceeded under concurrent deliveries, an
// idle connection evicted to make room, and the host status of an address that refused connections.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { deliver } from '../../../src/outbound/client/index.js';
import { createOutboundPool, type PoolOptions } from '../../../src/outbound/pool/index.js';
import { hop, message, SIMPLE_BODY, testOptions } from '../options.js';
import { startPeer } from '../peer.js';

function poolOpts(extra: Partial<PoolOptions> = {}): PoolOptions {
  return { maxConnections: 10, maxPerDestination: 5, cacheSize: 8, idleMs: 10_000, hostStatusMs: 0, quitMs: 1000, ...extra };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

test('a second message to the same peer reuses the connection after RSET; close() QUITs it', async () => {
  const p = await startPeer();
  const pool = createOutboundPool(poolOpts());
  try {
    const r1 = await deliver([hop(p.port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions({ pool }));
    const r2 = await deliver([hop(p.port)], message(SIMPLE_BODY, ['b@dest.test']), testOptions({ pool }));
    assert.equal(r1.outcomes[0]!.status, 'sent');
    assert.equal(r2.outcomes[0]!.status, 'sent');
    assert.equal(r1.tried[0]!.reused, undefined);
    assert.equal(r2.tried[0]!.reused, true);
    assert.equal(p.sessions.length, 1);
    assert.deepEqual(pool.stats(), { open: 1, idle: 1, waiting: 0 });
    await pool.close();
    const cmds = p.sessions[0]!.commands.map((c) => c.split(' ')[0]);
    assert.deepEqual(cmds, ['EHLO', 'MAIL', 'RCPT', 'DATA', 'RSET', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
    assert.deepEqual(pool.stats(), { open: 0, idle: 0, waiting: 0 });
  } finally {
    await pool.close();
    await p.close();
  }
});

test('an idle connection is QUIT after ConnectionCacheTimeout; one the peer closes leaves the pool at once', async () => {
  const p = await startPeer();
  const pool = createOutboundPool(poolOpts({ idleMs: 150 }));
  try {
    await deliver([hop(p.port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions({ pool }));
    assert.equal(pool.stats().idle, 1);
    await until(() => p.sessions[0]!.closed);
    assert.equal(p.sessions[0]!.commands.at(-1), 'QUIT');
    assert.deepEqual(pool.stats(), { open: 0, idle: 0, waiting: 0 });
  } finally {
    await pool.close();
    await p.close();
  }
  const q = await startPeer();
  const pool2 = createOutboundPool(poolOpts());
  try {
    await deliver([hop(q.port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions({ pool: pool2 }));
    assert.equal(pool2.stats().idle, 1);
    await q.close(); // the peer hangs up on the idle connection
    await until(() => pool2.stats().open === 0);
  } finally {
    await pool2.close();
  }
});

test('a reused connection that fails its RSET is replaced by a new one, unnoticed by the delivery', async () => {
  const p = await startPeer({ answer: (verb) => (verb === 'RSET' ? 'drop' : undefined) });
  const pool = createOutboundPool(poolOpts());
  try {
    await deliver([hop(p.port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions({ pool }));
    const r = await deliver([hop(p.port)], message(SIMPLE_BODY, ['b@dest.test']), testOptions({ pool }));
    assert.equal(r.outcomes[0]!.status, 'sent');
    assert.equal(r.tried[0]!.reused, undefined);
    assert.equal(p.sessions.length, 2);
  } finally {
    await pool.close();
    await p.close();
  }
});

test('OutboundMaxPerDestination: 8 concurrent deliveries to one peer use at most 2 connections', async () => {
  const p = await startPeer({ dotDelayMs: 80 });
  const pool = createOutboundPool(poolOpts({ maxPerDestination: 2 }));
  try {
    const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => deliver([hop(p.port)], message(SIMPLE_BODY, [`u${i}@dest.test`]), testOptions({ pool }))));
    assert.ok(rs.every((r) => r.outcomes[0]!.status === 'sent'));
    assert.equal(p.maxConcurrent, 2);
    assert.equal(p.sessions.length, 2);
    assert.equal(p.sessions.reduce((n, s) => n + s.data.length, 0), 8);
  } finally {
    await pool.close();
    await p.close();
  }
});

test('OutboundMaxConnections: deliveries to three peers never hold more than 3 connections in all', async () => {
  const tracker = { open: 0, max: 0 };
  const peers = [await startPeer({ dotDelayMs: 50, tracker }), await startPeer({ dotDelayMs: 50, tracker }), await startPeer({ dotDelayMs: 50, tracker })];
  const pool = createOutboundPool(poolOpts({ maxConnections: 3, maxPerDestination: 3 }));
  try {
    const jobs = Array.from({ length: 15 }, (_, i) => deliver([hop(peers[i % 3]!.port)], message(SIMPLE_BODY, [`u${i}@dest.test`]), testOptions({ pool })));
    const rs = await Promise.all(jobs);
    assert.ok(rs.every((r) => r.outcomes[0]!.status === 'sent'));
    assert.ok(tracker.max <= 3, `max ${tracker.max}`);
    assert.equal(peers.reduce((n, p) => n + p.sessions.reduce((m, s) => m + s.data.length, 0), 0), 15);
  } finally {
    await pool.close();
    for (const p of peers) await p.close();
  }
});

test('at the global limit an idle connection elsewhere is QUIT to make room', async () => {
  const a = await startPeer();
  const b = await startPeer();
  const pool = createOutboundPool(poolOpts({ maxConnections: 1 }));
  try {
    await deliver([hop(a.port)], message(SIMPLE_BODY, ['x@a.test']), testOptions({ pool }));
    assert.equal(pool.stats().idle, 1);
    const r = await deliver([hop(b.port)], message(SIMPLE_BODY, ['x@b.test']), testOptions({ pool }));
    assert.equal(r.outcomes[0]!.status, 'sent');
    await until(() => a.sessions[0]!.closed);
    assert.equal(a.sessions[0]!.commands.at(-1), 'QUIT');
    assert.deepEqual(pool.stats(), { open: 1, idle: 1, waiting: 0 });
  } finally {
    await pool.close();
    await a.close();
    await b.close();
  }
});

test('host status: an address that refused a connection is skipped until Timeout.hoststatus has passed', async () => {
  const p = await startPeer();
  const port = p.port;
  await p.close();
  const pool = createOutboundPool(poolOpts({ hostStatusMs: 1500 }));
  try {
    const r1 = await deliver([hop(port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions({ pool }));
    assert.equal(r1.tried[0]!.result, 'failed');
    const r2 = await deliver([hop(port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions({ pool }));
    assert.equal(r2.tried[0]!.result, 'skipped');
    assert.deepEqual(r2.outcomes[0]!.reply, r1.outcomes[0]!.reply);
    assert.equal(r2.outcomes[0]!.status, 'temp');
    await sleep(1600);
    const r3 = await deliver([hop(port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions({ pool }));
    assert.equal(r3.tried[0]!.result, 'failed');
  } finally {
    await pool.close();
  }
});

test('close(): waiting deliveries fail with PoolClosedError, new ones are refused', async () => {
  const p = await startPeer({ dotDelayMs: 1000 });
  const pool = createOutboundPool(poolOpts({ maxConnections: 1 }));
  try {
    const first = deliver([hop(p.port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions({ pool }));
    await until(() => p.sessions.length === 1);
    const second = deliver([hop(p.port)], message(SIMPLE_BODY, ['b@dest.test']), testOptions({ pool }));
    await sleep(20);
    assert.equal(pool.stats().waiting, 1);
    await pool.close();
    await assert.rejects(second, { name: 'Error', message: 'the outbound connection pool is closed' });
    assert.equal((await first).outcomes[0]!.status, 'sent');
    await assert.rejects(deliver([hop(p.port)], message(SIMPLE_BODY, ['c@dest.test']), testOptions({ pool })));
  } finally {
    await p.close();
  }
});

test('without PIPELINING the reuse RSET is its own command; a dead one is replaced just the same', async () => {
  const p = await startPeer({ extensions: ['8BITMIME'], answer: (verb, _a, n) => (verb === 'RSET' && n === 2 ? 'drop' : undefined) });
  const pool = createOutboundPool(poolOpts());
  try {
    for (const a of ['a', 'b', 'c']) {
      const r = await deliver([hop(p.port)], message(SIMPLE_BODY, [`${a}@dest.test`]), testOptions({ pool }));
      assert.equal(r.outcomes[0]!.status, 'sent');
    }
    assert.equal(p.sessions.length, 2);
    assert.deepEqual(
      p.sessions[0]!.commands.map((c) => c.split(' ')[0]),
      ['EHLO', 'MAIL', 'RCPT', 'DATA', 'RSET', 'MAIL', 'RCPT', 'DATA', 'RSET'],
    );
  } finally {
    await pool.close();
    await p.close();
  }
});

test('an idle pooled connection does not keep a one-shot process alive', async () => {
  const p = await startPeer();
  try {
    const script = fileURLToPath(new URL('./one-shot.js', import.meta.url));
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [script, String(p.port)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      // A process held open by its idle connection would never end: give up after a few seconds.
      const guard = setTimeout(() => child.kill(), 8000);
      child.on('exit', (code) => {
        clearTimeout(guard);
        resolve({ code, stdout });
      });
    });
    assert.equal(out.code, 0);
    assert.equal(out.stdout, 'sent idle=1\n');
  } finally {
    await p.close();
  }
});
