// The client against small loopback peers that misbehave on purpose (queue-and-bounces.md §7): 4xx and 5xx
// at each stage, dropped and stalled connections, missing extensions, tiny SIZE limits; the next host is
// tried where RFC 5321 §5 says so, and every recipient ends with the outcome the reply maps to.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { deliver, type NextHop } from '../../../src/outbound/client/index.js';
import { hop, message, SIMPLE_BODY, testOptions, testTimeouts } from '../options.js';
import { startPeer, type Peer, type PeerScript } from '../peer.js';

async function withPeers(scripts: PeerScript[], f: (peers: Peer[]) => Promise<void>): Promise<void> {
  const peers: Peer[] = [];
  try {
    for (const s of scripts) peers.push(await startPeer(s));
    await f(peers);
  } finally {
    for (const p of peers) await p.close();
  }
}

function mx(p: Peer, name: string, extra: Partial<NextHop> = {}): NextHop {
  return hop(p.port, { host: name, ...extra });
}

const summary = (r: { outcomes: Array<{ address: string; status: string; stage: string; reply: { code: number; enh?: string; text: string } }> }): string[] =>
  r.outcomes.map((o) => `${o.address} ${o.status} ${o.stage} ${o.reply.code} ${o.reply.enh ?? '-'} ${o.reply.text}`);

test('pipelined: MAIL, every RCPT and DATA go out as one group; 5xx and 4xx RCPT decide their recipients only', async () => {
  await withPeers(
    [
      {
        answer: (verb, arg) => {
          if (verb === 'RCPT' && arg.includes('gone@')) return '550 5.1.1 <gone@dest.test>... User unknown';
          if (verb === 'RCPT' && arg.includes('busy@')) return '452 4.2.2 Mailbox full';
          return undefined;
        },
      },
    ],
    async ([p]) => {
      const r = await deliver([mx(p!, 'mx1.dest.test')], message(SIMPLE_BODY, ['ok@dest.test', 'gone@dest.test', 'busy@dest.test']), testOptions());
      assert.deepEqual(summary(r), [
        'ok@dest.test sent datafinal 250 2.0.0 queued',
        'gone@dest.test perm rcpt 550 5.1.1 <gone@dest.test>... User unknown',
        'busy@dest.test temp rcpt 452 4.2.2 Mailbox full',
      ]);
      const s = p!.sessions[0]!;
      assert.deepEqual(s.commands.slice(0, 6), [
        'EHLO client.postern.test',
        `MAIL FROM:<ann@src.test> SIZE=${SIMPLE_BODY.length}`,
        'RCPT TO:<ok@dest.test>',
        'RCPT TO:<gone@dest.test>',
        'RCPT TO:<busy@dest.test>',
        'DATA',
      ]);
      assert.equal(r.outcomes[0]!.host, 'mx1.dest.test');
      assert.equal(r.outcomes[0]!.hostAddress, '127.0.0.1');
    },
  );
});

test('without PIPELINING one command at a time; no recipient accepted: RSET, no DATA', async () => {
  await withPeers([{ extensions: ['8BITMIME'], answer: (verb) => (verb === 'RCPT' ? '550 5.7.1 Relaying denied' : undefined) }], async ([p]) => {
    const r = await deliver([mx(p!, 'mx1.dest.test')], message(SIMPLE_BODY, ['a@dest.test', 'b@dest.test']), testOptions());
    assert.deepEqual(summary(r), ['a@dest.test perm rcpt 550 5.7.1 Relaying denied', 'b@dest.test perm rcpt 550 5.7.1 Relaying denied']);
    assert.deepEqual(p!.sessions[0]!.commands, ['EHLO client.postern.test', 'MAIL FROM:<ann@src.test>', 'RCPT TO:<a@dest.test>', 'RCPT TO:<b@dest.test>', 'RSET', 'QUIT']);
  });
});

