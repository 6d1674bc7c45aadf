// The client against Postfix's smtp-sink (queue-and-bounces.md §7): what arrives on the wire — MAIL and
// RCPT parameters for what the peer offers, dot-stuffing, CR LF — and how the sink's refusals map to
// per-recipient outcomes.
//
// Needs Debian's postfix package (smtp-sink), as CI has; without it this test fails rather than passing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { deliver } from '../../../src/outbound/client/index.js';
import { hop, message, testOptions } from '../options.js';
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
