// smtp-session.md §3.6: replies in command order, and the transaction-stuffing check (StrictPipelining)
// for HELO/EHLO (554, then a null session) and DATA (554 and close, nothing queued); what may follow the
// final dot in the same segment.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { envelope, expectClose, expectReplies, greeted, qidOf, queuedWith, r } from './conformance.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

test('§3.6 pipelined MAIL/RCPT/RSET/NOOP are answered in command order', async () => {
  const c = await greeted(srv);
  c.send(
    'MAIL FROM:<a@example.org>\r\nRCPT TO:<bob@mx.example.com>\r\nRCPT TO:<nobody-here@mx.example.com>\r\n' +
      'RSET\r\nNOOP\r\nRCPT TO:<bob@mx.example.com>\r\nMAIL FROM:<>\r\nRCPT TO:<root>\r\n',
  );
  await expectReplies(c, [
    r('senderOk', undefined, '<a@example.org>'),
    r('recipientOk', undefined, '<bob@mx.example.com>'),
    r('userUnknown', undefined, '<nobody-here@mx.example.com>'),
    r('resetState'),
    r('ok'),
    r('needMail'),
    r('senderOk', undefined, '<>'),
    r('recipientOk', undefined, '<root>'),
  ]);
  c.close();
});

test('§3.6 EHLO with commands behind it in the same segment: 554, then a null session answers', async () => {
  const c = await srv.session();
  c.send('EHLO client.example\r\nNOOP\r\nQUIT\r\n');
  await expectReplies(c, [r('protocolError'), r('ok')]);
  await expectClose(c, r('closing'));
  const warned = srv.logs.find((l) => l.event === 'pipelining-violation' && l.command === 'EHLO');
  assert.ok(warned, 'the violation is logged');
});

test('§3.6 a whole pipelined session behind EHLO: 554, 550 Command rejected, message lines unknown', async () => {
  const c = await srv.session();
  c.send(
    'EHLO client.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@mx.example.com>\r\nDATA\r\n' +
      'Subject: stuffed-helo\r\n\r\nhello\r\n.\r\nQUIT\r\n',
  );
  await expectReplies(c, [
    r('protocolError'),
    r('commandRejected'),
    r('commandRejected'),
    r('commandRejected'),
    r('unrecognized', { line: 'Subject: stuffed-helo' }),
    r('unrecognized', { line: '' }),
    r('unrecognized', { line: 'hello' }),
    r('unrecognized', { line: '.' }),
  ]);
  await expectClose(c, r('closing'));
  assert.deepEqual(await queuedWith(srv, 'stuffed-helo'), []);
});

test('§3.6 the same for HELO', async () => {
  const c = await srv.session();
  c.send('HELO client.example\r\nMAIL FROM:<a@example.org>\r\n');
  await expectReplies(c, [r('protocolError'), r('commandRejected')]);
  c.close();
});

test('§3.6 DATA with text behind it in the same segment: 554, close, no 354, nothing queued', async () => {
  const c = await greeted(srv);
  c.send(
    'MAIL FROM:<a@example.org>\r\nRCPT TO:<bob@mx.example.com>\r\nDATA\r\nSubject: stuffed-data\r\n\r\nhello\r\n.\r\nQUIT\r\n',
  );
  await expectReplies(c, [r('senderOk', undefined, '<a@example.org>'), r('recipientOk', undefined, '<bob@mx.example.com>')]);
  // The commands behind DATA, QUIT included, get no reply.
  await expectClose(c, r('protocolError'));
  assert.deepEqual(await queuedWith(srv, 'stuffed-data'), []);
});

test('§3.6 the check comes after the DATA preconditions: no recipient → 503, the text is read as commands', async () => {
  const c = await greeted(srv);
  c.send(
    'MAIL FROM:<a@example.org>\r\nRCPT TO:<nobody-here@mx.example.com>\r\nDATA\r\nSubject: no-rcpt\r\nNOOP\r\n',
  );
  await expectReplies(c, [
    r('senderOk', undefined, '<a@example.org>'),
    r('userUnknown', undefined, '<nobody-here@mx.example.com>'),
    r('needRcpt'),
    r('unrecognized', { line: 'Subject: no-rcpt' }),
    r('ok'),
  ]);
  c.close();
});

test('§3.6 MAIL and RCPT in the segment of the final dot are answered; a DATA there gets 554', async () => {
  const c = await greeted(srv);
  await envelope(c, '<a@example.org>', ['<bob@mx.example.com>']);
  assert.equal(await c.cmd('DATA'), r('startData'));
  c.send('Subject: after-dot-1\r\n\r\nbody\r\n.\r\nMAIL FROM:<b@example.org>\r\nRCPT TO:<root@mx.example.com>\r\n');
  qidOf(await c.text());
  await expectReplies(c, [r('senderOk', undefined, '<b@example.org>'), r('recipientOk', undefined, '<root@mx.example.com>')]);
  assert.equal(await c.cmd('DATA'), r('startData'));
  c.send('Subject: after-dot-2\r\n\r\nbody\r\n.\r\nMAIL FROM:<c@example.org>\r\nRCPT TO:<root@mx.example.com>\r\nDATA\r\nSubject: after-dot-3\r\n');
  qidOf(await c.text());
  await expectReplies(c, [r('senderOk', undefined, '<c@example.org>'), r('recipientOk', undefined, '<root@mx.example.com>')]);
  await expectClose(c, r('protocolError'));
  assert.equal((await queuedWith(srv, 'after-dot-1')).length, 1);
  assert.equal((await queuedWith(srv, 'after-dot-2')).length, 1);
  assert.deepEqual(await queuedWith(srv, 'after-dot-3'), []);
});

test('§3.6 StrictPipelining=False: commands behind EHLO and DATA are answered normally', async () => {
  const lax = await startTestServer({ conf: ['StrictPipelining = False'] });
  try {
    const c = await lax.session();
    c.send('EHLO client.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@mx.example.com>\r\nDATA\r\nSubject: lax\r\n\r\nx\r\n.\r\n');
    assert.match(await c.text(), /^250-/);
    await expectReplies(c, [r('senderOk', undefined, '<a@example.org>'), r('recipientOk', undefined, '<bob@mx.example.com>'), r('startData')]);
    qidOf(await c.text());
    c.close();
  } finally {
    await lax.close();
  }
});
