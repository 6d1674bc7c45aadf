// The AUTH settings around the exchange: the per-client failure limit across sessions (docs/auth.md),
// the submission listener (M=a: 530 before AUTH), a listener without AUTH (M=A), AuthOptions without p
// (AUTH before TLS, and forgotten by STARTTLS as RFC 3207 §4.2 requires), TrustAuthMech, Timeout.auth.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPLIES, render } from '../../src/smtp/replies.js';
import { reverseName } from '../helpers/dns-server.js';
import { DEFAULT_ZONE } from '../helpers/server.js';
import { b64, startAuthServer, tlsSession, upgrade } from '../helpers/auth-fixture.js';

const plain = (user: string, pass: string): string => Buffer.from(`\0${user}\0${pass}`).toString('base64');
const REMOTE = '127.0.0.9';
const ZONE = {
  ...DEFAULT_ZONE,
  PTR: { ...DEFAULT_ZONE.PTR, [reverseName(REMOTE)]: ['client.example.net'] },
  A: { ...DEFAULT_ZONE.A, 'client.example.net': [REMOTE] },
};

test('AuthMaxFailures: failures are counted per client across sessions, then AUTH gets 454 4.7.0', async (t) => {
  const fx = await startAuthServer({ alice: 'wonderland' }, { conf: ['AuthMaxFailures = 3'] });
  t.after(() => fx.close());
  for (let i = 0; i < 3; i++) {
    const s = await tlsSession(fx.srv);
    assert.equal(await s.cmd(`AUTH PLAIN ${plain('alice', `guess${i}`)}`), render(REPLIES.authFailed));
    s.close();
  }
  const s = await tlsSession(fx.srv);
  // Even the right password: the client is refused until the window ends.
  assert.equal(await s.cmd(`AUTH PLAIN ${plain('alice', 'wonderland')}`), '454 4.7.0 Temporary authentication failure');
  s.close();
  const counts = fx.srv.logs.filter((l) => l.event === 'auth-failed').map((l) => l.failures);
  assert.deepEqual(counts, [1, 2, 3]);
  assert.equal(fx.srv.logs.filter((l) => l.event === 'auth-limit').length, 1);
  assert.equal(fx.srv.logs.filter((l) => l.event === 'auth-blocked').length, 1);
  // Another client is not affected.
  const other = await tlsSession(fx.srv, { localAddress: REMOTE });
  assert.equal(await other.cmd(`AUTH PLAIN ${plain('alice', 'wonderland')}`), render(REPLIES.authOk));
  other.close();
});

test('the AUTH counter of a session: mechanisms + 1, the 6th AUTH closes with 421', async (t) => {
  const fx = await startAuthServer({ alice: 'wonderland' }, { conf: ['AuthMaxFailures = 0'] });
  t.after(() => fx.close());
  const s = await tlsSession(fx.srv);
  for (let i = 0; i < 5; i++) assert.equal(await s.cmd(`AUTH PLAIN ${plain('alice', 'no')}`), render(REPLIES.authFailed));
  assert.equal(await s.cmd(`AUTH PLAIN ${plain('alice', 'no')}`), render(REPLIES.tooManyBad, { j: 'mx.example.com' }));
  await s.closed();
});

test('M=a (submission): MAIL before AUTH is 530 5.7.0; after AUTH the message is accepted', async (t) => {
  const fx = await startAuthServer({ alice: 'wonderland' }, { listener: 'Name=MSA, Addr=127.0.0.1, Port=0, M=Ea' });
  t.after(() => fx.close());
  const c = await fx.srv.session();
  const ehlo = await c.cmd('EHLO client.example');
  assert.doesNotMatch(ehlo, /ETRN|AUTH/);
  assert.match(ehlo, /250-STARTTLS/);
  assert.equal(await c.cmd('MAIL FROM:<alice@example.org>'), render(REPLIES.authRequired));
  c.close();
  const s = await tlsSession(fx.srv);
  assert.equal(await s.cmd('MAIL FROM:<alice@example.org>'), render(REPLIES.authRequired));
  assert.equal(await s.cmd(`AUTH PLAIN ${plain('alice', 'wonderland')}`), render(REPLIES.authOk));
  assert.equal(await s.cmd('MAIL FROM:<alice@example.org>'), '250 2.1.0 <alice@example.org>... Sender ok');
  s.close();
});

