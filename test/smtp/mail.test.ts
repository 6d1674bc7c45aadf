// smtp-session.md §6: MAIL, every check in sendmail's order and every §6.2 parameter row; DSN and other
// parameters stored with the queued message.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../helpers/raw-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { deliver, greeted, r, talk } from './conformance.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

type Row = readonly [string, string];

/** Each row is `MAIL FROM:<row[0]>` and its reply; accepted senders are reset before the next row. */
async function mailRows(c: RawClient, rows: readonly Row[]): Promise<void> {
  for (const [arg, want] of rows) {
    assert.equal(await c.cmd(`MAIL FROM:${arg}`), want, `MAIL FROM:${arg}`);
    if (want.startsWith('250 ')) assert.equal(await c.cmd('RSET'), r('resetState'));
  }
}

const ok = (typed: string): string => r('senderOk', undefined, typed);

async function withServer(conf: string[], run: (s: TestServer) => Promise<void>): Promise<void> {
  const s = await startTestServer({ conf });
  try {
    await run(s);
  } finally {
    await s.close();
  }
}

test('§6 step 1 needmailhelo (default): MAIL before HELO is refused, and RCPT then needs MAIL', async () => {
  const c = await srv.session();
  await talk(c, [
    ['MAIL FROM:<a@example.org>', r('politeHelo')],
    ['RCPT TO:<bob@mx.example.com>', r('needMail')],
    ['HELO client.example', r('heloOk')],
    ['MAIL FROM:<a@example.org>', ok('<a@example.org>')],
  ]);
  c.close();
});

test('§6 step 2: a second MAIL in the transaction', async () => {
  const c = await greeted(srv);
  await talk(c, [
    ['MAIL FROM:<a@example.org>', ok('<a@example.org>')],
    ['MAIL FROM:<b@example.org>', r('senderAlready')],
    ['MAIL FROM:<b@example.org> FOO=BAR', r('senderAlready')],
  ]);
  c.close();
});

test('§6 step 3: listener modifier a requires AUTH; checked after HELO and before the syntax', async () => {
  await withServer(['DaemonPortOptions = Name=AUTHREQ, Addr=127.0.0.1, Port=0, M=a'], async (s) => {
    const port = s.server.addresses()[1]!.port;
    const c = await RawClient.connect(port);
    await c.reply();
    await talk(c, [
      ['MAIL FROM:<a@example.org>', r('politeHelo')],
      ['EHLO client.example', /^250-/],
      ['MAIL FROM:<a@example.org>', r('authRequired')],
      ['MAIL TO:<a@example.org>', r('authRequired')],
    ]);
    c.close();
  });
});

test('§6 step 4: syntax of the MAIL argument and the path forms accepted', async () => {
  const c = await greeted(srv);
  await talk(c, [
    ['MAIL', r('syntaxScanning', { word: '' })],
    ['MAIL FROM', r('syntaxScanning', { word: 'FROM' })],
    ['MAIL FROM:', r('syntaxScanning', { word: 'FROM' })],
    ['MAIL FROM: ', r('syntaxScanning', { word: 'FROM' })],
    ['MAIL FROM <a@example.org>', r('syntaxScanning', { word: 'FROM' })],
    ['MAIL TO:<a@b>', r('syntaxScanning', { word: 'TO' })],
    ['MAIL FROMX:<a@b>', r('syntaxScanning', { word: 'FROMX' })],
  ]);
  await mailRows(c, [
    ['user@example.net', ok('user@example.net')],
    ['<<user@example.net>>', ok('<<user@example.net>>')],
    [' <a@example.org>', ok('<a@example.org>')],
    ['<@a.example,@b.example:user@host.example>', ok('<@a.example,@b.example:user@host.example>')],
    ['<>', ok('<>')],
    ['<a@example.org> <c@d.example>', r('paramUnrecognized', { keyword: '' })],
  ]);
  assert.equal(r('paramUnrecognized', { keyword: '' }), '555 5.5.4  parameter unrecognized');
  c.close();
});

test('§6 steps 5, 6, 8 in order: address syntax, then parameters left to right, then the size limit', async () => {
  const c = await greeted(srv);
  await mailRows(c, [
    ['<a@> FOO=BAR', r('hostnameRequired', undefined, '<a@>')],
    ['<a@example.org> SIZE=99999999 FOO=1', r('paramUnrecognized', { keyword: 'FOO' })],
    ['<a@example.org> BODY=X FOO=1', r('unknownBody', { value: 'X' })],
    ['<a@example.org> FOO=1 BODY=X', r('paramUnrecognized', { keyword: 'FOO' })],
  ]);
  c.close();
});