test('MAIL refused: every recipient gets its reply (5xx permanent, 4xx temporary)', async () => {
  await withPeers(
    [{ answer: (verb) => (verb === 'MAIL' ? '553 5.1.8 Sender domain does not exist' : undefined) }, { answer: (verb) => (verb === 'MAIL' ? '451 4.3.0 Try later' : undefined) }],
    async ([perm, temp]) => {
      const r1 = await deliver([mx(perm!, 'a.test')], message(SIMPLE_BODY, ['x@dest.test', 'y@dest.test']), testOptions());
      assert.deepEqual(summary(r1), ['x@dest.test perm mail 553 5.1.8 Sender domain does not exist', 'y@dest.test perm mail 553 5.1.8 Sender domain does not exist']);
      const r2 = await deliver([mx(temp!, 'b.test')], message(SIMPLE_BODY, ['x@dest.test']), testOptions());
      assert.deepEqual(summary(r2), ['x@dest.test temp mail 451 4.3.0 Try later']);
    },
  );
});

test('SoftBounce=True: a 5xx is reported as temporary, codes turned to 4xx', async () => {
  await withPeers([{ answer: (verb) => (verb === 'RCPT' ? '550 5.1.1 User unknown' : undefined) }], async ([p]) => {
    const r = await deliver([mx(p!, 'mx.test')], message(SIMPLE_BODY, ['x@dest.test']), testOptions({ softBounce: true }));
    assert.deepEqual(summary(r), ['x@dest.test temp rcpt 450 4.1.1 User unknown']);
  });
});

test('a 421 greeting sends the mail to the next MX; the first is listed as tried', async () => {
  await withPeers([{ greeting: '421 4.3.2 busy' }, {}], async ([busy, good]) => {
    const r = await deliver([mx(busy!, 'mx1.dest.test'), mx(good!, 'mx2.dest.test')], message(SIMPLE_BODY, ['x@dest.test']), testOptions());
    assert.deepEqual(summary(r), ['x@dest.test sent datafinal 250 2.0.0 queued']);
    assert.equal(r.host, 'mx2.dest.test');
    assert.deepEqual(
      r.tried.map((t) => [t.host, t.result, t.stage, t.reply?.code]),
      [
        ['mx1.dest.test', 'failed', 'greeting', 421],
        ['mx2.dest.test', 'session', 'datafinal', 250],
      ],
    );
    assert.equal(good!.sessions[0]!.data.length, 1);
  });
});

test('every host greets with 554: permanent with the remote text; one 554 and one refused connection: temporary', async () => {
  await withPeers([{ greeting: '554 5.3.2 no mail here' }, { greeting: '554 5.3.2 nor here' }], async ([a, b]) => {
    const r = await deliver([mx(a!, 'mx1.dest.test'), mx(b!, 'mx2.dest.test')], message(SIMPLE_BODY, ['x@dest.test']), testOptions());
    assert.deepEqual(summary(r), ['x@dest.test perm greeting 554 5.3.2 nor here']);
    // A port nobody listens on (the first peer's, closed below) before the 554 host.
    const deadPort = a!.port;
    await a!.close();
    const r2 = await deliver([hop(deadPort, { host: 'dead.dest.test' }), mx(b!, 'mx2.dest.test')], message(SIMPLE_BODY, ['x@dest.test']), testOptions());
    assert.deepEqual(summary(r2), ['x@dest.test temp greeting 454 4.3.2 nor here']);
  });
});

test('connection refused on every address: temporary 4.4.1 naming the host and address', async () => {
  const p = await startPeer();
  const port = p.port;
  await p.close();
  const r = await deliver([hop(port, { host: 'mx.dead.test', addresses: ['127.0.0.1', '::1'] })], message(SIMPLE_BODY, ['x@dest.test']), testOptions());
  assert.equal(r.outcomes[0]!.status, 'temp');
  assert.equal(r.outcomes[0]!.stage, 'connect');
  assert.equal(r.outcomes[0]!.reply.enh, '4.4.1');
  assert.match(r.outcomes[0]!.reply.text, /^Cannot connect to mx\.dead\.test \[::1\]: /);
  assert.deepEqual(
    r.tried.map((t) => t.address),
    ['127.0.0.1', '::1'],
  );
});

