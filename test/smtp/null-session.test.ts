// smtp-session.md §4: the null session, reached here through the HELO/EHLO pipelining violation of §3.6
// (its rejection reply is `550 5.0.0 Command rejected`). QUIT, NOOP, RSET, HELO, EHLO and unknown
// commands behave normally; every other command gets the rejection, counts as bad, and the 26th closes.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../helpers/raw-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ehloReply, expectClose, expectReplies, r, talk } from './conformance.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ conf: ['PrivacyOptions = public'] });
});
after(async () => {
  await srv.close();
});

async function nullSession(): Promise<RawClient> {
  const c = await srv.session();
  c.send('EHLO client.example\r\nNOOP\r\n');
  await expectReplies(c, [r('protocolError'), r('ok')]);
  return c;
}

test('§4 HELO/EHLO answered, EHLO lists only ENHANCEDSTATUSCODES; NOOP, RSET, unknown commands normal', async () => {
  const c = await nullSession();
  await talk(c, [
    ['EHLO client.example', ehloReply(['ENHANCEDSTATUSCODES'])],
    ['HELO client.example', r('heloOk')],
    ['NOOP', r('ok')],
    ['RSET', r('resetState')],
    ['WHATEVER', r('unrecognized', { line: 'WHATEVER' })],
  ]);
  c.send('QUIT\r\n');
  await expectClose(c, r('closing'));
});

test('§4 every other command gets the rejection verbatim, before any other check and without prefix', async () => {
  const c = await nullSession();
  const rejected = r('commandRejected');
  await talk(c, [
    // RCPT without MAIL: the rejection, not 503 Need MAIL.
    ['RCPT TO:<bob@mx.example.com>', rejected],
    ['MAIL FROM:<a@example.org>', rejected],
    ['MAIL FROM:<a@example.org> FOO=BAR', rejected],
    ['DATA', rejected],
    ['VRFY root', rejected],
    ['EXPN team', rejected],
    ['ETRN example.com', rejected],
    ['VERB', rejected],
    ['HELP', rejected],
    ['STARTTLS', rejected],
    ['AUTH PLAIN', rejected],
    ['SEND FROM:<a@example.org>', rejected],
    ['SAML FROM:<a@example.org>', rejected],
    ['SOML FROM:<a@example.org>', rejected],
    ['TURN', rejected],
  ]);
  assert.equal(await c.cmd('QUIT'), r('closing'));
  await c.closed();
});

test('§4 rejected and unknown commands count as bad: the 26th gets 421 and the connection closes', async () => {
  const c = await nullSession();
  const lines: string[] = [];
  for (let i = 0; i < 20; i++) lines.push('MAIL FROM:<a@example.org>');
  for (let i = 0; i < 5; i++) lines.push(`BOGUS${i}`);
  lines.push('RCPT TO:<bob@mx.example.com>', 'NOOP');
  c.send(lines.map((l) => `${l}\r\n`).join(''));
  await expectReplies(c, [
    ...Array.from({ length: 20 }, () => r('commandRejected')),
    ...Array.from({ length: 5 }, (_, i) => r('unrecognized', { line: `BOGUS${i}` })),
  ]);
  await expectClose(c, r('tooManyBad'));
});
