// AUTH PLAIN and LOGIN (smtp-session.md §10.2) through a real socket and real TLS: offered only inside
// TLS (AuthOptions=p), every reply of the table, relaying for authenticated clients only
// (relay-and-access.md §7.2, §7.3 step 8), the Received header and protocol word, the envelope's AUTH=,
// the per-client failure limit, and the reset of AUTH state by STARTTLS.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { REPLIES, render } from '../../src/smtp/replies.js';
import { SpoolReader } from '../../src/queue/index.js';
import { reverseName } from '../helpers/dns-server.js';
import { DEFAULT_ZONE } from '../helpers/server.js';
import { b64, startAuthServer, tlsSession, type AuthFixture } from '../helpers/auth-fixture.js';

/** A client that may not relay by address: another loopback address, with a PTR name that resolves back. */
const REMOTE = '127.0.0.9';
const ZONE = {
  ...DEFAULT_ZONE,
  PTR: { ...DEFAULT_ZONE.PTR, [reverseName(REMOTE)]: ['client.example.net'] },
  A: { ...DEFAULT_ZONE.A, 'client.example.net': [REMOTE] },
};

let fx: AuthFixture;
before(async () => {
  fx = await startAuthServer({ alice: 'wonderland', 'bob@example.org': 'b0b' }, { dns: ZONE, conf: ['AuthMaxFailures = 100'] });
});
after(async () => {
  await fx.close();
});

const plain = (authz: string, user: string, pass: string): string => Buffer.from(`${authz}\0${user}\0${pass}`).toString('base64');

test('AUTH is offered only inside TLS; before it every mechanism is "not available"', async () => {
  const c = await fx.srv.session();
  const ehlo = await c.cmd('EHLO client.example');
  assert.doesNotMatch(ehlo, /AUTH/);
  assert.equal(await c.cmd(`AUTH PLAIN ${plain('', 'alice', 'wonderland')}`), render(REPLIES.authMechanismUnavailable, { name: 'PLAIN' }));
  // Nothing offered: the limit of §3.4 is 0 + 1, so the second AUTH of the session closes it.
  assert.equal(await c.cmd('AUTH'), render(REPLIES.tooManyBad, { j: 'mx.example.com' }));
  await c.closed();
  const d = await fx.srv.session();
  await d.cmd('EHLO client.example');
  assert.equal(await d.cmd('AUTH'), render(REPLIES.authNoMechanism));
  d.close();
  const t = await tlsSession(fx.srv);
  const inside = await t.cmd('EHLO client.example');
  assert.match(inside, /\n250-AUTH PLAIN LOGIN\n250 HELP$/);
  assert.equal(await t.cmd('AUTH CRAM-MD5'), render(REPLIES.authMechanismUnavailable, { name: 'CRAM-MD5' }));
  t.close();
});

test('AUTH PLAIN with an initial response, then 503 to a second AUTH; EHLO no longer offers AUTH', async () => {
  const t = await tlsSession(fx.srv);
  assert.equal(await t.cmd(`AUTH PLAIN ${plain('', 'alice', 'wonderland')}`), '235 2.0.0 OK Authenticated');
  assert.equal(await t.cmd(`AUTH PLAIN ${plain('', 'alice', 'wonderland')}`), render(REPLIES.authAlready));
  assert.doesNotMatch(await t.cmd('EHLO client.example'), /AUTH/);
  t.close();
  const ok = fx.srv.logs.find((l) => l.event === 'auth' && l.authid === 'alice');
  assert.ok(ok, 'a success is logged with the user name');
  assert.ok(!JSON.stringify(fx.srv.logs).includes('wonderland'), 'the password is never logged');
  assert.ok(!JSON.stringify(fx.srv.logs).includes(plain('', 'alice', 'wonderland')), 'AUTH lines are never logged');
});

test('AUTH PLAIN without initial response (334 empty challenge), authzid equal to the user', async () => {
  const t = await tlsSession(fx.srv);
  assert.equal(await t.cmd('AUTH PLAIN'), '334 ');
  assert.equal(await t.cmd(plain('bob@example.org', 'bob@example.org', 'b0b')), render(REPLIES.authOk));
  t.close();
});

test('AUTH LOGIN: Username: and Password: challenges, and with an initial user name', async () => {
  const t = await tlsSession(fx.srv);
  assert.equal(await t.cmd('AUTH LOGIN'), `334 ${b64('Username:')}`);
  assert.equal(await t.cmd(b64('alice')), `334 ${b64('Password:')}`);
  assert.equal(await t.cmd(b64('wonderland')), render(REPLIES.authOk));
  t.close();
  const u = await tlsSession(fx.srv);
  assert.equal(await u.cmd(`auth login ${b64('alice')}`), `334 ${b64('Password:')}`);
  assert.equal(await u.cmd(b64('wonderland')), render(REPLIES.authOk));
  u.close();
});

