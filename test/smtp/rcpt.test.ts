// smtp-session.md §7: RCPT, every check in order, every §7.2 parameter row, local verification, the
// duplicate rule (first spelling) and BadRcptThrottle.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../helpers/raw-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { deliver, envelope, greeted, qidOf, message, r, talk, timed } from './conformance.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

const ok = (typed: string): string => r('recipientOk', undefined, typed);

/** A session with an open transaction. */
async function inTransaction(s: TestServer = srv): Promise<RawClient> {
  const c = await greeted(s);
  assert.equal(await c.cmd('MAIL FROM:<a@example.org>'), r('senderOk', undefined, '<a@example.org>'));
  return c;
}

test('§7 step 1: RCPT without MAIL', async () => {
  const c = await greeted(srv);
  await talk(c, [
    ['RCPT TO:<bob@mx.example.com>', r('needMail')],
    ['RCPT TO:', r('needMail')],
  ]);
  c.close();
});

test('§7 steps 3-4: syntax of the RCPT argument; the null path is no recipient', async () => {
  const c = await inTransaction();
  await talk(c, [
    ['RCPT', r('syntaxScanning', { word: '' })],
    ['RCPT TO', r('syntaxScanning', { word: 'TO' })],
    ['RCPT TO:', r('syntaxScanning', { word: 'TO' })],
    ['RCPT TO:  ', r('syntaxScanning', { word: 'TO' })],
    ['RCPT FROM:<a@b.example>', r('syntaxScanning', { word: 'FROM' })],
    ['RCPT TO <bob@mx.example.com>', r('syntaxScanning', { word: 'TO' })],
    ['RCPT TO:<>', r('userAddressRequired', undefined, '<>')],
    ['rcpt to: <bob@mx.example.com>', ok('<bob@mx.example.com>')],
    ['RCPT TO:root', ok('root')],
  ]);
  assert.equal(r('userAddressRequired', undefined, '<>'), '553 5.0.0 <>... User address required');
  c.close();
});

test('§7 step 5: programs, files and :include: given directly are refused', async () => {
  const c = await inTransaction();
  await talk(c, [
    ['RCPT TO:<"|/bin/sh">', r('mailToProgram', undefined, '<"|/bin/sh">')],
    ['RCPT TO:<"|/bin/sh -c id"@mx.example.com>', r('mailToProgram', undefined, '<"|/bin/sh -c id"@mx.example.com>')],
    ['RCPT TO:</etc/passwd>', r('mailToFile', undefined, '</etc/passwd>')],
    ['RCPT TO:<"/tmp/x"@localhost>', r('mailToFile', undefined, '<"/tmp/x"@localhost>')],
    ['RCPT TO:<:include:/etc/mail/list>', r('mailToInclude', undefined, '<:include:/etc/mail/list>')],
    // Step 5 comes before the parameters (step 6).
    ['RCPT TO:<"|/bin/sh"> FOO=1', r('mailToProgram', undefined, '<"|/bin/sh">')],
  ]);
  c.close();
});