test('a peer that stalls after the greeting: temporary, after Timeout.helo', async () => {
  await withPeers([{ answer: (verb) => (verb === 'EHLO' ? 'stall' : undefined) }], async ([p]) => {
    const t0 = performance.now();
    const r = await deliver([mx(p!, 'slow.test')], message(SIMPLE_BODY, ['x@dest.test']), testOptions({ timeouts: { ...testTimeouts(), helo: 300 } }));
    assert.ok(performance.now() - t0 < 2500);
    assert.deepEqual(summary(r), ['x@dest.test temp ehlo 451 4.4.2 Connection to slow.test [127.0.0.1] lost during ehlo: timeout waiting for a reply (0.3s)']);
  });
});

test('a peer that drops the connection after RCPT: temporary for all; the next MX gets the mail', async () => {
  await withPeers([{ extensions: ['8BITMIME'], answer: (verb) => (verb === 'RCPT' ? 'drop' : undefined) }, {}], async ([bad, good]) => {
    const r = await deliver([mx(bad!, 'mx1.test')], message(SIMPLE_BODY, ['x@dest.test', 'y@dest.test']), testOptions());
    assert.deepEqual(summary(r), [
      'x@dest.test temp rcpt 451 4.4.2 Connection to mx1.test [127.0.0.1] lost during rcpt: connection closed by the peer',
      'y@dest.test temp rcpt 451 4.4.2 Connection to mx1.test [127.0.0.1] lost during rcpt: connection closed by the peer',
    ]);
    const r2 = await deliver([mx(bad!, 'mx1.test'), mx(good!, 'mx2.test')], message(SIMPLE_BODY, ['x@dest.test', 'y@dest.test']), testOptions());
    assert.deepEqual(
      r2.outcomes.map((o) => [o.status, o.host]),
      [
        ['sent', 'mx2.test'],
        ['sent', 'mx2.test'],
      ],
    );
  });
});

test('4xx RCPT at the primary: the recipient is offered to the backup MX; a 421 mid-transaction decides the rest', async () => {
  await withPeers([{ answer: (verb, arg) => (verb === 'RCPT' && arg.includes('grey@') ? '450 4.7.1 Greylisted' : undefined) }, {}], async ([grey, backup]) => {
    const r = await deliver([mx(grey!, 'mx1.test'), mx(backup!, 'mx2.test')], message(SIMPLE_BODY, ['ok@dest.test', 'grey@dest.test']), testOptions());
    assert.deepEqual(
      r.outcomes.map((o) => [o.address, o.status, o.host]),
      [
        ['ok@dest.test', 'sent', 'mx1.test'],
        ['grey@dest.test', 'sent', 'mx2.test'],
      ],
    );
    assert.deepEqual(backup!.sessions[0]!.commands.filter((c) => c.startsWith('RCPT')), ['RCPT TO:<grey@dest.test>']);
  });
  await withPeers([{ answer: (verb, _a, n) => (verb === 'RCPT' && n === 2 ? '421 4.3.2 Shutting down' : undefined) }], async ([p]) => {
    const r = await deliver([mx(p!, 'mx1.test')], message(SIMPLE_BODY, ['a@dest.test', 'b@dest.test', 'c@dest.test']), testOptions());
    assert.deepEqual(summary(r), [
      'a@dest.test temp rcpt 421 4.3.2 Shutting down',
      'b@dest.test temp rcpt 421 4.3.2 Shutting down',
      'c@dest.test temp rcpt 421 4.3.2 Shutting down',
    ]);
  });
});