test('§6.2 SIZE, BODY, AUTH= and unknown parameters', async () => {
  const c = await greeted(srv);
  await mailRows(c, [
    ['<a@example.org> SIZE', r('paramNeedsValue', { param: 'SIZE' })],
    ['<a@example.org> SIZE=99999999999999999999', r('sizeOverflow')],
    ['<a@example.org> SIZE=9223372036854775808', r('sizeOverflow')],
    ['<a@example.org> SIZE=9223372036854775807', r('sizeExceedsFixed', { max: 26214400 })],
    ['<a@example.org> SIZE=-1', r('sizeInvalid')],
    ['<a@example.org> SIZE=abc', ok('<a@example.org>')],
    ['<a@example.org> SIZE=12abc', ok('<a@example.org>')],
    ['<a@example.org> SIZE=+100', ok('<a@example.org>')],
    ['<a@example.org> SIZE=26214400', ok('<a@example.org>')],
    ['<a@example.org> SIZE=26214401', r('sizeExceedsFixed', { max: 26214400 })],
    ['<a@example.org> BODY', r('paramNeedsValue', { param: 'BODY' })],
    ['<a@example.org> BODY=7bit', ok('<a@example.org>')],
    ['<a@example.org> BODY=8BITMIME', ok('<a@example.org>')],
    ['<a@example.org> BODY=BINARYMIME', r('unknownBody', { value: 'BINARYMIME' })],
    ['<a@example.org> AUTH=<>', ok('<a@example.org>')],
    ['<a@example.org> AUTH=bob+40example.org', ok('<a@example.org>')],
    ['<a@example.org> AUTH', r('authParamNeedsValue')],
    ['<a@example.org> AUTH=<> AUTH=<>', r('duplicateParam', { param: 'AUTH' })],
    ['<a@example.org> AUTH=a+ZZ', r('badParamValue', { param: 'AUTH' })],
    ['<a@example.org> SMTPUTF8', r('paramUnrecognized', { keyword: 'SMTPUTF8' })],
    ['<a@example.org> FOO=BAR', r('paramUnrecognized', { keyword: 'FOO' })],
    ['<a@example.org> x-foo=1', r('paramUnrecognized', { keyword: 'x-foo' })],
    ['<a@example.org> BY=120;R', r('paramUnrecognized', { keyword: 'BY' })],
    ['<a@example.org> size=100 body=8bitmime ret=hdrs envid=x auth=<>', ok('<a@example.org>')],
  ]);
  assert.equal(r('sizeExceedsFixed', { max: 26214400 }), '552 5.2.3 Message size exceeds fixed maximum message size (26214400)');
  c.close();
});

test('§6.2 RET and ENVID', async () => {
  const c = await greeted(srv);
  const hundred = 'x'.repeat(100);
  await mailRows(c, [
    ['<a@example.org> RET=FULL', ok('<a@example.org>')],
    ['<a@example.org> RET=hdrs', ok('<a@example.org>')],
    ['<a@example.org> RET', r('paramNeedsValue', { param: 'RET' })],
    ['<a@example.org> RET=FULL RET=HDRS', r('duplicateParam', { param: 'RET' })],
    ['<a@example.org> RET=NONE', r('badRet', { value: 'NONE' })],
    ['<a@example.org> ENVID=abc+2Bdef', ok('<a@example.org>')],
    ['<a@example.org> ENVID', r('paramNeedsValue', { param: 'ENVID' })],
    ['<a@example.org> ENVID=a+ZZ', r('badParamValue', { param: 'ENVID' })],
    [`<a@example.org> ENVID=${hundred}`, ok('<a@example.org>')],
    [`<a@example.org> ENVID=${hundred}x`, r('badParamValue', { param: 'ENVID' })],
    // At most 100 characters after decoding.
    [`<a@example.org> ENVID=${'+41'.repeat(100)}`, ok('<a@example.org>')],
    [`<a@example.org> ENVID=${'+41'.repeat(101)}`, r('badParamValue', { param: 'ENVID' })],
    ['<a@example.org> ENVID=a ENVID=b', r('duplicateParam', { param: 'ENVID' })],
  ]);
  assert.equal(r('badRet', { value: 'NONE' }), '501 5.5.2 Bad argument "NONE" to RET');
  c.close();
});