test('§7.2 NOTIFY and ORCPT rows; unknown parameters', async () => {
  const c = await inTransaction();
  await talk(c, [
    ['RCPT TO:<bob@mx.example.com> NOTIFY=SUCCESS,FAILURE,DELAY', ok('<bob@mx.example.com>')],
    ['RCPT TO:<root@mx.example.com> notify=never', ok('<root@mx.example.com>')],
    ['RCPT TO:<bob@mx.example.com> NOTIFY', r('paramNeedsValue', { param: 'NOTIFY' })],
    ['RCPT TO:<bob@mx.example.com> NOTIFY=BOGUS', r('badNotify', { word: 'BOGUS' })],
    ['RCPT TO:<bob@mx.example.com> NOTIFY=SUCCESS,SOMETIMES', r('badNotify', { word: 'SOMETIMES' })],
    ['RCPT TO:<bob@mx.example.com> NOTIFY=NEVER,SUCCESS', /^501 5\.5\.4 Bad argument "(?:NEVER|SUCCESS)"  to NOTIFY$/],
    ['RCPT TO:<bob@mx.example.com> ORCPT=rfc822;bob+40example.org', ok('<bob@mx.example.com>')],
    ['RCPT TO:<bob@mx.example.com> ORCPT', r('paramNeedsValue', { param: 'ORCPT' })],
    ['RCPT TO:<bob@mx.example.com> ORCPT=rfc822', r('badParamValue', { param: 'ORCPT' })],
    ['RCPT TO:<bob@mx.example.com> ORCPT=rfc822;a+ZZ', r('badParamValue', { param: 'ORCPT' })],
    ['RCPT TO:<bob@mx.example.com> ORCPT=rfc822;a ORCPT=rfc822;b', r('duplicateParam', { param: 'ORCPT' })],
    ['RCPT TO:<bob@mx.example.com> <c@b.example>', r('paramUnrecognized', { keyword: '' })],
    ['RCPT TO:<bob@mx.example.com> FOO=1', r('paramUnrecognized', { keyword: 'FOO' })],
    // Parameter errors come after the address syntax (step 5 before step 6).
    ['RCPT TO:<bob@> FOO=1', r('hostnameRequired', undefined, '<bob@>')],
  ]);
  assert.equal(r('badNotify', { word: 'BOGUS' }), '501 5.5.4 Bad argument "BOGUS"  to NOTIFY');
  c.close();
});

test('§7.2 noreceipts: NOTIFY and ORCPT refused', async () => {
  const s = await startTestServer({ conf: ['PrivacyOptions = noreceipts'] });
  try {
    const c = await inTransaction(s);
    await talk(c, [
      ['RCPT TO:<bob@mx.example.com> NOTIFY=SUCCESS', r('dsnNotAllowed', { param: 'NOTIFY' })],
      ['RCPT TO:<bob@mx.example.com> ORCPT=rfc822;x', r('dsnNotAllowed', { param: 'ORCPT' })],
      ['RCPT TO:<bob@mx.example.com>', ok('<bob@mx.example.com>')],
    ]);
    c.close();
  } finally {
    await s.close();
  }
});

test('§7 step 8: local verification against aliases and users, case-insensitive; postmaster always', async () => {
  const c = await inTransaction();
  await talk(c, [
    ['RCPT TO:<nobody-here@mx.example.com>', r('userUnknown', undefined, '<nobody-here@mx.example.com>')],
    ['RCPT TO:<nobody-here>', r('userUnknown', undefined, '<nobody-here>')],
    ['RCPT TO:<olduser@mx.example.com>', '550 5.1.1 <olduser@mx.example.com>... This user has left'],
    ['RCPT TO:<ann@mx.example.com>', ok('<ann@mx.example.com>')],
    ['RCPT TO:<team@MX.Example.COM.>', ok('<team@MX.Example.COM.>')],
    ['RCPT TO:<Root@localhost>', ok('<Root@localhost>')],
    ['RCPT TO:<POSTMASTER>', ok('<POSTMASTER>')],
    ['RSET', r('resetState')],
    ['MAIL FROM:<a@example.org>', r('senderOk', undefined, '<a@example.org>')],
    ['RCPT TO:<PostMaster@mx.example.com>', ok('<PostMaster@mx.example.com>')],
  ]);
  c.close();
});

test('§1 rule 3/§7 step 9: a duplicate recipient is accepted again with its first spelling, delivered once', async () => {
  const c = await inTransaction();
  await talk(c, [
    ['RCPT TO:<bob@mx.example.com>', ok('<bob@mx.example.com>')],
    ['RCPT TO:<BOB@MX.EXAMPLE.COM>', ok('<bob@mx.example.com>')],
    ['RCPT TO:<bob@localhost>', ok('<bob@mx.example.com>')],
    ['RCPT TO:bob', ok('<bob@mx.example.com>')],
    ['RCPT TO:<x@remote.example>', ok('<x@remote.example>')],
    ['RCPT TO:<x@REMOTE.example.>', ok('<x@remote.example>')],
  ]);
  const id = qidOf(await message(c, 'Subject: dup\r\n\r\nx\r\n'));
  c.close();
  const env = (await srv.messages()).find((m) => m.envelope.id === id)!.envelope;
  assert.deepEqual(
    env.recipients.map((x) => x.address),
    ['bob@mx.example.com', 'x@remote.example'],
  );
});