test('4xx after the final dot: temporary, and never sent to the next MX in the same attempt', async () => {
  await withPeers([{ afterDot: () => '451 4.3.0 Queue file write error' }, {}], async ([a, b]) => {
    const r = await deliver([mx(a!, 'mx1.test'), mx(b!, 'mx2.test')], message(SIMPLE_BODY, ['x@dest.test']), testOptions());
    assert.deepEqual(summary(r), ['x@dest.test temp datafinal 451 4.3.0 Queue file write error']);
    assert.equal(b!.sessions.length, 0);
  });
  await withPeers([{ afterDot: () => 'stall' }, {}], async ([a, b]) => {
    const r = await deliver([mx(a!, 'mx1.test'), mx(b!, 'mx2.test')], message(SIMPLE_BODY, ['x@dest.test']), testOptions({ timeouts: { ...testTimeouts(), datafinal: 300 } }));
    assert.equal(r.outcomes[0]!.status, 'temp');
    assert.equal(r.outcomes[0]!.stage, 'datafinal');
    assert.equal(b!.sessions.length, 0);
  });
});

test('DATA refused: the accepted recipients get its reply', async () => {
  await withPeers([{ answer: (verb) => (verb === 'DATA' ? '554 5.7.1 No thanks' : undefined) }], async ([p]) => {
    const r = await deliver([mx(p!, 'mx.test')], message(SIMPLE_BODY, ['a@dest.test']), testOptions());
    assert.deepEqual(summary(r), ['a@dest.test perm data 554 5.7.1 No thanks']);
  });
});

test('dot-stuffing and line ends: leading dots doubled, bare LF sent as CR LF, a missing final line end added', async () => {
  await withPeers([{}], async ([p]) => {
    const body = 'Subject: dots\r\n\r\n.leading\r\n..two\r\nbare\nLF\r\n.\r\nlast line without end';
    await deliver([mx(p!, 'mx.test')], message(body, ['a@dest.test']), testOptions());
    assert.equal(p!.sessions[0]!.data[0]!.toString('latin1'), 'Subject: dots\r\n\r\n..leading\r\n...two\r\nbare\r\nLF\r\n..\r\nlast line without end\r\n.\r\n');
  });
});

test('more than 100 recipients: one transaction per 100 on the same connection', async () => {
  await withPeers([{}], async ([p]) => {
    const rcpts = Array.from({ length: 230 }, (_, i) => `u${i}@dest.test`);
    const r = await deliver([mx(p!, 'mx.test')], message(SIMPLE_BODY, rcpts), testOptions());
    assert.ok(r.outcomes.every((o) => o.status === 'sent'));
    assert.equal(p!.sessions.length, 1);
    const s = p!.sessions[0]!;
    assert.equal(s.data.length, 3);
    const perTx: number[] = [];
    for (const c of s.commands) {
      if (c.startsWith('MAIL')) perTx.push(0);
      else if (c.startsWith('RCPT')) perTx[perTx.length - 1]!++;
    }
    assert.deepEqual(perTx, [100, 100, 30]);
  });
});

test('EHLO refused with 502: HELO, and no ESMTP parameters at all', async () => {
  await withPeers([{ answer: (verb) => (verb === 'EHLO' ? '502 5.5.1 what?' : undefined) }], async ([p]) => {
    const msg = message('Subject: x\r\n\r\ncaf\u00e9\r\n', [{ address: 'a@dest.test', notify: ['NEVER'] }], { bodyType: '8BITMIME', envid: 'E1', ret: 'FULL' });
    const r = await deliver([mx(p!, 'mx.test')], msg, testOptions());
    assert.equal(r.outcomes[0]!.status, 'sent');
    assert.equal(r.outcomes[0]!.relayed, true);
    assert.deepEqual(p!.sessions[0]!.commands.slice(0, 4), ['EHLO client.postern.test', 'HELO client.postern.test', 'MAIL FROM:<ann@src.test>', 'RCPT TO:<a@dest.test>']);
  });
});

test('an EHLO 421: temporary, stage ehlo', async () => {
  await withPeers([{ answer: (verb) => (verb === 'EHLO' ? '421 4.7.0 go away' : undefined) }], async ([p]) => {
    const r = await deliver([mx(p!, 'mx.test')], message(SIMPLE_BODY, ['a@dest.test']), testOptions());
    assert.deepEqual(summary(r), ['a@dest.test temp ehlo 421 4.7.0 go away']);
  });
});