test('§6.2 parameters are accepted after HELO as after EHLO', async () => {
  const c = await srv.session();
  assert.equal(await c.cmd('HELO client.example'), r('heloOk'));
  await mailRows(c, [['<a@example.org> SIZE=100 BODY=8BITMIME RET=FULL ENVID=x', ok('<a@example.org>')]]);
  c.close();
});

test('§6.2 noreceipts: RET and ENVID refused before any other check of the parameter', async () => {
  await withServer(['PrivacyOptions = noreceipts'], async (s) => {
    const c = await greeted(s);
    await mailRows(c, [
      ['<a@example.org> RET=FULL', r('dsnNotAllowed', { param: 'RET' })],
      ['<a@example.org> RET', r('dsnNotAllowed', { param: 'RET' })],
      ['<a@example.org> ENVID=x', r('dsnNotAllowed', { param: 'ENVID' })],
      ['<a@example.org> SIZE=10 BODY=7BIT', ok('<a@example.org>')],
    ]);
    assert.equal(r('dsnNotAllowed', { param: 'RET' }), '504 5.7.0 Sorry, RET not supported, we do not allow DSN');
    c.close();
  });
});

test('§6.2 SMTPUTF8=True: the parameter takes no value; a UTF-8 sender is accepted with it', async () => {
  await withServer(['SMTPUTF8 = True'], async (s) => {
    const c = await greeted(s);
    const utf8 = Buffer.from('<jöran@exämple.org>', 'utf8').toString('latin1');
    await mailRows(c, [
      ['<a@example.org> SMTPUTF8', ok('<a@example.org>')],
      ['<a@example.org> SMTPUTF8=yes', r('smtputf8NoValue')],
      [`${utf8} SMTPUTF8`, ok(utf8)],
    ]);
    c.close();
  });
});

test('§6 step 9: MinFreeBlocks above the free space gives 452', async () => {
  await withServer(['MinFreeBlocks = 999999999999'], async (s) => {
    const c = await greeted(s);
    assert.equal(await c.cmd('MAIL FROM:<a@example.org>'), r('insufficientDisk'));
    c.close();
  });
});

test('§6.2/§7.2 the envelope keeps BODY, RET, ENVID, untrusted AUTH, NOTIFY and ORCPT; the source route is dropped', async () => {
  const c = await greeted(srv);
  await talk(c, [
    ['MAIL FROM:<@relay.example:alice@example.org> BODY=8BITMIME RET=HDRS ENVID=abc+2Bdef AUTH=bob+40example.org', ok('<@relay.example:alice@example.org>')],
    ['RCPT TO:<bob@mx.example.com> NOTIFY=SUCCESS,delay ORCPT=rfc822;bob+40example.org', r('recipientOk', undefined, '<bob@mx.example.com>')],
    ['RCPT TO:<root@mx.example.com> NOTIFY=NEVER', r('recipientOk', undefined, '<root@mx.example.com>')],
    ['RCPT TO:<x@remote.example>', r('recipientOk', undefined, '<x@remote.example>')],
  ]);
  assert.equal(await c.cmd('DATA'), r('startData'));
  c.send('Subject: dsn\r\n\r\nx\r\n.\r\n');
  const id = /^250 2\.0\.0 (\S+) /.exec(await c.text())?.[1];
  assert.ok(id);
  const plain = await deliver(c, '<>', ['<bob@mx.example.com>'], 'Subject: plain\r\n\r\nx\r\n');
  c.close();
  const msgs = await srv.messages();
  const env = msgs.find((m) => m.envelope.id === id)!.envelope;
  assert.equal(env.sender, 'alice@example.org');
  assert.equal(env.bodyType, '8BITMIME');
  assert.equal(env.ret, 'HDRS');
  assert.equal(env.envid, 'abc+def');
  assert.equal(env.auth, '<>', 'AUTH= is not trusted in an unauthenticated session');
  assert.deepEqual(env.recipients, [
    { address: 'bob@mx.example.com', primary: true, orcpt: 'rfc822;bob+40example.org', notify: ['SUCCESS', 'DELAY'] },
    { address: 'root@mx.example.com', primary: true, notify: ['NEVER'] },
    { address: 'x@remote.example', primary: true },
  ]);
  const bare = msgs.find((m) => m.envelope.id === plain)!.envelope;
  assert.equal(bare.sender, '');
  for (const k of ['bodyType', 'ret', 'envid', 'auth'] as const) assert.equal(bare[k], undefined, k);
});
