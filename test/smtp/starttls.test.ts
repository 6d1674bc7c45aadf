import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { REPLIES, render } from '../../src/smtp/replies.js';
import { RawClient } from '../helpers/raw-client.js';
import { startTestServer, TEST_HOST, type TestServer } from '../helpers/server.js';
import { makeSelfSignedCert } from '../helpers/tls-cert.js';

let certDir: string;
let srv: TestServer;

before(async () => {
  certDir = await mkdtemp(join(tmpdir(), 'postern-cert-'));
  const { cert, key } = makeSelfSignedCert(certDir);
  srv = await startTestServer({ conf: [`ServerCertFile = ${cert}`, `ServerKeyFile = ${key}`] });
});

after(async () => {
  await srv.close();
  await rm(certDir, { recursive: true, force: true });
});

function upgrade(c: RawClient): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const t: TLSSocket = tlsConnect({ socket: c.sock, rejectUnauthorized: false, servername: TEST_HOST }, () => resolve(RawClient.over(t)));
    t.once('error', reject);
  });
}

test('STARTTLS is offered with a certificate, and the session starts afresh inside TLS', async () => {
  const c = await srv.session();
  const ehlo = await c.cmd('EHLO client.example');
  assert.match(ehlo, /\n250-STARTTLS\n250 HELP$/);
  assert.equal(await c.cmd('MAIL FROM:<a@example.org>'), '250 2.1.0 <a@example.org>... Sender ok');
  assert.equal(await c.cmd('STARTTLS'), render(REPLIES.tlsInTransaction));
  assert.equal(await c.cmd('RSET'), render(REPLIES.resetState));
  assert.equal(await c.cmd('STARTTLS'), render(REPLIES.tlsReady));
  const t = await upgrade(c);
  // The plaintext HELO is forgotten (RFC 3207 §4.2): needmailhelo applies again.
  assert.equal(await t.cmd('MAIL FROM:<a@example.org>'), render(REPLIES.politeHelo));
  const inside = await t.cmd('EHLO client.example');
  assert.doesNotMatch(inside, /STARTTLS/);
  assert.match(inside, /^250-mx\.example\.com Hello localhost \[127\.0\.0\.1\], pleased to meet you\n/);
  assert.equal(await t.cmd('STARTTLS'), render(REPLIES.tlsUnavailable));
  assert.equal(await t.cmd('MAIL FROM:<a@example.org>'), '250 2.1.0 <a@example.org>... Sender ok');
  assert.equal(await t.cmd('RCPT TO:<root@mx.example.com>'), '250 2.1.5 <root@mx.example.com>... Recipient ok');
  assert.equal(await t.cmd('DATA'), render(REPLIES.startData));
  t.send('Subject: tls\r\n\r\nhello\r\n.\r\n');
  const ok = await t.text();
  const id = /^250 2\.0\.0 (\S+) Message accepted for delivery$/.exec(ok)?.[1];
  assert.ok(id, ok);
  assert.equal(await t.cmd('QUIT'), `221 2.0.0 ${TEST_HOST} closing connection`);
  const text = await srv.data(id);
  assert.match(text, /^Received: from client\.example \(localhost \[127\.0\.0\.1\]\)\r\n\tby mx\.example\.com \(Postern\) with ESMTPS id \S+\r\n\t\(version=TLSv1\.[23] cipher=\S+ bits=\d+ verify=NO\)\r\n\tfor <root@mx\.example\.com>; /);
});

test('plaintext pipelined behind STARTTLS is discarded, never read as a command', async () => {
  const c = await srv.session();
  await c.cmd('EHLO client.example');
  c.send('STARTTLS\r\nNOOP\r\nMAIL FROM:<evil@example.org>\r\n');
  assert.equal(await c.text(), render(REPLIES.tlsReady));
  const t = await upgrade(c);
  assert.equal(await t.cmd('NOOP'), '250 2.0.0 OK');
  assert.equal(await t.cmd('RCPT TO:<root@mx.example.com>'), render(REPLIES.needMail));
  t.close();
  assert.ok(srv.logs.some((l) => l.event === 'starttls-plaintext-discarded'));
});

test('a failed handshake closes the connection without a reply', async () => {
  const c = await srv.session();
  assert.equal(await c.cmd('STARTTLS'), render(REPLIES.tlsReady));
  c.send('EHLO not-a-tls-hello\r\n');
  await c.closed();
  assert.equal(c.pending, '');
});

test('STARTTLS rules: an argument, and a server without a certificate', async () => {
  const c = await srv.session();
  assert.equal(await c.cmd('STARTTLS now'), render(REPLIES.tlsNoParams));
  c.close();
  const plain = await startTestServer();
  try {
    const p = await plain.session();
    assert.doesNotMatch(await p.cmd('EHLO client.example'), /STARTTLS/);
    assert.equal(await p.cmd('STARTTLS'), '454 4.3.3 TLS not available after start');
    p.close();
  } finally {
    await plain.close();
  }
});
