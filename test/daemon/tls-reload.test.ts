// The server certificate is loaded again when its files change, without a restart (issue 7): a renewed
// certificate is presented by the next STARTTLS once the files have settled; a half-renewed pair (a
// certificate whose key is not there yet) keeps the old one. (TLS 1.2 as the floor: test/e2e/auth.test.ts.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { startTestServer, TEST_HOST, type TestServer } from '../helpers/server.js';
import { makeSelfSignedCert } from '../helpers/tls-cert.js';

async function peerCn(srv: TestServer): Promise<string> {
  const c = await srv.session();
  await c.cmd('EHLO client.example');
  const ready = await c.cmd('STARTTLS');
  assert.equal(ready, '220 2.0.0 Ready to start TLS');
  return new Promise((resolve, reject) => {
    const t: TLSSocket = tlsConnect(
      { socket: c.sock, rejectUnauthorized: false, servername: TEST_HOST },
      () => {
        const cn = t.getPeerCertificate().subject.CN;
        t.destroy();
        resolve(Array.isArray(cn) ? cn.join(',') : String(cn));
      },
    );
    t.once('error', reject);
  });
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1100));

async function age(...files: string[]): Promise<void> {
  const past = new Date(Date.now() - 10_000);
  for (const f of files) await utimes(f, past, past);
}

test('a renewed certificate is presented by the next STARTTLS, once its files have settled', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-reload-'));
  const live = await mkdtemp(join(tmpdir(), 'postern-live-'));
  t.after(() => Promise.all([rm(dir, { recursive: true, force: true }), rm(live, { recursive: true, force: true })]));
  const first = makeSelfSignedCert(live, 'first.example');
  await age(first.cert, first.key);
  const srv = await startTestServer({ conf: [`ServerCertFile = ${first.cert}`, `ServerKeyFile = ${first.key}`] });
  t.after(() => srv.close());
  assert.equal(await peerCn(srv), 'first.example');

  const second = makeSelfSignedCert(dir, 'second.example');
  // Half-renewed: the new certificate without its key. The old pair stays.
  await copyFile(second.cert, first.cert);
  await age(first.cert);
  await settle();
  assert.equal(await peerCn(srv), 'first.example');
  // Both files new but just written: not taken until they have been left alone. (An mtime in the
  // future stands for "just written" however slow this machine is today.)
  await copyFile(second.key, first.key);
  const soon = new Date(Date.now() + 60_000);
  await utimes(first.key, soon, soon);
  await settle();
  assert.equal(await peerCn(srv), 'first.example');
  await age(first.cert, first.key);
  await settle();
  assert.equal(await peerCn(srv), 'second.example');
});
