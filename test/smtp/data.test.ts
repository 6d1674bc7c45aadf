// smtp-session.md §8: DATA before 354, dot-unstuffing, the checks after the final dot, the headers the
// server removes and adds (Return-Path, the missing blank line, Received in both forms,
// X-Authentication-Warning), and BDAT (§8.6).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { J, deliver, envelope, expectClose, greeted, message, qidOf, queuedWith, r, re, talk } from './conformance.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

const DATE = '\\w{3}, [1-9]\\d? \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}';

/** The stored text of a message without its Received field (the first field, three lines). */
function afterReceived(text: string): string {
  const m = /^Received: [^\r]*\r\n\t[^\r]*\r\n\t[^\r]*\r\n/.exec(text);
  assert.ok(m, `starts with a three-line Received field: ${JSON.stringify(text.slice(0, 200))}`);
  return text.slice(m[0].length);
}

test('§8.1 DATA before 354: no MAIL, no accepted recipient; then 354 exactly', async () => {
  const c = await greeted(srv);
  await talk(c, [
    ['DATA', r('needMailCommand')],
    ['MAIL FROM:<a@example.org>', r('senderOk', undefined, '<a@example.org>')],
    ['DATA', r('needRcpt')],
    ['RCPT TO:<nobody-here@mx.example.com>', r('userUnknown', undefined, '<nobody-here@mx.example.com>')],
    ['DATA', r('needRcpt')],
    ['RCPT TO:<bob@mx.example.com>', r('recipientOk', undefined, '<bob@mx.example.com>')],
    ['DATA', '354 End data with <CR><LF>.<CR><LF>'],
  ]);
  assert.equal(r('startData'), '354 End data with <CR><LF>.<CR><LF>');
  c.send('.\r\n');
  qidOf(await c.text());
  c.close();
});

test('§8.2 dot-unstuffing removes one leading dot of a longer line; CR LF line ends kept', async () => {
  const c = await greeted(srv);
  const id = await deliver(
    c,
    '<a@example.org>',
    ['<bob@mx.example.com>'],
    'Subject: dots\r\n\r\n..x\r\n. \r\n...\r\n.. \r\na.b\r\nend.\r\n\r\n',
  );
  c.close();
  assert.equal(afterReceived(await srv.data(id)), 'Subject: dots\r\n\r\n.x\r\n \r\n..\r\n. \r\na.b\r\nend.\r\n\r\n');
});

test('§8.3 a NUL byte (RejectNUL default) is refused after the final dot; nothing queued', async () => {
  const c = await greeted(srv);
  await envelope(c, '<a@example.org>', ['<bob@mx.example.com>']);
  assert.equal(await message(c, 'Subject: nul-body\r\n\r\na\0b\r\n'), r('nulByte'));
  // The transaction is reset after the reply; the HELO state is kept.
  await talk(c, [
    ['RCPT TO:<bob@mx.example.com>', r('needMail')],
    ['MAIL FROM:<a@example.org>', r('senderOk', undefined, '<a@example.org>')],
  ]);
  c.close();
  assert.deepEqual(await queuedWith(srv, 'nul-body'), []);
});

test('§8.3 8-bit text: passed by default; refused under EightBitMode=s unless BODY=8BITMIME', async () => {
  const c = await greeted(srv);
  const id = await deliver(c, '<a@example.org>', ['<bob@mx.example.com>'], 'Subject: 8bit-pass\r\n\r\nj\xf6ran\r\n');
  c.close();
  const env = (await srv.messages()).find((m) => m.envelope.id === id)!.envelope;
  assert.equal(env.eightBit, true);
  const strict = await startTestServer({ conf: ['EightBitMode = s'] });
  try {
    const s = await greeted(strict);
    await envelope(s, '<a@example.org>', ['<bob@mx.example.com>']);
    assert.equal(await message(s, 'Subject: 8bit-strict\r\n\r\nj\xf6ran\r\n'), r('eightBitNotAllowed'));
    assert.equal(await s.cmd('MAIL FROM:<a@example.org> BODY=8BITMIME'), r('senderOk', undefined, '<a@example.org>'));
    assert.equal(await s.cmd('RCPT TO:<bob@mx.example.com>'), r('recipientOk', undefined, '<bob@mx.example.com>'));
    qidOf(await message(s, 'Subject: 8bit-declared\r\n\r\nj\xf6ran\r\n'));
    s.close();
    assert.deepEqual(await queuedWith(strict, '8bit-strict'), []);
  } finally {
    await strict.close();
  }
});

test('§8.4 Return-Path fields are removed (continuations too); everything else, Bcc included, is kept', async () => {
  const c = await greeted(srv);
  const id = await deliver(
    c,
    '<a@example.org>',
    ['<bob@mx.example.com>'],
    'Return-Path: <forged@example.net>\r\nSubject: rp\r\nreturn-path:\r\n <also@example.net>\r\nBcc: hidden@example.org\r\nX-Folded: a\r\n\tb\r\n\r\nReturn-Path: body line\r\n',
  );
  c.close();
  assert.equal(
    afterReceived(await srv.data(id)),
    'Subject: rp\r\nBcc: hidden@example.org\r\nX-Folded: a\r\n\tb\r\n\r\nReturn-Path: body line\r\n',
  );
});

