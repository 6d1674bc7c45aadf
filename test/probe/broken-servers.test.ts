// audit-and-probe.md §3.2–§3.3: the vulnerable behaviours Postern does not have, shown by small
// deliberately-broken SMTP servers on loopback (test/probe/double.ts), each found by the probe.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSelfSignedCert } from '../helpers/tls-cert.js';
import { startDouble, type Double, type DoubleOptions } from './double.js';
import { args, ids, probe, probeJson } from './helpers.js';

let certDir: string;
let cert: { cert: string; key: string };
before(async () => {
  certDir = await mkdtemp(join(tmpdir(), 'postern-probe-double-'));
  cert = makeSelfSignedCert(certDir, 'double.example');
});
after(async () => {
  await rm(certDir, { recursive: true, force: true });
});

/** A server that refuses relaying, so that each test sees only the fault it is about. */
const closed = (a: string): string => (/relay-probe/i.test(a) ? '550 5.7.1 Relaying denied' : '250 2.1.5 Ok');

async function withDouble(opts: DoubleOptions, fn: (d: Double) => Promise<void>): Promise<void> {
  const d = await startDouble({ rcptReply: closed, ...opts });
  try {
    await fn(d);
  } finally {
    await d.close();
  }
}

const SMUGGLE = ['--smuggling', '--send', '--rcpt-local', 'me@double.example'];

test('a server that takes LF . CR LF as end of data: CRITICAL smtp-smuggling naming lf-dot-crlf, exit 3', async () => {
  await withDouble({ extraDataEnds: ['\n.\r\n'] }, async (d) => {
    const r = await probe(args(d.port, ...SMUGGLE), { port: d.port });
    assert.equal(r.code, 3);
    const line = r.stdout.split('\n').find((l) => l.startsWith('CRITICAL smtp-smuggling smuggling lf-dot-crlf: '));
    assert.ok(line, r.stdout);
    assert.match(line, /look for mail from postern-smuggled@double\.example in me@double\.example/);
    // LF . LF is not an end marker there: that vector is safe and not reported.
    assert.ok(!r.stdout.includes('smuggling lf-dot-lf:'), r.stdout);
    // The smuggled transaction really was a second message, from the smuggled sender.
    const s = d.sessions.find((x) => x.messages.length === 2)!;
    assert.ok(s.commands.includes('MAIL FROM:<postern-smuggled@double.example>'), s.commands.join('\n'));
    assert.match(s.messages[1]!, /^From: <postern-smuggled@double\.example>\r\n/);
  });
});

test('a server that takes a bare LF as the end of a command line: MEDIUM bare-lf-accepted', async () => {
  await withDouble({ bareLfCommands: true }, async (d) => {
    const { code, report } = await probeJson(d.port, {}, ...SMUGGLE);
    const f = report.findings.filter((x) => x.id === 'bare-lf-accepted');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'medium');
    assert.equal(f[0]!.message, 'a bare LF ends a command line: NOOP<LF>NOOP<CR><LF> got 250 2.0.0 OK and 250 2.0.0 OK');
    assert.ok(f[0]!.transcript!.includes('>>> NOOP<LF>NOOP'));
    assert.equal(code, 1);
  });
});

test('a server that executes plaintext pipelined behind STARTTLS inside TLS: CRITICAL starttls-injection', async () => {
  await withDouble({ extensions: ['PIPELINING', 'STARTTLS'], tls: { ...cert, keepPlaintext: true } }, async (d) => {
    const { code, report } = await probeJson(d.port);
    const f = report.findings.find((x) => x.id === 'starttls-injection');
    assert.ok(f, JSON.stringify(report.findings.map((x) => x.id)));
    assert.equal(f.severity, 'critical');
    assert.equal(f.message, 'the plaintext NOOP sent with STARTTLS was answered inside TLS: 250 2.0.0 OK');
    assert.equal(code, 3);
  });
});

test('the same server without the flaw: no starttls-injection, no TLS finding at all', async () => {
  await withDouble({ extensions: ['PIPELINING', 'STARTTLS'], tls: cert }, async (d) => {
    const { report } = await probeJson(d.port);
    const got = ids(report.findings);
    for (const id of ['starttls-injection', 'starttls-failed', 'tls-old-protocol', 'starttls-missing']) assert.ok(!got.includes(id), got.join(' '));
  });
});