test('SIZE: a message over the peer\'s limit is refused before MAIL with 552 5.3.4', async () => {
  await withPeers([{ extensions: ['PIPELINING', 'SIZE 20'] }], async ([p]) => {
    const r = await deliver([mx(p!, 'mx.test')], message(SIMPLE_BODY, ['a@dest.test']), testOptions());
    assert.deepEqual(summary(r), [`a@dest.test perm mail 552 5.3.4 Message is too large for mx.test (${SIMPLE_BODY.length} bytes, 20 bytes max)`]);
    assert.equal(r.outcomes[0]!.source, 'local');
    assert.ok(!p!.sessions[0]!.commands.some((c) => c.startsWith('MAIL')));
  });
});

test('SMTPUTF8: needed (UTF-8 address) and not offered: 553 5.6.7; offered: sent with SMTPUTF8; not needed: sent without', async () => {
  await withPeers([{ extensions: ['PIPELINING', '8BITMIME'] }, {}], async ([plain, utf8]) => {
    const msg = message(SIMPLE_BODY, ['j\u00f6rg@dest.test'], { smtputf8: true });
    const r = await deliver([mx(plain!, 'mx.test')], msg, testOptions());
    assert.deepEqual(summary(r), ['j\u00f6rg@dest.test perm mail 553 5.6.7 SMTPUTF8 is required, but mx.test does not offer it']);
    const r2 = await deliver([mx(utf8!, 'mx.test')], msg, testOptions());
    assert.equal(r2.outcomes[0]!.status, 'sent');
    assert.equal(utf8!.sessions[0]!.commands[1], `MAIL FROM:<ann@src.test> SIZE=${SIMPLE_BODY.length} SMTPUTF8`);
    assert.equal(utf8!.sessions[0]!.commands[2], 'RCPT TO:<j\u00f6rg@dest.test>');
    const ascii = message(SIMPLE_BODY, ['jorg@dest.test'], { smtputf8: true });
    const r3 = await deliver([mx(plain!, 'mx.test')], ascii, testOptions());
    assert.equal(r3.outcomes[0]!.status, 'sent');
    assert.equal(plain!.sessions[1]!.commands[1], 'MAIL FROM:<ann@src.test>');
  });
});

test('8-bit body to a peer without 8BITMIME: pass8 sends it as it is (no BODY=); strict refuses with 554 5.6.3', async () => {
  await withPeers([{ extensions: ['PIPELINING', 'DSN'] }], async ([p]) => {
    const body = 'Subject: x\r\n\r\ncaf\u00e9\r\n';
    const r = await deliver([mx(p!, 'mx.test')], message(body, ['a@dest.test'], { bodyType: '8BITMIME' }), testOptions());
    assert.equal(r.outcomes[0]!.status, 'sent');
    assert.equal(p!.sessions[0]!.commands[1], `MAIL FROM:<ann@src.test>`);
    assert.equal(p!.sessions[0]!.data[0]!.toString('utf8'), `${body}.\r\n`);
    const r2 = await deliver([mx(p!, 'mx.test')], message(body, ['a@dest.test']), testOptions({ eightBitMode: 'strict' }));
    assert.deepEqual(summary(r2), ['a@dest.test perm mail 554 5.6.3 Cannot send 8-bit data to 7-bit destination mx.test']);
  });
});