test('§8.3 a line that is no header field ends the header: the blank line is inserted', async () => {
  const c = await greeted(srv);
  const a = await deliver(c, '<a@example.org>', ['<bob@mx.example.com>'], 'Subject: no-blank\r\nthis is body\r\nmore\r\n');
  const b = await deliver(c, '<a@example.org>', ['<bob@mx.example.com>'], 'just text from the start\r\nSubject: not a header\r\n');
  const d = await deliver(c, '<a@example.org>', ['<bob@mx.example.com>'], ' leading space\r\n');
  c.close();
  assert.equal(afterReceived(await srv.data(a)), 'Subject: no-blank\r\n\r\nthis is body\r\nmore\r\n');
  assert.equal(afterReceived(await srv.data(b)), '\r\njust text from the start\r\nSubject: not a header\r\n');
  assert.equal(afterReceived(await srv.data(d)), '\r\n leading space\r\n');
});

test('§8.5 Received: one recipient has `for <rcpt>;`, several put the date on its own line', async () => {
  const c = await greeted(srv);
  const one = await deliver(c, '<a@example.org>', ['<bob@mx.example.com>'], 'Subject: one\r\n\r\nx\r\n');
  const bare = await deliver(c, '<a@example.org>', ['root'], 'Subject: bare\r\n\r\nx\r\n');
  const two = await deliver(c, '<a@example.org>', ['<bob@mx.example.com>', '<x@remote.example>'], 'Subject: two\r\n\r\nx\r\n');
  c.close();
  const j = re(J);
  assert.match(
    await srv.data(one),
    new RegExp(`^Received: from client\\.example \\(localhost \\[127\\.0\\.0\\.1\\]\\)\\r\\n\\tby ${j} \\(Postern\\) with ESMTP id ${one}\\r\\n\\tfor <bob@mx\\.example\\.com>; ${DATE}\\r\\nSubject: one\\r\\n`),
  );
  assert.match(await srv.data(bare), new RegExp(`\\r\\n\\tfor <root>; ${DATE}\\r\\nSubject: bare\\r\\n`));
  assert.match(
    await srv.data(two),
    new RegExp(`^Received: from client\\.example \\(localhost \\[127\\.0\\.0\\.1\\]\\)\\r\\n\\tby ${j} \\(Postern\\) with ESMTP id ${two};\\r\\n\\t${DATE}\\r\\nSubject: two\\r\\n`),
  );
});

test('§8.4/§12 authwarnings: MAIL without HELO adds X-Authentication-Warning after Received, and logs it', async () => {
  const warn = await startTestServer({ conf: ['PrivacyOptions = authwarnings'] });
  try {
    const c = await warn.session();
    const id = await deliver(c, '<a@example.org>', ['<bob@mx.example.com>'], 'Subject: nohelo\r\n\r\nx\r\n');
    assert.equal(await c.cmd('HELO client.example'), r('heloOk'));
    const polite = await deliver(c, '<a@example.org>', ['<bob@mx.example.com>'], 'Subject: helo\r\n\r\nx\r\n');
    c.close();
    const text = await warn.data(id);
    // Without HELO the Received field has no parentheses and the `with` word is SMTP.
    assert.match(
      text,
      new RegExp(
        `^Received: from localhost \\[127\\.0\\.0\\.1\\]\\r\\n\\tby ${re(J)} \\(Postern\\) with SMTP id ${id}\\r\\n\\tfor <bob@mx\\.example\\.com>; ${DATE}\\r\\n` +
          `X-Authentication-Warning: ${re(J)}: localhost \\[127\\.0\\.0\\.1\\] didn't use HELO protocol\\r\\nSubject: nohelo\\r\\n`,
      ),
    );
    assert.doesNotMatch(await warn.data(polite), /X-Authentication-Warning/);
    assert.ok(warn.logs.some((l) => l.msg === "localhost [127.0.0.1] didn't use HELO protocol" && l.level === 30));
  } finally {
    await warn.close();
  }
});

test('§8.6 BDAT: 503 and close; the chunk octets are never read as commands', async () => {
  const c = await greeted(srv);
  assert.doesNotMatch(await c.cmd('EHLO client.example'), /CHUNKING/);
  await envelope(c, '<a@example.org>', ['<bob@mx.example.com>']);
  c.send('BDAT 12 LAST\r\nNOOP\r\nQUIT\r\n');
  await expectClose(c, r('bdatNotSupported'));
  assert.equal(r('bdatNotSupported'), '503 5.5.1 BDAT not supported; closing connection');
  const early = await srv.session();
  early.send('bdat 10 LAST\r\n');
  await expectClose(early, r('bdatNotSupported'));
});
