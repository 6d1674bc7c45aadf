// privacy-options.md §3: the rows of the test table that concern the SMTP server (the mailq and queue-run
// rows belong to the command line), plus the observed goaway behaviour of §2 and the needexpnhelo flag.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { DEFAULT_KEYWORDS, deliver, ehloReply, greeted, r, talk } from './conformance.js';

async function withServer(privacy: string | undefined, run: (s: TestServer) => Promise<void>): Promise<void> {
  const s = await startTestServer({ conf: privacy === undefined ? [] : [`PrivacyOptions = ${privacy}`] });
  try {
    await run(s);
  } finally {
    await s.close();
  }
}

test('Postern default (goaway,restrictmailq,restrictqrun): VRFY, EXPN, MAIL before HELO, VERB, ETRN, EHLO', async () => {
  await withServer(undefined, async (s) => {
    const c = await s.session();
    await talk(c, [
      ['VRFY root', r('cannotVrfy')],
      ['VRFY', r('cannotVrfy')],
      ['EXPN root', r('notAllowed')],
      ['EXPN', r('notAllowed')],
      ['MAIL FROM:<a@example.com>', r('politeHelo')],
      ['RCPT TO:<bob@mx.example.com>', r('needMail')],
      ['VERB', r('verboseUnavailable')],
      ['ETRN example.com', r('etrnStarted', { node: 'example.com' })],
      ['EHLO client.example', ehloReply(DEFAULT_KEYWORDS)],
      ['VRFY root', r('cannotVrfy')],
      ['EXPN root', r('notAllowed')],
      ['VERB', r('verboseUnavailable')],
      ['ETRN example.com', r('etrnStarted', { node: 'example.com' })],
    ]);
    c.close();
    assert.equal(r('cannotVrfy'), '252 2.5.2 Cannot VRFY user; try RCPT to attempt delivery (or try finger)');
    assert.equal(r('notAllowed'), '502 5.7.0 Sorry, we do not allow this operation');
    assert.equal(r('politeHelo'), '503 5.0.0 Polite people say HELO first');
    assert.equal(r('verboseUnavailable'), '502 5.7.0 Verbose unavailable');
    assert.equal(r('etrnStarted', { node: 'example.com' }), '250 2.0.0 Queuing for node example.com started');
  });
});

test('needvrfyhelo only: VRFY before HELO is refused with the 503; needexpnhelo likewise for EXPN', async () => {
  await Promise.all([
    withServer('needvrfyhelo', async (s) => {
      const c = await s.session();
      await talk(c, [
        ['VRFY root', r('introduceYourself')],
        ['EXPN root', /^250 /],
        ['HELO client.example', r('heloOk')],
        ['VRFY root', /^250 /],
      ]);
      c.close();
    }),
    withServer('needexpnhelo', async (s) => {
      const c = await s.session();
      await talk(c, [
        ['EXPN root', r('introduceYourself')],
        ['VRFY root', /^250 /],
      ]);
      c.close();
    }),
  ]);
  assert.equal(r('introduceYourself'), '503 5.0.0 I demand that you introduce yourself first');
});

test('public: VRFY root shows the full name; novrfy,needvrfyhelo: novrfy is checked first', async () => {
  await Promise.all([
    withServer('public', async (s) => {
      const c = await s.session();
      assert.equal(await c.cmd('VRFY root'), '250 2.1.5 Charlie Root <root@mx.example.com>');
      c.close();
    }),
    withServer('novrfy,needvrfyhelo', async (s) => {
      const c = await s.session();
      await talk(c, [
        ['VRFY x', r('cannotVrfy')],
        ['VRFY', r('cannotVrfy')],
      ]);
      c.close();
    }),
  ]);
});

test('noexpn: neither EXPN nor VERB listed, both refused; noverb: EXPN listed, VERB not', async () => {
  await Promise.all([
    withServer('noexpn', async (s) => {
      const c = await s.session();
      await talk(c, [
        ['EHLO client.example', ehloReply(['ENHANCEDSTATUSCODES', 'PIPELINING', '8BITMIME', 'SIZE 26214400', 'DSN', 'ETRN', 'HELP'])],
        ['EXPN root', r('notAllowed')],
        ['VERB', r('verboseUnavailable')],
      ]);
      c.close();
    }),
    withServer('noverb', async (s) => {
      const c = await s.session();
      await talk(c, [
        ['EHLO client.example', ehloReply(['ENHANCEDSTATUSCODES', 'PIPELINING', 'EXPN', '8BITMIME', 'SIZE 26214400', 'DSN', 'ETRN', 'HELP'])],
        ['VERB', r('verboseUnavailable')],
        ['EXPN root', /^250 2\.1\.5 /],
      ]);
      c.close();
    }),
  ]);
});

test('noreceipts: no DSN in EHLO; NOTIFY refused', async () => {
  await withServer('noreceipts', async (s) => {
    const c = await s.session();
    await talk(c, [
      ['EHLO client.example', ehloReply(['ENHANCEDSTATUSCODES', 'PIPELINING', 'EXPN', 'VERB', '8BITMIME', 'SIZE 26214400', 'ETRN', 'HELP'])],
      ['MAIL FROM:<a@example.com>', r('senderOk', undefined, '<a@example.com>')],
      ['RCPT TO:<b@example.com> NOTIFY=SUCCESS', '504 5.7.0 Sorry, NOTIFY not supported, we do not allow DSN'],
    ]);
    c.close();
  });
});

test('noetrn: no ETRN in EHLO; ETRN refused', async () => {
  await withServer('noetrn', async (s) => {
    const c = await s.session();
    await talk(c, [
      ['EHLO client.example', ehloReply(['ENHANCEDSTATUSCODES', 'PIPELINING', 'EXPN', 'VERB', '8BITMIME', 'SIZE 26214400', 'DSN', 'HELP'])],
      ['ETRN example.com', r('notAllowed')],
    ]);
    c.close();
  });
});

test('authwarnings absent: MAIL without HELO (needmailhelo off) adds no X-Authentication-Warning', async () => {
  await withServer('public', async (s) => {
    const c = await s.session();
    const id = await deliver(c, '<a@example.com>', ['<bob@mx.example.com>'], 'Subject: quiet\r\n\r\nx\r\n');
    c.close();
    const text = await s.data(id);
    assert.match(text, /^Received: from localhost \[127\.0\.0\.1\]\r\n/);
    assert.doesNotMatch(text, /X-Authentication-Warning/);
  });
});

test('goaway still accepts a greeted MAIL (DSN on, as in 8.17)', async () => {
  await withServer('goaway', async (s) => {
    const c = await greeted(s);
    await talk(c, [
      ['MAIL FROM:<a@example.com> RET=HDRS', r('senderOk', undefined, '<a@example.com>')],
      ['RCPT TO:<bob@mx.example.com> NOTIFY=SUCCESS', r('recipientOk', undefined, '<bob@mx.example.com>')],
    ]);
    c.close();
  });
});