test('§3.2/§7 step 2: MaxRecipientsPerMessage counts every 250, duplicates included; the transaction goes on', async () => {
  const s = await startTestServer({ conf: ['MaxRecipientsPerMessage = 3'] });
  try {
    const c = await inTransaction(s);
    await talk(c, [
      ['RCPT TO:<bob@mx.example.com>', ok('<bob@mx.example.com>')],
      ['RCPT TO:<nobody-here@mx.example.com>', r('userUnknown', undefined, '<nobody-here@mx.example.com>')],
      ['RCPT TO:<bob@mx.example.com>', ok('<bob@mx.example.com>')],
      ['RCPT TO:<root@mx.example.com>', ok('<root@mx.example.com>')],
      ['RCPT TO:<ann@mx.example.com>', r('tooManyRecipients')],
      // Checked before the syntax, and the 452 carries no address prefix.
      ['RCPT TO:<bad@>', r('tooManyRecipients')],
    ]);
    assert.equal(r('tooManyRecipients'), '452 4.5.3 Too many recipients');
    const id = qidOf(await message(c, 'Subject: max\r\n\r\nx\r\n'));
    c.close();
    const env = (await s.messages()).find((m) => m.envelope.id === id)!.envelope;
    assert.deepEqual(env.recipients.map((x) => x.address), ['bob@mx.example.com', 'root@mx.example.com']);
  } finally {
    await s.close();
  }
});

test('§7 BadRcptThrottle: once that many RCPTs were rejected, each further RCPT waits 1 s', async () => {
  const s = await startTestServer({ conf: ['BadRcptThrottle = 2'] });
  try {
    const c = await inTransaction(s);
    const fast = await timed(() =>
      talk(c, [
        ['RCPT TO:<nobody1@mx.example.com>', r('userUnknown', undefined, '<nobody1@mx.example.com>')],
        ['RCPT TO:<nobody2@mx.example.com>', r('userUnknown', undefined, '<nobody2@mx.example.com>')],
      ]),
    );
    const bad = await timed(() => c.cmd('RCPT TO:<nobody3@mx.example.com>'));
    const good = await timed(() => c.cmd('RCPT TO:<bob@mx.example.com>'));
    assert.equal(bad.value, r('userUnknown', undefined, '<nobody3@mx.example.com>'));
    assert.equal(good.value, ok('<bob@mx.example.com>'));
    assert.ok(bad.ms >= 950, `rejected RCPT after the threshold waited ${bad.ms} ms`);
    assert.ok(good.ms >= 950, `accepted RCPT after the threshold waited ${good.ms} ms`);
    assert.ok(fast.ms < bad.ms, 'the RCPTs before the threshold are not delayed');
    // A new transaction starts without the delay.
    await talk(c, [['RSET', r('resetState')]]);
    await envelope(c, '<a@example.org>', []);
    const fresh = await timed(() => c.cmd('RCPT TO:<nobody4@mx.example.com>'));
    assert.ok(fresh.ms < 900, `first RCPT of a new transaction waited ${fresh.ms} ms`);
    c.close();
  } finally {
    await s.close();
  }
});

test('§7 a RCPT after the message is answered (transaction reset) needs a new MAIL', async () => {
  const c = await greeted(srv);
  await deliver(c, '<a@example.org>', ['<bob@mx.example.com>'], 'Subject: reset\r\n\r\nx\r\n');
  assert.equal(await c.cmd('RCPT TO:<bob@mx.example.com>'), r('needMail'));
  c.close();
});
