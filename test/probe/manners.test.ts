// audit-and-probe.md §3.1 manners, watched from the server's side: one connection at a time, at most one
// new connection per interval, QUIT at the end of every session, RSET after each relay vector, never
// DATA after a relay-test recipient, message data only with --smuggling, only to --rcpt-local and with
// the fixed subject.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionPacer, DEFAULT_CONNECT_INTERVAL_MS } from '../../src/probe/pacer.js';
import { probeSettings } from '../../src/probe/settings.js';
import { startDouble, type RecordedSession } from './double.js';
import { args, probe } from './helpers.js';

const RCPT_LOCAL = 'me@double.example';

// The server sees a close and the next accept in the same turn of its event loop (the probe connects
// again as soon as the pace allows), in either order; and accepts are stamped with some jitter. So the
// server-side clock gets a few milliseconds of slack: enough to allow for that, far too little to hide
// two connections at once or a missing pause.
const SLACK_MS = 5;

function checkManners(sessions: readonly RecordedSession[], intervalMs: number): void {
  for (const [i, s] of sessions.entries()) {
    assert.equal(s.commands.at(-1), 'QUIT', `session ${i} ends with QUIT: ${s.commands.join(' | ')}`);
    if (i > 0) {
      const prev = sessions[i - 1]!;
      assert.ok(prev.closedAt !== undefined && prev.closedAt <= s.openedAt + SLACK_MS, `session ${i} overlaps the one before`);
      // An accept stamped late under load (the machine busy elsewhere) shortens the next gap as seen here
      // by that delay; half the interval still tells a paced probe from a missing pause (a gap of ~0).
      assert.ok(s.openedAt - prev.openedAt >= intervalMs / 2, `session ${i} opened ${s.openedAt - prev.openedAt} ms after the one before`);
    }
    let rcpts: string[] = [];
    for (const [j, c] of s.commands.entries()) {
      if (/^RCPT TO:/i.test(c)) {
        rcpts.push(c);
        if (/relay-probe/i.test(c)) assert.equal(s.commands[j + 1], 'RSET', `RSET after ${c}`);
      }
      if (/^(RSET|MAIL FROM:)/i.test(c)) rcpts = /^MAIL/i.test(c) ? rcpts : [];
      if (c === 'DATA') {
        assert.ok(rcpts.length > 0 && rcpts.every((r) => r === `RCPT TO:<${RCPT_LOCAL}>`), `DATA after ${rcpts.join(', ')}`);
      }
    }
  }
}

test('manners: paced, serial sessions that all end with QUIT; RSET after relay vectors; no DATA without --smuggling', async () => {
  const d = await startDouble({ rcptReply: () => '250 2.1.5 Ok' });
  try {
    const r = await probe(args(d.port), { port: d.port, connectIntervalMs: 60 });
    assert.equal(r.code, 3);
    assert.ok(d.sessions.length >= 15, `${d.sessions.length} sessions`);
    checkManners(d.sessions, 60);
    assert.ok(d.sessions.every((s) => !s.commands.includes('DATA') && s.messages.length === 0));
  } finally {
    await d.close();
  }
});

test('manners with --smuggling: message data only to --rcpt-local, only with the fixed subject', async () => {
  const d = await startDouble({ rcptReply: () => '250 2.1.5 Ok', extraDataEnds: ['\n.\n'] });
  try {
    await probe(args(d.port, '--smuggling', '--send', '--rcpt-local', RCPT_LOCAL), { port: d.port, connectIntervalMs: 30 });
    checkManners(d.sessions, 30);
    const withData = d.sessions.filter((s) => s.commands.includes('DATA'));
    assert.equal(withData.length, 7);
    for (const s of withData) {
      for (const m of s.messages) assert.match(m, /\r\nSubject: postern probe: SMTP smuggling test \(ignore\)\r\n/);
    }
  } finally {
    await d.close();
  }
});

test('the default pace is one new connection per second', async () => {
  assert.equal(DEFAULT_CONNECT_INTERVAL_MS, 1000);
  assert.equal(probeSettings({ target: { host: '127.0.0.1', port: 25, shown: '127.0.0.1' } }).connectIntervalMs, 1000);
  const pacer = new ConnectionPacer();
  const t0 = performance.now();
  (await pacer.acquire())();
  const second = pacer.acquire();
  (await second)();
  assert.ok(performance.now() - t0 >= 998, `${performance.now() - t0} ms`);
});

test('the pacer lets one connection through at a time: the next waits for the release', async () => {
  const pacer = new ConnectionPacer(0);
  const order: string[] = [];
  const releaseA = await pacer.acquire();
  const b = pacer.acquire().then((rel) => {
    order.push('b');
    rel();
  });
  await new Promise((r) => setTimeout(r, 30));
  order.push('a done');
  releaseA();
  await b;
  assert.deepEqual(order, ['a done', 'b']);
});
