import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPLIES, render } from '../../src/smtp/replies.js';
import { startTestServer, TEST_HOST } from '../helpers/server.js';

test('a whole transaction is answered from the reply table and queued with a Received header', async () => {
  const srv = await startTestServer();
  try {
    const c = await srv.connect();
    const greeting = await c.text();
    assert.match(greeting, new RegExp(`^220 ${TEST_HOST} ESMTP Postern; \\w{3}, \\d{1,2} \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}$`));
    assert.equal(
      await c.cmd('EHLO client.example'),
      [
        `250-${TEST_HOST} Hello localhost [127.0.0.1], pleased to meet you`,
        '250-ENHANCEDSTATUSCODES',
        '250-PIPELINING',
        '250-8BITMIME',
        '250-SIZE 26214400',
        '250-DSN',
        '250-ETRN',
        '250 HELP',
      ].join('\n'),
    );
    assert.equal(await c.cmd('MAIL FROM:<alice@example.org>'), render(REPLIES.senderOk, undefined, '<alice@example.org>'));
    assert.equal(await c.cmd('RCPT TO:<root@mx.example.com>'), '250 2.1.5 <root@mx.example.com>... Recipient ok');
    assert.equal(await c.cmd('DATA'), '354 End data with <CR><LF>.<CR><LF>');
    c.send('Subject: hi\r\nReturn-Path: <forged@example.net>\r\n\r\nbody\r\n..dot\r\n.\r\n');
    const accepted = await c.text();
    const m = /^250 2\.0\.0 ([0-9A-Za-z]{14}) Message accepted for delivery$/.exec(accepted);
    assert.ok(m, accepted);
    assert.equal(await c.cmd('QUIT'), `221 2.0.0 ${TEST_HOST} closing connection`);
    await c.closed();
    const msgs = await srv.messages();
    assert.equal(msgs.length, 1);
    assert.equal(msgs[0]!.envelope.id, m[1]);
    assert.equal(msgs[0]!.envelope.sender, 'alice@example.org');
    assert.deepEqual(msgs[0]!.envelope.recipients.map((r) => r.address), ['root@mx.example.com']);
    const text = await srv.data(m[1]!);
    assert.match(
      text,
      new RegExp(
        `^Received: from client\\.example \\(localhost \\[127\\.0\\.0\\.1\\]\\)\\r\\n\\tby ${TEST_HOST.replace(/\./g, '\\.')} \\(Postern\\) with ESMTP id ${m[1]}\\r\\n\\tfor <root@mx\\.example\\.com>; .+\\r\\nSubject: hi\\r\\n\\r\\nbody\\r\\n\\.dot\\r\\n$`,
      ),
    );
    const line = srv.logs.find((l) => l.stat === 'queued');
    assert.equal(line?.qid, m[1]);
    assert.equal(line?.from, '<alice@example.org>');
    assert.equal(line?.nrcpts, 1);
  } finally {
    await srv.close();
  }
});
