// audit-and-probe.md §3.3: the probe against Postern itself, in-process on loopback, in the
// configurations the spec lists. The probe comes from 127.0.0.2, which Postern does not count as this
// host (relay-and-access.md §7.3), so relaying is judged as for any stranger.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSelfSignedCert } from '../helpers/tls-cert.js';
import { above, args, ids, probe, probeJson, startPostern, type Postern } from './helpers.js';

const SMUGGLING = ['--smuggling', '--send', '--rcpt-local', 'bob@mx.example.com'];
const VECTOR_NAMES = ['lf-dot-lf', 'lf-dot-crlf', 'crlf-dot-lf', 'cr-dot-cr', 'cr-dot-crlf', 'crlf-dot-cr', 'lf-lf-dot-crlf'];

let certDir: string;
before(async () => {
  certDir = await mkdtemp(join(tmpdir(), 'postern-probe-cert-'));
});
after(async () => {
  await rm(certDir, { recursive: true, force: true });
});

async function withPostern(conf: string[], fn: (p: Postern) => Promise<void>): Promise<void> {
  const p = await startPostern(conf);
  try {
    await fn(p);
  } finally {
    await p.close();
  }
}

test('Postern defaults without TLS: only starttls-missing above low, exit 1; every smuggling vector safe', async () => {
  await withPostern([], async ({ srv }) => {
    const { code, report } = await probeJson(srv.port, {}, ...SMUGGLING);
    assert.deepEqual(
      above(report.findings, 'low').map((f) => `${f.severity} ${f.id}`),
      ['medium starttls-missing'],
    );
    assert.equal(code, 1);
    assert.ok(!ids(report.findings).includes('smuggling-inconclusive'));
    assert.ok(!ids(report.findings).includes('bare-lf-accepted'));
    for (const name of VECTOR_NAMES) {
      const s = report.sessions.find((x) => x.check === `smtp-smuggling ${name}`);
      assert.ok(s, name);
      assert.ok(s.transcript.some((l) => /^<<< 421 4\.5\.0 Bare (linefeed \(LF\)|carriage return \(CR\)) not allowed$/.test(l)), `${name}: ${s.transcript.join('\n')}`);
    }
    // Nothing of the smuggling payloads was queued: the 421 discards the message.
    assert.deepEqual(await srv.messages(), []);
  });
});

test('Postern defaults with a certificate: nothing above low, exit 0; TLS 1.2+ and no injection', async () => {
  const { cert, key } = makeSelfSignedCert(certDir);
  await withPostern([`ServerCertFile = ${cert}`, `ServerKeyFile = ${key}`], async ({ srv }) => {
    const { code, report } = await probeJson(srv.port);
    assert.deepEqual(above(report.findings, 'low'), []);
    assert.equal(code, 0);
    const tls = report.sessions.find((s) => s.check === 'starttls')!;
    assert.ok(tls.transcript.some((l) => /^--- TLS handshake done: TLSv1\.[23], /.test(l)), tls.transcript.join('\n'));
    const inj = report.sessions.find((s) => s.check === 'starttls-injection')!;
    const afterTls = inj.transcript.slice(inj.transcript.findIndex((l) => l.startsWith('--- TLS handshake done')));
    assert.equal(afterTls.find((l) => l.startsWith('<<< ')), `<<< 221 2.0.0 mx.example.com closing connection`);
  });
});

// Postern relays for this host's own addresses (127.0.0.1 included, relay-and-access.md §7.3 step 1): from
// there the probe is a client that may relay, and must say so for vector 1 with every sender.
test('a Postern that relays for the probe (probed from 127.0.0.1): CRITICAL open-relay for vector 1 with all three senders, exit 3', async () => {
  await withPostern([], async ({ srv }) => {
    const r = await probe(args(srv.port), { port: srv.port, localAddress: '127.0.0.1' });
    assert.equal(r.code, 3);
    const lines = r.stdout.split('\n');
    for (const sender of ['<>', '<postern-probe@example.com>', '<postern-probe@probe.example.net>']) {
      const prefix = `CRITICAL open-relay relay vector 1 (MAIL FROM:${sender} RCPT TO:<relaytest@relay-probe.invalid>): 250 2.1.5 <relaytest@relay-probe.invalid>... Recipient ok: the server relays for strangers (fix: `;
      assert.ok(lines.some((l) => l.startsWith(prefix)), `missing: ${prefix}\n${r.stdout}`);
    }
    assert.match(lines.at(-2)!, /^probe: \d+ critical, 0 high, 1 medium, 0 low, \d+ info$/);
    // No DATA ever follows a relay recipient: nothing was queued.
    assert.deepEqual(await srv.messages(), []);
  });
});

