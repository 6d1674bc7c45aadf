// STARTTLS as a client (queue-and-bounces.md §7, RFC 3207): opportunistic by default, verified where the
// hop says so, TLS 1.2 at least, a failed opportunistic handshake retried once in clear
// (TLSFallbacktoClear), and the TLS facts of the session in the report.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientTlsContext, deliver, tlsSummary } from '../../../src/outbound/client/index.js';
import { createOutboundPool } from '../../../src/outbound/pool/index.js';
import { makeCert } from '../certs.js';
import { hop, message, SIMPLE_BODY, testOptions } from '../options.js';
import { startPeer, type Peer, type PeerScript } from '../peer.js';

let dir = '';
let cert: { cert: string; key: string };
let tls: { cert: Buffer; key: Buffer };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postern-client-tls-'));
  cert = makeCert(dir, 'mx.dest.test');
  tls = { cert: await readFile(cert.cert), key: await readFile(cert.key) };
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function withPeer(script: PeerScript, f: (p: Peer) => Promise<void>): Promise<void> {
  const p = await startPeer(script);
  try {
    await f(p);
  } finally {
    await p.close();
  }
}

test('opportunistic: STARTTLS, EHLO again, the mail under TLS 1.3; the facts say unverified (self-signed), CN given', async () => {
  await withPeer({ tls }, async (p) => {
    const r = await deliver([hop(p.port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions());
    assert.equal(r.outcomes[0]!.status, 'sent');
    assert.equal(r.tls?.version, 'TLSv1.3');
    assert.equal(r.tls?.verified, false);
    assert.equal(r.tls?.peerCN, 'mx.dest.test');
    assert.ok(r.tls!.bits >= 128);
    assert.match(tlsSummary(r.tls!), /^version=TLSv1\.3 cipher=TLS_\S+ bits=\d+ verify=FAIL$/);
    assert.deepEqual(r.tried[0]!.tls, r.tls);
    const s = p.sessions[0]!;
    assert.equal(s.tls, true);
    assert.deepEqual(s.commands.slice(0, 3), ['EHLO client.postern.test', 'STARTTLS', 'EHLO client.postern.test']);
    assert.equal(s.data.length, 1);
  });
});

test('verify: a certificate the client does not trust is a temporary 4.7.5 and no mail is sent', async () => {
  await withPeer({ tls }, async (p) => {
    const r = await deliver([hop(p.port, { tls: 'verify' })], message(SIMPLE_BODY, ['a@dest.test']), testOptions());
    const o = r.outcomes[0]!;
    assert.equal(o.status, 'temp');
    assert.equal(o.stage, 'starttls');
    assert.equal(o.reply.enh, '4.7.5');
    assert.match(o.reply.text, /^TLS certificate of mx\.dest\.test not verified: /);
    assert.ok(!p.sessions[0]!.commands.some((c) => c.startsWith('MAIL')));
  });
});

test('verify: trusted through CACertFile and matching the MX name: sent, verify=OK; the wrong name: 4.7.5', async () => {
  const ctx = await clientTlsContext(cert.cert);
  await withPeer({ tls }, async (p) => {
    const r = await deliver([hop(p.port, { tls: 'verify', host: 'mx.dest.test' })], message(SIMPLE_BODY, ['a@dest.test']), testOptions({ tlsContext: ctx }));
    assert.equal(r.outcomes[0]!.status, 'sent');
    assert.equal(r.tls?.verified, true);
    assert.match(tlsSummary(r.tls!), / verify=OK$/);
    const r2 = await deliver(
      [hop(p.port, { tls: 'verify', host: '127.0.0.1', mxName: 'other.dest.test' })],
      message(SIMPLE_BODY, ['a@dest.test']),
      testOptions({ tlsContext: ctx }),
    );
    assert.equal(r2.outcomes[0]!.status, 'temp');
    assert.equal(r2.outcomes[0]!.reply.enh, '4.7.5');
    assert.match(r2.outcomes[0]!.reply.text, /other\.dest\.test/);
  });
});

test('verify: a peer without STARTTLS is a temporary 4.7.10; opportunistic just goes on in clear', async () => {
  await withPeer({}, async (p) => {
    const r = await deliver([hop(p.port, { tls: 'verify' })], message(SIMPLE_BODY, ['a@dest.test']), testOptions());
    assert.equal(r.outcomes[0]!.status, 'temp');
    assert.equal(r.outcomes[0]!.reply.enh, '4.7.10');
    const r2 = await deliver([hop(p.port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions());
    assert.equal(r2.outcomes[0]!.status, 'sent');
    assert.equal(r2.tls, undefined);
  });
});

test('a broken handshake: retried once in clear (TLSFallbacktoClear); remembered by the pool; without fallback: 4.7.5', async () => {
  await withPeer({ brokenTls: 'garbage' }, async (p) => {
    const pool = createOutboundPool({ maxConnections: 0, maxPerDestination: 0, cacheSize: 0, idleMs: 0, hostStatusMs: 60_000, quitMs: 1000 });
    const r = await deliver([hop(p.port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions({ pool }));
    assert.equal(r.outcomes[0]!.status, 'sent');
    assert.equal(r.tls, undefined);
    assert.deepEqual(
      p.sessions.map((s) => s.commands.includes('STARTTLS')),
      [true, false],
    );
    // The next delivery to that address skips STARTTLS at once.
    await deliver([hop(p.port)], message(SIMPLE_BODY, ['b@dest.test']), testOptions({ pool }));
    assert.equal(p.sessions.length, 3);
    assert.equal(p.sessions[2]!.commands.includes('STARTTLS'), false);
    await pool.close();
    const r2 = await deliver([hop(p.port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions({ tlsFallbackToClear: false }));
    assert.equal(r2.outcomes[0]!.status, 'temp');
    assert.equal(r2.outcomes[0]!.stage, 'starttls');
    assert.match(r2.outcomes[0]!.reply.text, /^TLS with mx\.dest\.test failed: /);
  });
});

test('TLS 1.2 is the floor: a peer that only speaks TLS 1.1 gets the mail in clear (opportunistic), never over TLS 1.1', async () => {
  await withPeer({ tls: { ...tls, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' } }, async (p) => {
    const r = await deliver([hop(p.port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions());
    assert.equal(r.outcomes[0]!.status, 'sent');
    assert.equal(r.tls, undefined);
    assert.equal(p.sessions.length, 2);
    assert.equal(p.sessions[1]!.tls, false);
  });
});

test('STARTTLS refused with 454: opportunistic goes on in clear on the same connection; tls=none never asks', async () => {
  await withPeer({ brokenTls: undefined, extensions: ['PIPELINING', 'STARTTLS'] }, async (p) => {
    const r = await deliver([hop(p.port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions());
    assert.equal(r.outcomes[0]!.status, 'sent');
    assert.equal(p.sessions.length, 1);
    assert.deepEqual(p.sessions[0]!.commands.slice(0, 2), ['EHLO client.postern.test', 'STARTTLS']);
  });
  await withPeer({ tls }, async (p) => {
    await deliver([hop(p.port, { tls: 'none' })], message(SIMPLE_BODY, ['a@dest.test']), testOptions());
    assert.equal(p.sessions[0]!.commands.includes('STARTTLS'), false);
  });
});

test('an address-literal host ([127.0.0.1]): no SNI, TLS works, the name check is against the address', async () => {
  await withPeer({ tls }, async (p) => {
    const r = await deliver([hop(p.port, { host: '[127.0.0.1]' })], message(SIMPLE_BODY, ['a@dest.test']), testOptions({ tlsContext: await clientTlsContext(cert.cert) }));
    assert.equal(r.outcomes[0]!.status, 'sent');
    assert.equal(r.tls?.verified, false);
    assert.match(r.tls?.verifyError ?? '', /IP: 127\.0\.0\.1/);
  });
});
