// The client against Postfix's smtp-sink (queue-and-bounces.md §7): what arrives on the wire — MAIL and
// RCPT parameters for what the peer offers, dot-stuffing, CR LF — and how the sink's refusals map to
// per-recipient outcomes.
//
// Needs Debian's postfix package (smtp-sink), as CI has; without it this test fails rather than passing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { deliver } from '../../../src/outbound/client/index.js';
import { createOutboundPool } from '../../../src/outbound/pool/index.js';
import { hop, message, SIMPLE_BODY, testOptions } from '../options.js';
import { SMTP_SINK, startSink, type Sink } from '../sink.js';

async function withSink(options: string[], f: (s: Sink) => Promise<void>): Promise<void> {
  assert.ok(existsSync(SMTP_SINK), 'this test needs smtp-sink (apt-get install postfix)');
  const s = await startSink(options);
  try {
    await f(s);
  } finally {
    await s.stop();
  }
}

test('two recipients in one transaction: sent, with BODY and the DSN parameters the sink offers', async () => {
  await withSink([], async (s) => {
    const body = 'Subject: caf\u00e9\r\n\r\n8-bit: caf\u00e9\r\n';
    const msg = message(body, [{ address: 'bob@dest.test', notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;bob@dest.test' }, 'cy@dest.test'], {
      bodyType: '8BITMIME',
      ret: 'HDRS',
      envid: 'QID+1 x',
    });
    const r = await deliver([hop(s.port)], msg, testOptions());
    assert.deepEqual(
      r.outcomes.map((o) => [o.address, o.status, o.stage, o.reply.code]),
      [
        ['bob@dest.test', 'sent', 'datafinal', 250],
        ['cy@dest.test', 'sent', 'datafinal', 250],
      ],
    );
    assert.equal(r.host, 'mx.dest.test');
    assert.equal(r.address, '127.0.0.1');
    const [m] = await s.waitFor(1);
    // smtp-sink does not offer SIZE, so no SIZE= (see the fake peers for SIZE).
    assert.equal(m!.mailArgs, '<ann@src.test> BODY=8BITMIME RET=HDRS ENVID=QID+2B1+20x');
    assert.deepEqual(m!.rcptArgs, ['<bob@dest.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@dest.test', '<cy@dest.test>']);
    assert.equal(m!.helo, 'client.postern.test');
    assert.equal(m!.data, body.replace(/\r\n/g, '\n'));
  });
});

test('smtp-sink refusing RCPT hard (-f RCPT): permanent with its text; softly (-r RCPT): temporary', async () => {
  await withSink(['-f', 'RCPT'], async (s) => {
    const r = await deliver([hop(s.port)], message(SIMPLE_BODY, ['a@dest.test', 'b@dest.test']), testOptions());
    assert.deepEqual(
      r.outcomes.map((o) => [o.status, o.stage, o.reply.code, o.reply.enh, o.reply.text]),
      [
        ['perm', 'rcpt', 500, '5.3.0', 'Error: command failed'],
        ['perm', 'rcpt', 500, '5.3.0', 'Error: command failed'],
      ],
    );
  });
  await withSink(['-r', 'RCPT'], async (s) => {
    const r = await deliver([hop(s.port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions());
    assert.deepEqual(
      r.outcomes.map((o) => [o.status, o.stage, o.reply.code, o.reply.enh]),
      [['temp', 'rcpt', 450, '4.3.0']],
    );
  });
});

test('smtp-sink answering 421 to MAIL (-Q MAIL) or hanging up at DATA (-q DATA): temporary', async () => {
  await withSink(['-Q', 'MAIL'], async (s) => {
    const r = await deliver([hop(s.port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions());
    assert.equal(r.outcomes[0]!.status, 'temp');
    assert.equal(r.outcomes[0]!.reply.code, 421);
    assert.equal(r.outcomes[0]!.stage, 'mail');
  });
  await withSink(['-q', 'DATA'], async (s) => {
    const r = await deliver([hop(s.port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions());
    assert.equal(r.outcomes[0]!.status, 'temp');
    assert.equal(r.outcomes[0]!.source, 'local');
    assert.match(r.outcomes[0]!.reply.text, /lost during /);
  });
});

test('smtp-sink without PIPELINING, 8BITMIME and DSN (-p -8 -N): 8-bit body sent as is (pass8), no BODY/NOTIFY, "relayed"', async () => {
  await withSink(['-p', '-8', '-N'], async (s) => {
    const body = 'Subject: x\r\n\r\ncaf\u00e9\r\n';
    const msg = message(body, [{ address: 'a@dest.test', notify: ['SUCCESS'] }], { bodyType: '8BITMIME' });
    const r = await deliver([hop(s.port)], msg, testOptions());
    assert.equal(r.outcomes[0]!.status, 'sent');
    assert.equal(r.outcomes[0]!.relayed, true);
    const [m] = await s.waitFor(1);
    assert.equal(m!.mailArgs, '<ann@src.test>');
    assert.deepEqual(m!.rcptArgs, ['<a@dest.test>']);
    assert.equal(m!.data, body.replace(/\r\n/g, '\n'));
  });
});

test('30 messages through a pool to smtp-sink: all captured, over few connections', async () => {
  await withSink([], async (s) => {
    const pool = createOutboundPool({ maxConnections: 10, maxPerDestination: 4, cacheSize: 4, idleMs: 5000, hostStatusMs: 0, quitMs: 1000 });
    try {
      const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => deliver([hop(s.port)], message(SIMPLE_BODY, [`u${i}@dest.test`]), testOptions({ pool }))));
      assert.ok(rs.every((r) => r.outcomes[0]!.status === 'sent'));
      assert.ok(rs.filter((r) => r.tried[0]!.reused === true).length >= 26);
    } finally {
      await pool.close();
    }
    const got = await s.waitFor(30);
    assert.deepEqual(got.map((m) => m.rcptArgs[0]).sort(), Array.from({ length: 30 }, (_, i) => `<u${i}@dest.test>`).sort());
  });
});