test('AUTH PLAIN / LOGIN offered without TLS: HIGH auth-cleartext (both spellings of the AUTH line)', async () => {
  for (const ext of [['AUTH PLAIN LOGIN CRAM-MD5'], ['AUTH=LOGIN PLAIN']]) {
    await withDouble({ extensions: ext }, async (d) => {
      const { code, report } = await probeJson(d.port);
      const f = report.findings.find((x) => x.id === 'auth-cleartext');
      assert.ok(f, ext[0]);
      assert.equal(f.severity, 'high');
      assert.match(f.message, /^AUTH (PLAIN LOGIN|LOGIN PLAIN) offered on an unencrypted connection/);
      assert.equal(code, 2);
    });
  }
  await withDouble({ extensions: ['AUTH CRAM-MD5'] }, async (d) => {
    const { report } = await probeJson(d.port);
    assert.ok(!ids(report.findings).includes('auth-cleartext'));
  });
});

test('a greeting with a version: INFO banner-version quoting the token', async () => {
  const cases: Array<[string, string | undefined]> = [
    ['220 mail.example.org ESMTP Sendmail 8.17.1.9/8.17.1.9; Sat, 21 Nov 2026 05:25:05 GMT', 'Sendmail 8.17.1.9/8.17.1.9'],
    ['220 mail.example.org ESMTP Postfix 3.7.11', 'Postfix 3.7.11'],
    ['220 mail.example.org ESMTP Exim 4.96 Sat, 21 Nov 2026 05:25:05 +0000', 'Exim 4.96'],
    ['220 mail.example.org ESMTP MyMTA 2.4.1 ready', '2.4.1'],
    ['220 [192.0.2.1] ESMTP ready', undefined],
    ['220 mail.example.org ESMTP Postfix (Debian/GNU)', undefined],
  ];
  for (const [greeting, token] of cases) {
    await withDouble({ greeting }, async (d) => {
      const { report } = await probeJson(d.port, {}, '--no-tls');
      const f = report.findings.find((x) => x.id === 'banner-version');
      if (token === undefined) assert.equal(f, undefined, greeting);
      else assert.equal(f?.message, `the greeting discloses "${token}"`, greeting);
      if (f !== undefined) assert.equal(f.severity, 'info');
    });
  }
});

test('TLS 1.0 only: MEDIUM tls-old-protocol', async () => {
  await withDouble({ extensions: ['STARTTLS'], tls: { ...cert, maxVersion: 'TLSv1' } }, async (d) => {
    const { report } = await probeJson(d.port);
    const f = report.findings.find((x) => x.id === 'tls-old-protocol');
    assert.ok(f);
    assert.equal(f.severity, 'medium');
    assert.match(f.message, /^TLSv1 negotiated \(\S+\) although the probe offered TLS 1\.0 to 1\.3$/);
  });
});

test('STARTTLS listed but broken: HIGH starttls-failed for a failed handshake and for a refusal', async () => {
  await withDouble({ extensions: ['STARTTLS'], tls: { ...cert, breakHandshake: true } }, async (d) => {
    const { report } = await probeJson(d.port);
    const f = report.findings.find((x) => x.id === 'starttls-failed');
    assert.ok(f);
    assert.equal(f.severity, 'high');
    assert.match(f.message, /^220 to STARTTLS, but TLS handshake failed: /);
    assert.ok(!ids(report.findings).includes('starttls-injection'));
  });
  await withDouble({ extensions: ['STARTTLS'], starttlsReply: '454 4.3.3 TLS not available after start' }, async (d) => {
    const { report } = await probeJson(d.port);
    const f = report.findings.find((x) => x.id === 'starttls-failed');
    assert.equal(f?.message, 'STARTTLS is listed but answered 454 4.3.3 TLS not available after start');
  });
});

test('--tls tries STARTTLS even when it is not listed; a server that has it hidden is still checked', async () => {
  await withDouble({ extensions: ['PIPELINING'], tls: { ...cert, maxVersion: 'TLSv1.1' } }, async (d) => {
    const plain = await probeJson(d.port);
    assert.ok(!ids(plain.report.findings).includes('tls-old-protocol'));
    const forced = await probeJson(d.port, {}, '--tls');
    assert.ok(ids(forced.report.findings).includes('tls-old-protocol'));
  });
});