test('DSN offered: NOTIFY and ORCPT passed on and success is not "relayed"; not offered: success is "relayed"', async () => {
  await withPeers([{}, { extensions: ['PIPELINING'] }], async ([dsn, nodsn]) => {
    const msg = message(SIMPLE_BODY, [{ address: 'a@dest.test', notify: ['SUCCESS'], orcpt: 'rfc822;a@dest.test' }], { ret: 'HDRS', envid: 'Q1' });
    const r = await deliver([mx(dsn!, 'mx.test')], msg, testOptions());
    assert.equal(r.outcomes[0]!.relayed, undefined);
    assert.equal(dsn!.sessions[0]!.commands[1], `MAIL FROM:<ann@src.test> SIZE=${SIMPLE_BODY.length} RET=HDRS ENVID=Q1`);
    assert.equal(dsn!.sessions[0]!.commands[2], 'RCPT TO:<a@dest.test> NOTIFY=SUCCESS ORCPT=rfc822;a@dest.test');
    const r2 = await deliver([mx(nodsn!, 'mx.test')], msg, testOptions());
    assert.equal(r2.outcomes[0]!.relayed, true);
    assert.equal(nodsn!.sessions[0]!.commands[2], 'RCPT TO:<a@dest.test>');
  });
});

test('the null sender goes out as MAIL FROM:<>', async () => {
  await withPeers([{}], async ([p]) => {
    await deliver([mx(p!, 'mx.test')], message(SIMPLE_BODY, ['a@dest.test'], { sender: '' }), testOptions());
    assert.equal(p!.sessions[0]!.commands[1], `MAIL FROM:<> SIZE=${SIMPLE_BODY.length}`);
  });
});

test('no hops at all: temporary 4.4.3', async () => {
  const r = await deliver([], message(SIMPLE_BODY, ['a@dest.test']), testOptions());
  assert.deepEqual(summary(r), ['a@dest.test temp connect 451 4.4.3 No host to deliver to']);
});

