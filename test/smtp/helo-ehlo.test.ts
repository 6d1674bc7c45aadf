// smtp-session.md §5: HELO/EHLO argument rules, the replies, the exact EHLO list for each option
// combination, and what a successful HELO/EHLO does to the transaction and to $s/$r.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../helpers/raw-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { DEFAULT_KEYWORDS, FOREIGN, FOREIGN_IP, deliver, ehloReply, r, talk } from './conformance.js';

async function withServer(conf: string[], run: (srv: TestServer) => Promise<void>): Promise<void> {
  const srv = await startTestServer({ conf });
  try {
    await run(srv);
  } finally {
    await srv.close();
  }
}

/** The EHLO reply a fresh session on `port` gets. */
async function ehloOn(port: number): Promise<string> {
  const c = await RawClient.connect(port);
  assert.equal((await c.reply()).code, 220);
  const reply = await c.cmd('EHLO client.example');
  c.close();
  return reply;
}

test('§5 argument checks: empty, too long, characters; the verb echoed as typed', async () => {
  await withServer([], async (srv) => {
    const c = await srv.session();
    const max = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(64)}`;
    assert.equal(max.length, 256);
    await talk(c, [
      ['HELO', r('heloNeedsDomain', { verb: 'HELO' })],
      ['ehlo', r('heloNeedsDomain', { verb: 'ehlo' })],
      ['EHLO    ', r('heloNeedsDomain', { verb: 'EHLO' })],
    ]);
    c.close();
    // Rejected HELOs count toward the helo limit (§3.4): a second session for the rest.
    const d = await srv.session();
    await talk(d, [
      [`HELO ${max}x`, r('heloInvalid')],
      ['HELO user@host.example.net', r('heloInvalid')],
      ['EHLO host example', r('heloInvalid')],
      ['HELO host,example', r('heloInvalid')],
    ]);
    d.close();
    const accepted = [max, '-host.example.net', '..', 'host.example.net.', '[192.0.2.1]', 'a_b#c:d', 'host.example.net   '];
    await Promise.all(
      accepted.map(async (name) => {
        const s = await srv.session();
        assert.equal(await s.cmd(`HELO ${name}`), r('heloOk'), `HELO ${name}`);
        s.close();
      }),
    );
  });
});

test('§5 AllowBogusHELO=True: empty accepted; invalid accepted with "accepting invalid domain name"', async () => {
  await withServer(['AllowBogusHELO = True'], async (srv) => {
    const c = await srv.session();
    await talk(c, [
      ['HELO', r('heloOk')],
      ['HELO host example', r('heloBogusOk')],
      ['EHLO user@host.example', new RegExp(`^250-${r('heloBogusOk').slice(4).replace(/[.[\]]/g, '\\$&')}\n`)],
    ]);
    c.close();
  });
});

test('§5 replies: HELO one line, EHLO the default list; the client as $_ ([ip] without PTR)', async () => {
  await withServer([], async (srv) => {
    const local = await srv.session();
    await talk(local, [
      ['HELO client.example', r('heloOk')],
      ['EHLO client.example', ehloReply(DEFAULT_KEYWORDS)],
    ]);
    local.close();
    const foreign = await srv.session({ localAddress: FOREIGN_IP });
    await talk(foreign, [
      ['HELO client.example', r('heloOk', { client: FOREIGN })],
      ['EHLO client.example', ehloReply(DEFAULT_KEYWORDS, FOREIGN)],
    ]);
    foreign.close();
  });
});

test('§5 EHLO lists for each option combination, in sendmail order', async () => {
  const rows: Array<[string[], string[]]> = [
    [['PrivacyOptions = public'], ['ENHANCEDSTATUSCODES', 'PIPELINING', 'EXPN', 'VERB', '8BITMIME', 'SIZE 26214400', 'DSN', 'ETRN', 'HELP']],
    [['PrivacyOptions = noexpn'], ['ENHANCEDSTATUSCODES', 'PIPELINING', '8BITMIME', 'SIZE 26214400', 'DSN', 'ETRN', 'HELP']],
    [['PrivacyOptions = noverb'], ['ENHANCEDSTATUSCODES', 'PIPELINING', 'EXPN', '8BITMIME', 'SIZE 26214400', 'DSN', 'ETRN', 'HELP']],
    [['PrivacyOptions = noreceipts'], ['ENHANCEDSTATUSCODES', 'PIPELINING', 'EXPN', 'VERB', '8BITMIME', 'SIZE 26214400', 'ETRN', 'HELP']],
    [['PrivacyOptions = noetrn'], ['ENHANCEDSTATUSCODES', 'PIPELINING', 'EXPN', 'VERB', '8BITMIME', 'SIZE 26214400', 'DSN', 'HELP']],
    [['SMTPUTF8 = True'], ['ENHANCEDSTATUSCODES', 'PIPELINING', '8BITMIME', 'SIZE 26214400', 'DSN', 'SMTPUTF8', 'ETRN', 'HELP']],
    [['MaxMessageSize = 0'], ['ENHANCEDSTATUSCODES', 'PIPELINING', '8BITMIME', 'SIZE', 'DSN', 'ETRN', 'HELP']],
    [['MaxMessageSize = 1000'], ['ENHANCEDSTATUSCODES', 'PIPELINING', '8BITMIME', 'SIZE 1000', 'DSN', 'ETRN', 'HELP']],
    [['SendMimeErrors = False'], ['ENHANCEDSTATUSCODES', 'PIPELINING', '8BITMIME', 'SIZE 26214400', 'ETRN', 'HELP']],
    [
      ['PrivacyOptions = noexpn,noreceipts,noetrn', 'SMTPUTF8 = True', 'MaxMessageSize = 0'],
      ['ENHANCEDSTATUSCODES', 'PIPELINING', '8BITMIME', 'SIZE', 'SMTPUTF8', 'HELP'],
    ],
  ];
  await Promise.all(
    rows.map(([conf, keywords]) =>
      withServer(conf, async (srv) => {
        assert.equal(await ehloOn(srv.port), ehloReply(keywords), conf.join('; '));
      }),
    ),
  );
});

test('§5 listener modifier E: no ETRN in the EHLO list of that listener only, and ETRN refused there', async () => {
  await withServer(['DaemonPortOptions = Name=NOETRN, Addr=127.0.0.1, Port=0, M=E'], async (srv) => {
    const [plain, noEtrn] = srv.server.addresses();
    assert.equal(noEtrn?.name, 'NOETRN');
    assert.equal(await ehloOn(plain!.port), ehloReply(DEFAULT_KEYWORDS));
    assert.equal(await ehloOn(noEtrn!.port), ehloReply(DEFAULT_KEYWORDS.filter((k) => k !== 'ETRN')));
    const c = await RawClient.connect(noEtrn!.port);
    await c.reply();
    assert.equal(await c.cmd('ETRN example.com'), r('notAllowed'));
    c.close();
  });
});

test('§5 a successful HELO/EHLO resets the transaction; $s and $r reach the Received header', async () => {
  await withServer([], async (srv) => {
    const c = await srv.session();
    await talk(c, [
      ['EHLO first.example', /^250-/],
      ['MAIL FROM:<a@example.org>', r('senderOk', undefined, '<a@example.org>')],
      ['EHLO second.example', /^250-/],
      ['RCPT TO:<bob@mx.example.com>', r('needMail')],
      // A rejected HELO leaves the state alone: the transaction stays open.
      ['MAIL FROM:<a@example.org>', r('senderOk', undefined, '<a@example.org>')],
      ['HELO bad name', r('heloInvalid')],
      ['RCPT TO:<bob@mx.example.com>', r('recipientOk', undefined, '<bob@mx.example.com>')],
      ['RSET', r('resetState')],
    ]);
    const esmtp = await deliver(c, '<a@example.org>', ['<bob@mx.example.com>'], 'Subject: e\r\n\r\nx\r\n');
    assert.equal(await c.cmd('HELO third.example'), r('heloOk'));
    const smtp = await deliver(c, '<a@example.org>', ['<bob@mx.example.com>'], 'Subject: h\r\n\r\nx\r\n');
    c.close();
    assert.match(await srv.data(esmtp), /^Received: from second\.example \(localhost \[127\.0\.0\.1\]\)\r\n\tby mx\.example\.com \(Postern\) with ESMTP id /);
    assert.match(await srv.data(smtp), /^Received: from third\.example \(localhost \[127\.0\.0\.1\]\)\r\n\tby mx\.example\.com \(Postern\) with SMTP id /);
    const msgs = await srv.messages();
    const env = msgs.find((m) => m.envelope.id === smtp)!.envelope;
    assert.equal(env.helo, 'third.example');
    assert.equal(env.protocol, 'SMTP');
  });
});