// audit-and-probe.md §3.3: Postern with the hardening floor off and FEATURE(promiscuous_relay) is an open
// relay for anyone, 127.0.0.2 included; the probe must say so for every vector it can.
test('Postern with HardeningFloor=False and promiscuous_relay, probed from 127.0.0.2: CRITICAL open-relay, exit 3', async () => {
  await withPostern(['HardeningFloor = False', 'Feature promiscuous_relay'], async ({ srv }) => {
    const r = await probe(args(srv.port), { port: srv.port });
    assert.equal(r.code, 3, r.stdout);
    const lines = r.stdout.split('\n');
    for (const sender of ['<>', '<postern-probe@example.com>', '<postern-probe@probe.example.net>']) {
      const prefix = `CRITICAL open-relay relay vector 1 (MAIL FROM:${sender} RCPT TO:<relaytest@relay-probe.invalid>): 250 2.1.5 <relaytest@relay-probe.invalid>... Recipient ok`;
      assert.ok(lines.some((l) => l.startsWith(prefix)), `missing: ${prefix}\n${r.stdout}`);
    }
    assert.deepEqual(await srv.messages(), []);
  });
  // The same server with the floor on refuses to start at all: the probe has nothing to find.
  await assert.rejects(startPostern(['Feature promiscuous_relay']), /promiscuous_relay requires HardeningFloor=False/);
});

test('Postern with PrivacyOptions=public: expn-enabled, vrfy-enabled, verb-enabled, helo-not-required', async () => {
  await withPostern(['PrivacyOptions = public'], async ({ srv }) => {
    const { report } = await probeJson(srv.port);
    const got = ids(report.findings);
    for (const id of ['expn-enabled', 'vrfy-enabled', 'verb-enabled', 'helo-not-required']) assert.ok(got.includes(id), `${id} in ${got.join(' ')}`);
    const vrfy = report.findings.filter((f) => f.id === 'vrfy-enabled').map((f) => f.subject);
    assert.deepEqual(vrfy.sort(), ['VRFY postmaster', 'VRFY root']);
    assert.ok(!got.includes('open-relay'));
  });
});

test('Postern with StrictCRLF=False: smuggling vectors still safe, bare-lf-accepted not reported', async () => {
  await withPostern(['StrictCRLF = False'], async ({ srv }) => {
    const { report } = await probeJson(srv.port, {}, ...SMUGGLING);
    const got = ids(report.findings);
    for (const id of ['smtp-smuggling', 'smuggling-inconclusive', 'bare-lf-accepted']) assert.ok(!got.includes(id), `${id} in ${got.join(' ')}`);
    // Each payload became one message: the smuggled transaction is text inside it, never a second message.
    const msgs = await srv.messages();
    assert.equal(msgs.length, VECTOR_NAMES.length);
    for (const m of msgs) {
      assert.deepEqual(m.envelope.recipients.map((x) => x.address), ['bob@mx.example.com']);
      assert.match(await srv.data(m.envelope.id), /MAIL FROM:<postern-smuggled@example\.com>/);
    }
  });
});

test('--source: the probe connects from the address the operator names', async () => {
  await withPostern([], async ({ srv }) => {
    const { report } = await probeJson(srv.port, { localAddress: null }, '--source', '127.0.0.3');
    const lines = report.sessions.flatMap((s) => s.transcript);
    assert.ok(lines.some((l) => l.includes('Hello [127.0.0.3]')), lines.join('\n'));
    assert.ok(!lines.some((l) => l.includes('Hello [127.0.0.2]')));
  });
});