test('a source address (ClientPortOptions Addr=): the peer sees the connection from 127.0.0.2', async () => {
  let seen = '';
  const probe = createServer((sock) => {
    seen = sock.remoteAddress ?? '';
    // Reading on is what lets this side see the client's close (a paused socket never would).
    sock.resume();
    sock.end('554 5.3.2 no\r\n');
  });
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  try {
    const port = (probe.address() as { port: number }).port;
    const r = await deliver([hop(port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions({ localAddress: '127.0.0.2' }));
    assert.equal(seen, '127.0.0.2');
    assert.equal(r.outcomes[0]!.status, 'perm');
  } finally {
    await new Promise<void>((r) => probe.close(() => r()));
  }
});

test('an address that would break the command line never goes on the wire: 553 5.1.3, the others are sent', async () => {
  await withPeers([{}], async ([p]) => {
    const r = await deliver([mx(p!, 'mx.test')], message(SIMPLE_BODY, ['ok@dest.test', 'x@dest.test>\r\nRCPT TO:<evil@dest.test']), testOptions());
    assert.deepEqual(
      r.outcomes.map((o) => [o.status, o.reply.code, o.reply.enh]),
      [
        ['sent', 250, '2.0.0'],
        ['perm', 553, '5.1.3'],
      ],
    );
    assert.deepEqual(p!.sessions[0]!.commands.filter((c) => c.startsWith('RCPT')), ['RCPT TO:<ok@dest.test>']);
  });
});

test('a 3 MB message arrives intact, written in pieces with back-pressure', async () => {
  await withPeers([{}], async ([p]) => {
    const line = `${'x'.repeat(70)}\r\n`;
    const body = `Subject: big\r\n\r\n${line.repeat(45_000)}.dot\r\n`;
    const r = await deliver([mx(p!, 'mx.test')], message(body, ['a@dest.test']), testOptions());
    assert.equal(r.outcomes[0]!.status, 'sent');
    const got = p!.sessions[0]!.data[0]!.toString('latin1');
    assert.equal(got, `${body.replace('\r\n.dot', '\r\n..dot')}.\r\n`);
  });
});

test('a peer that stops reading during DATA: temporary after Timeout.datablock', async () => {
  await withPeers([{ stopReadingAtData: true, extensions: ['PIPELINING'] }], async ([p]) => {
    const body = Buffer.alloc(24 * 1024 * 1024, 'abcdefghij\r\n');
    const r = await deliver([mx(p!, 'mx.test')], message(body, ['a@dest.test']), testOptions({ timeouts: { ...testTimeouts(), datablock: 300 } }));
    assert.equal(r.outcomes[0]!.status, 'temp');
    assert.equal(r.outcomes[0]!.stage, 'data');
    assert.match(r.outcomes[0]!.reply.text, /timeout writing data/);
  });
});

test('a peer that never greets: temporary after Timeout.initial, stage greeting', async () => {
  await withPeers([{ greeting: 'stall' }], async ([p]) => {
    const r = await deliver([mx(p!, 'mute.test')], message(SIMPLE_BODY, ['x@dest.test']), testOptions({ timeouts: { ...testTimeouts(), initial: 200 } }));
    assert.equal(r.outcomes[0]!.status, 'temp');
    assert.equal(r.outcomes[0]!.stage, 'greeting');
    assert.match(r.outcomes[0]!.reply.text, /^Connection to mute\.test \[127\.0\.0\.1\] lost during greeting: timeout waiting for a reply/);
  });
});

test('IPv6: a peer on ::1 gets the mail; the report names the address', async () => {
  const p = await startPeer({}, '::1');
  try {
    const r = await deliver([hop(p.port, { host: 'mx6.dest.test', addresses: ['::1'] })], message(SIMPLE_BODY, ['x@dest.test']), testOptions());
    assert.equal(r.outcomes[0]!.status, 'sent');
    assert.equal(r.address, '::1');
    assert.equal(r.outcomes[0]!.hostAddress, '::1');
  } finally {
    await p.close();
  }
});

test('garbage for a reply, an endless multi-line reply, an endless line: temporary protocol errors, nothing buffered without end', async () => {
  const lines = (n: number): string => Array.from({ length: n }, (_, i) => `250-line ${i}`).join('\n') + '\n250 end';
  await withPeers(
    [{ answer: (verb) => (verb === 'EHLO' ? 'hello there' : undefined) }, { answer: (verb) => (verb === 'EHLO' ? lines(500) : undefined) }, { answer: (verb) => (verb === 'MAIL' ? `250 ${'x'.repeat(10_000)}` : undefined) }],
    async (peers) => {
      const texts: string[] = [];
      for (const p of peers) {
        const r = await deliver([mx(p, 'odd.test')], message(SIMPLE_BODY, ['x@dest.test']), testOptions());
        assert.equal(r.outcomes[0]!.status, 'temp');
        assert.equal(r.outcomes[0]!.reply.enh, '4.5.0');
        texts.push(r.outcomes[0]!.reply.text);
      }
      assert.deepEqual(texts, [
        'Protocol error from odd.test [127.0.0.1]: not an SMTP reply: "hello there"',
        'Protocol error from odd.test [127.0.0.1]: reply of more than 200 lines',
        'Protocol error from odd.test [127.0.0.1]: reply line longer than 4096 octets',
      ]);
    },
  );
});

test('a peer that takes 3 recipients per transaction (452 4.5.3): the rest go in further transactions at once', async () => {
  const rcptsSinceMail = (s: { commands: string[] }): number => {
    const from = s.commands.map((c) => c.startsWith('MAIL')).lastIndexOf(true);
    return s.commands.slice(from).filter((c) => c.startsWith('RCPT')).length;
  };
  await withPeers([{ answer: (verb, _a, _n, s) => (verb === 'RCPT' && rcptsSinceMail(s) > 3 ? '452 4.5.3 Too many recipients' : undefined) }], async ([p]) => {
    const rcpts = Array.from({ length: 8 }, (_, i) => `u${i}@dest.test`);
    const r = await deliver([mx(p!, 'mx.test')], message(SIMPLE_BODY, rcpts), testOptions());
    assert.ok(r.outcomes.every((o) => o.status === 'sent'), JSON.stringify(r.outcomes));
    assert.equal(p!.sessions.length, 1);
    assert.equal(p!.sessions[0]!.data.length, 3);
  });
});