test('wrong credentials, another authorization identity, unknown users: 535; the session may try again', async () => {
  const t = await tlsSession(fx.srv);
  assert.equal(await t.cmd(`AUTH PLAIN ${plain('', 'alice', 'wrong')}`), render(REPLIES.authFailed));
  assert.equal(await t.cmd(`AUTH PLAIN ${plain('bob@example.org', 'alice', 'wonderland')}`), render(REPLIES.authFailed));
  assert.equal(await t.cmd('AUTH LOGIN'), `334 ${b64('Username:')}`);
  assert.equal(await t.cmd(b64('nobody')), `334 ${b64('Password:')}`);
  assert.equal(await t.cmd(b64('wonderland')), render(REPLIES.authFailed));
  t.close();
  const failed = fx.srv.logs.filter((l) => l.event === 'auth-failed');
  assert.ok(failed.length >= 3);
  assert.ok(failed.every((l) => l.authid === undefined), 'failed user names are not logged');
});

test('bad base64, abort with *, AUTH inside a transaction', async () => {
  const t = await tlsSession(fx.srv);
  assert.equal(await t.cmd('AUTH PLAIN not*base64'), render(REPLIES.authBadBase64, { text: 'not*base64' }));
  assert.equal(await t.cmd('AUTH LOGIN'), `334 ${b64('Username:')}`);
  assert.equal(await t.cmd('%%%'), render(REPLIES.authBadContinuation, { text: '%%%' }));
  assert.equal(await t.cmd('AUTH PLAIN'), '334 ');
  assert.equal(await t.cmd('*'), render(REPLIES.authAborted));
  assert.equal(await t.cmd('MAIL FROM:<a@example.org>'), '250 2.1.0 <a@example.org>... Sender ok');
  assert.equal(await t.cmd(`AUTH PLAIN ${plain('', 'alice', 'wonderland')}`), render(REPLIES.authInTransaction));
  t.close();
});

test('relaying: denied without AUTH ("Proper authentication required."), accepted after it', async () => {
  const c = await fx.srv.session({ localAddress: REMOTE });
  await c.cmd('EHLO client.example');
  assert.equal(await c.cmd('MAIL FROM:<a@example.org>'), '250 2.1.0 <a@example.org>... Sender ok');
  assert.equal(await c.cmd('RCPT TO:<x@other.example>'), render(REPLIES.relayingDeniedAuth, undefined, '<x@other.example>'));
  assert.equal(await c.cmd('RCPT TO:<root@mx.example.com>'), '250 2.1.5 <root@mx.example.com>... Recipient ok');
  c.close();
  const t = await tlsSession(fx.srv, { localAddress: REMOTE });
  assert.equal(await t.cmd(`AUTH PLAIN ${plain('', 'alice', 'wonderland')}`), render(REPLIES.authOk));
  assert.equal(await t.cmd('MAIL FROM:<alice@example.org>'), '250 2.1.0 <alice@example.org>... Sender ok');
  assert.equal(await t.cmd('RCPT TO:<x@other.example>'), '250 2.1.5 <x@other.example>... Recipient ok');
  assert.equal(await t.cmd('DATA'), render(REPLIES.startData));
  t.send('Subject: relayed\r\n\r\nhi\r\n.\r\n');
  const id = /^250 2\.0\.0 (\S+) Message accepted for delivery$/.exec(await t.text())?.[1];
  assert.ok(id);
  t.close();
  const text = await fx.srv.data(id);
  assert.match(
    text,
    /^Received: from client\.example \(client\.example\.net \[127\.0\.0\.9\]\) \(authenticated\)\r\n\tby mx\.example\.com \(Postern\) with ESMTPSA id \S+\r\n\t\(version=TLSv1\.[23] cipher=\S+ bits=\d+ verify=NO\)\r\n\tfor <x@other\.example>; /,
  );
  const env = (await new SpoolReader(fx.srv.spoolDir).get(id))!.envelope;
  assert.equal(env.auth, 'alice', 'an authenticated client without AUTH= is named by its user');
  assert.equal(env.protocol, 'ESMTPSA');
  const line = fx.srv.logs.find((l) => l.qid === id && l.stat === 'queued');
  assert.equal(line?.authid, 'alice');
  assert.match(String(line?.tls), /^version=TLSv1\.[23] cipher=\S+ bits=\d+ verify=NO$/);
  const st = fx.srv.logs.find((l) => l.event === 'starttls' && l.client === 'client.example.net [127.0.0.9]');
  assert.ok(st !== undefined && /^TLSv1\.[23]$/.test(String(st.version)) && st.verify === 'NO', 'the handshake is logged with its facts');
});

test('AUTH= on MAIL is kept only in an authenticated session', async () => {
  const t = await tlsSession(fx.srv);
  assert.equal(await t.cmd('MAIL FROM:<a@example.org> AUTH=someone+40example.org'), '250 2.1.0 <a@example.org>... Sender ok');
  assert.equal(await t.cmd('RSET'), render(REPLIES.resetState));
  assert.equal(await t.cmd(`AUTH PLAIN ${plain('', 'alice', 'wonderland')}`), render(REPLIES.authOk));
  assert.equal(await t.cmd('MAIL FROM:<a@example.org> AUTH=alice+40example.org'), '250 2.1.0 <a@example.org>... Sender ok');
  await t.cmd('RCPT TO:<root@mx.example.com>');
  await t.cmd('DATA');
  t.send('Subject: a\r\n\r\nb\r\n.\r\n');
  const id = /^250 2\.0\.0 (\S+) /.exec(await t.text())?.[1];
  assert.ok(id);
  t.close();
  assert.equal((await new SpoolReader(fx.srv.spoolDir).get(id))!.envelope.auth, 'alice@example.org');
});