test('a 554 greeting: INFO banner-refuses, one session only, ended with QUIT; exit 0', async () => {
  await withDouble({ greeting: '554 double.example ESMTP not accepting messages' }, async (d) => {
    const r = await probe(args(d.port), { port: d.port });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^INFO banner-refuses greeting: the server refuses this host: 554 double\.example ESMTP not accepting messages; most checks skipped \(fix: /m);
    assert.equal(d.sessions.length, 1);
    assert.deepEqual(d.sessions[0]!.commands, ['QUIT']);
  });
});

test('not an SMTP server: HIGH banner-not-smtp for a foreign greeting, a silent close and a silent server', async () => {
  await withDouble({ greeting: 'SSH-2.0-OpenSSH_9.2p1 Debian-2' }, async (d) => {
    const r = await probe(args(d.port), { port: d.port });
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^HIGH banner-not-smtp greeting: no SMTP greeting \(greeting SSH-2\.0-OpenSSH_9\.2p1 Debian-2\); other checks skipped/m);
  });
  await withDouble({ silent: true }, async (d) => {
    const r = await probe(args(d.port), { port: d.port });
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^HIGH banner-not-smtp greeting: no SMTP greeting \(no greeting: connection closed by the server\)/m);
  });
});

test('a server that drops the connection at EHLO: check-skipped for ehlo-facts and the other checks, no crash', async () => {
  await withDouble({ dropOn: 'EHLO' }, async (d) => {
    const r = await probe(args(d.port), { port: d.port });
    assert.equal(r.code, 0);
    assert.deepEqual(r.stdout.trimEnd().split('\n'), [
      'INFO check-skipped ehlo-facts: ehlo-facts not checked: EHLO: connection closed by the server (fix: see the message)',
      'INFO check-skipped other checks: other checks not checked: connection closed by the server (fix: see the message)',
      'probe: 0 critical, 0 high, 0 medium, 0 low, 2 info',
    ]);
  });
});

test('EHLO pipelined with NOOP answered normally: INFO pipelining-ehlo-tolerated', async () => {
  await withDouble({}, async (d) => {
    const { report } = await probeJson(d.port);
    const f = report.findings.find((x) => x.id === 'pipelining-ehlo-tolerated');
    assert.equal(f?.message, 'EHLO pipelined with NOOP answered normally (250-double.example Hello; 250 2.0.0 OK)');
    assert.equal(f.severity, 'info');
  });
});

test('a server that accepts every recipient: CRITICAL open-relay for all 12 vectors and 3 senders', async () => {
  await withDouble({ rcptReply: () => '250 2.1.5 Ok' }, async (d) => {
    const { code, report } = await probeJson(d.port);
    const relays = report.findings.filter((f) => f.id === 'open-relay');
    assert.equal(relays.length, 36);
    assert.ok(relays.every((f) => f.severity === 'critical'));
    assert.equal(new Set(relays.map((f) => /^relay vector (\d+) /.exec(f.subject)![1])).size, 12);
    // Vector 1 names a foreign domain plainly; vector 2 goes through the local domain and may be rewritten.
    assert.equal(relays.find((f) => f.subject === 'relay vector 1 (MAIL FROM:<> RCPT TO:<relaytest@relay-probe.invalid>)')?.message, '250 2.1.5 Ok: the server relays for strangers');
    assert.match(relays.find((f) => f.subject === 'relay vector 2 (MAIL FROM:<> RCPT TO:<relaytest%relay-probe.invalid@double.example>)')!.message, /^250 2\.1\.5 Ok: accepted; verify by hand/);
    assert.equal(code, 3);
  });
});

test('a server that answers relay attempts 4xx: INFO relay-tempfail, no open-relay', async () => {
  await withDouble({ rcptReply: (a) => (/relay-probe/i.test(a) ? '451 4.3.0 try again later' : '250 2.1.5 Ok') }, async (d) => {
    const { code, report } = await probeJson(d.port);
    assert.equal(report.findings.filter((f) => f.id === 'relay-tempfail').length, 36);
    assert.ok(!ids(report.findings).includes('open-relay'));
    // starttls-missing (medium) is the worst finding left.
    assert.deepEqual(ids(report.findings, 'medium'), ['starttls-missing']);
    assert.equal(code, 1);
  });
});