test('M=A: no AUTH on this listener, even inside TLS', async (t) => {
  const fx = await startAuthServer({ alice: 'wonderland' }, { listener: 'Name=MTA, Addr=127.0.0.1, Port=0, M=A' });
  t.after(() => fx.close());
  const s = await tlsSession(fx.srv);
  assert.doesNotMatch(await s.cmd('EHLO client.example'), /AUTH/);
  assert.equal(await s.cmd(`AUTH PLAIN ${plain('alice', 'wonderland')}`), render(REPLIES.authMechanismUnavailable, { name: 'PLAIN' }));
  s.close();
});

test('AuthOptions without p: AUTH in plaintext, and STARTTLS forgets it (RFC 3207 §4.2)', async (t) => {
  const fx = await startAuthServer({ alice: 'wonderland' }, { conf: ['AuthOptions = A', 'AuthMechanisms = LOGIN PLAIN CRAM-MD5'], dns: ZONE });
  t.after(() => fx.close());
  const c = await fx.srv.session({ localAddress: REMOTE });
  assert.match(await c.cmd('EHLO client.example'), /\n250-AUTH LOGIN PLAIN\n/);
  assert.equal(await c.cmd(`AUTH PLAIN ${plain('alice', 'wonderland')}`), render(REPLIES.authOk));
  assert.equal(await c.cmd('STARTTLS'), render(REPLIES.tlsReady));
  const s = await upgrade(c);
  assert.match(await s.cmd('EHLO client.example'), /\n250-AUTH LOGIN PLAIN\n/);
  assert.equal(await s.cmd('MAIL FROM:<a@example.org>'), '250 2.1.0 <a@example.org>... Sender ok');
  assert.equal(await s.cmd('RCPT TO:<x@other.example>'), render(REPLIES.relayingDeniedAuth, undefined, '<x@other.example>'));
  s.close();
});

test('TrustAuthMech: only the listed mechanisms may relay', async (t) => {
  const fx = await startAuthServer({ alice: 'wonderland' }, { conf: ['Class {TrustAuthMech} LOGIN'], dns: ZONE });
  t.after(() => fx.close());
  const s = await tlsSession(fx.srv, { localAddress: REMOTE });
  assert.equal(await s.cmd(`AUTH PLAIN ${plain('alice', 'wonderland')}`), render(REPLIES.authOk));
  await s.cmd('MAIL FROM:<a@example.org>');
  assert.equal(await s.cmd('RCPT TO:<x@other.example>'), render(REPLIES.relayingDeniedAuth, undefined, '<x@other.example>'));
  s.close();
  const l = await tlsSession(fx.srv, { localAddress: REMOTE });
  await l.cmd(`AUTH LOGIN ${b64('alice')}`);
  assert.equal(await l.cmd(b64('wonderland')), render(REPLIES.authOk));
  await l.cmd('MAIL FROM:<a@example.org>');
  assert.equal(await l.cmd('RCPT TO:<x@other.example>'), '250 2.1.5 <x@other.example>... Recipient ok');
  l.close();
});

test('Timeout.auth: a client silent after a 334 is cut with 421 4.4.2', async (t) => {
  const fx = await startAuthServer({ alice: 'wonderland' }, { conf: ['Timeout.auth = 1s'] });
  t.after(() => fx.close());
  const s = await tlsSession(fx.srv);
  assert.equal(await s.cmd('AUTH LOGIN'), `334 ${b64('Username:')}`);
  assert.equal(await s.text(4000), render(REPLIES.timeout, { j: 'mx.example.com' }));
  await s.closed();
});
