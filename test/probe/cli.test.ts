// The `postern probe` command line (audit-and-probe.md §1, §3.1): usage errors, exit 69 when nothing
// answers, the three report formats, -v, --fail-on, --timeout, --domain and address-literal targets.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDouble } from './double.js';
import { args, HELO, probe, probeJson } from './helpers.js';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

/** A port that nothing listens on: bound, then released. */
async function deadPort(host = '127.0.0.1'): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, host, r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('nothing listening: exit 69 and "probe: cannot connect to <host>:<port>: <reason>"', async () => {
  const port = await deadPort();
  const r = await probe(args(port), { port });
  assert.equal(r.code, 69);
  assert.equal(r.stderr, `probe: cannot connect to 127.0.0.1:${port}: connection refused\n`);
  assert.equal(r.stdout, '');
  const lit = await probe([`[127.0.0.1]:${port}`, '--timeout', '5'], { port });
  assert.equal(lit.code, 69);
  assert.equal(lit.stderr, `probe: cannot connect to [127.0.0.1]:${port}: connection refused\n`);
});

test('the real process: exit 69 from node dist/src/cli/probe-cmd.js', async () => {
  const port = await deadPort();
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'probe-cmd.js'), `127.0.0.1:${port}`, '--helo', HELO], { encoding: 'utf8' });
  assert.equal(r.status, 69);
  assert.equal(r.stderr, `probe: cannot connect to 127.0.0.1:${port}: connection refused\n`);
});

test('usage errors exit 64 with the usage text; --help exits 0', async () => {
  const bad: Array<[string[], string]> = [
    [[], 'probe: missing <host>'],
    [['a.example', 'b.example'], 'probe: one target only (got a.example b.example)'],
    [['a.example', '--bogus'], 'probe: unknown option --bogus'],
    [['a.example', '--helo'], 'probe: --helo needs a value'],
    [['a.example', '--smuggling'], 'probe: --smuggling needs --rcpt-local <addr>, a mailbox of yours on the target'],
    [['a.example', '--smuggling', '--rcpt-local', 'me@a.example'], 'probe: --smuggling sends test messages: add --send to allow it'],
    [['a.example', '--source', 'not-an-ip'], 'probe: --source "not-an-ip": expected an IP address of this host'],
    [['a.example', '--tls', '--no-tls'], 'probe: --tls and --no-tls exclude each other'],
    [['a.example', '--json', '--sarif'], 'probe: --json and --sarif exclude each other'],
    [['a.example', '--timeout', '0'], 'probe: --timeout "0": expected seconds (0 < n <= 3600)'],
    [['a.example', '--fail-on', 'severe'], 'probe: --fail-on "severe": expected critical, high, medium, low or info'],
    [['a.example', '--from', 'x@y.example\r\nRCPT TO:<z@w.example>'], 'probe: --from "x@y.example\\r\\nRCPT TO:<z@w.example>": expected user@domain'],
    [['a.example', '--helo', 'bad name'], 'probe: --helo "bad name": expected a domain name or address literal'],
    [['a.example:99999'], 'probe: bad target a.example:99999: bad port'],
    [['[192.0.2.300]'], 'probe: bad target [192.0.2.300]: 192.0.2.300 is not an IP address'],
  ];
  for (const [argv, first] of bad) {
    const r = await probe(argv, { port: 25 });
    assert.equal(r.code, 64, argv.join(' '));
    assert.equal(r.stderr.split('\n')[0], first);
    assert.match(r.stderr, /\nusage: postern probe <host>\[:<port>\] /);
  }
  const help = await probe(['--help'], { port: 25 });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: postern probe /);
});

test('--json: the §1 document with a transcript per finding and per session', async () => {
  const d = await startDouble({ rcptReply: (a) => (/relay-probe/i.test(a) ? '550 5.7.1 Relaying denied' : '250 2.1.5 Ok') });
  try {
    const { code, report } = await probeJson(d.port);
    assert.equal(report.tool, 'probe');
    assert.deepEqual(Object.keys(report.counts), ['critical', 'high', 'medium', 'low', 'info']);
    const facts = report.findings.find((f) => f.id === 'ehlo-facts')!;
    assert.deepEqual(Object.keys(facts).slice(0, 5), ['id', 'severity', 'subject', 'message', 'fix']);
    assert.equal(facts.message, 'extensions: PIPELINING, 8BITMIME');
    assert.deepEqual(facts.transcript!.slice(1, 6), [
      '<<< 220 double.example ESMTP',
      `>>> EHLO ${HELO}`,
      '<<< 250-double.example Hello',
      '<<< 250-PIPELINING',
      '<<< 250 8BITMIME',
    ]);
    assert.deepEqual(
      report.sessions.map((s) => s.check),
      ['greeting, EHLO, EXPN, VRFY, VERB', 'helo-not-required', ...Array.from({ length: 12 }, (_, i) => `open-relay vector ${i + 1}`), 'pipelining-ehlo-tolerated'],
    );
    assert.ok(report.sessions.every((s) => s.transcript.includes('>>> QUIT')));
    assert.equal(code, 1);
  } finally {
    await d.close();
  }
});

test('text report: §1 lines without transcripts, counts last; -v prints the transcript on stderr', async () => {
  const d = await startDouble({ rcptReply: (a) => (/relay-probe/i.test(a) ? '550 5.7.1 Relaying denied' : '250 2.1.5 Ok') });
  try {
    const plain = await probe(args(d.port), { port: d.port });
    const lines = plain.stdout.trimEnd().split('\n');
    assert.equal(lines.at(-1), 'probe: 0 critical, 0 high, 1 medium, 1 low, 4 info');
    assert.ok(lines.slice(0, -1).every((l) => /^(CRITICAL|HIGH|MEDIUM|LOW|INFO) [a-z-]+ .+: .+ \(fix: .+\)$/.test(l)), plain.stdout);
    assert.equal(lines[0], `MEDIUM starttls-missing EHLO: STARTTLS is not offered on port ${d.port}: mail to and from this server travels in clear (fix: configure a certificate and key (ServerCertFile, ServerKeyFile))`);
    assert.equal(lines[1], `LOW helo-not-required MAIL before HELO: MAIL accepted without HELO/EHLO: 250 2.1.0 Sender ok (fix: require HELO before MAIL (PrivacyOptions goaway or needmailhelo))`);
    assert.ok(!plain.stdout.includes('>>> '));
    assert.equal(plain.stderr, '');
    const verbose = await probe([...args(d.port), '-v'], { port: d.port });
    assert.equal(verbose.stdout, plain.stdout);
    const v = verbose.stderr.split('\n');
    assert.equal(v[0], '--- session for greeting, EHLO, EXPN, VRFY, VERB');
    assert.ok(v.includes(`>>> EHLO ${HELO}`) && v.includes('<<< 220 double.example ESMTP') && v.includes('>>> QUIT'), verbose.stderr);
  } finally {
    await d.close();
  }
});

test('--sarif: a SARIF 2.1.0 log with every probe check as a rule', async () => {
  const d = await startDouble({});
  try {
    const r = await probe([...args(d.port), '--sarif'], { port: d.port });
    const log = JSON.parse(r.stdout) as { version: string; runs: Array<{ tool: { driver: { name: string; rules: Array<{ id: string }> } }; results: Array<{ ruleId: string }> }> };
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0]!;
    assert.equal(run.tool.driver.name, 'postern-probe');
    const rules = run.tool.driver.rules.map((x) => x.id);
    for (const id of ['open-relay', 'smtp-smuggling', 'starttls-injection', 'banner-version', 'check-skipped']) assert.ok(rules.includes(id), id);
    assert.ok(run.results.some((x) => x.ruleId === 'open-relay'));
    assert.equal(r.code, 3);
  } finally {
    await d.close();
  }
});

test('--fail-on moves the threshold: below it exit 0, otherwise the worst finding', async () => {
  const d = await startDouble({ rcptReply: (a) => (/relay-probe/i.test(a) ? '550 5.7.1 Relaying denied' : '250 2.1.5 Ok') });
  try {
    // worst finding: starttls-missing (medium)
    for (const [failOn, want] of [['high', 0], ['critical', 0], ['medium', 1], ['low', 1], ['INFO', 1]] as const) {
      const r = await probe([...args(d.port), '--fail-on', failOn], { port: d.port });
      assert.equal(r.code, want, `--fail-on ${failOn}`);
    }
  } finally {
    await d.close();
  }
});

test('--timeout bounds every read: a server that never greets is banner-not-smtp within the timeout', async () => {
  const mute = createServer(() => undefined);
  await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
  const port = (mute.address() as { port: number }).port;
  try {
    const t0 = performance.now();
    const r = await probe([`127.0.0.1:${port}`, '--helo', HELO, '--timeout', '0.3'], { port });
    assert.ok(performance.now() - t0 < 3000);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^HIGH banner-not-smtp greeting: no SMTP greeting \(no greeting: no reply within 0\.3 s\); other checks skipped/m);
  } finally {
    mute.close();
  }
});

test('--domain, --from and --relay-target go into the relay vectors; --no-tls skips the TLS checks', async () => {
  const d = await startDouble({ rcptReply: () => '550 5.7.1 Relaying denied', extensions: ['STARTTLS'] });
  try {
    const { report } = await probeJson(d.port, {}, '--domain', 'local.example', '--from', 'ops@probe.example.net', '--relay-target', 'victim@far.example', '--no-tls');
    const v2 = report.sessions.find((s) => s.check === 'open-relay vector 2')!;
    assert.ok(v2.transcript.includes('>>> MAIL FROM:<postern-probe@local.example>'));
    assert.ok(v2.transcript.includes('>>> MAIL FROM:<ops@probe.example.net>'));
    assert.ok(v2.transcript.includes('>>> RCPT TO:<victim%far.example@local.example>'));
    assert.ok(!report.sessions.some((s) => s.check.startsWith('starttls')));
    assert.ok(report.findings.some((f) => f.id === 'check-skipped' && f.subject === 'starttls'));
    assert.ok(!report.findings.some((f) => f.id === 'starttls-missing'));
  } finally {
    await d.close();
  }
});

test('the default --domain is the greeting name less its first label; vector 3 and 9 use the address literal', async () => {
  const d = await startDouble({ greeting: '220 mx1.corp.example.org ESMTP', rcptReply: () => '550 5.7.1 no' });
  try {
    const { report } = await probeJson(d.port, {}, '--no-tls');
    const rcpts = report.sessions.flatMap((s) => s.transcript.filter((l) => l.startsWith('>>> RCPT TO:')));
    assert.ok(rcpts.includes('>>> RCPT TO:<relaytest%relay-probe.invalid@corp.example.org>'));
    assert.ok(rcpts.includes('>>> RCPT TO:<relaytest%relay-probe.invalid@[127.0.0.1]>'));
    assert.ok(rcpts.includes('>>> RCPT TO:<@[127.0.0.1]:relaytest@relay-probe.invalid>'));
    assert.equal(new Set(rcpts).size, 12);
  } finally {
    await d.close();
  }
});

test('an IPv6 address literal target: [::1]:port, and the vectors use [IPv6:::1]', async () => {
  const d = await startDouble({ host: '::1', rcptReply: () => '550 5.7.1 no' });
  try {
    const r = await probe([`[::1]:${d.port}`, '--helo', HELO, '--timeout', '5', '--json', '--no-tls'], { port: d.port, localAddress: null });
    const report = JSON.parse(r.stdout) as { sessions: Array<{ check: string; transcript: string[] }> };
    assert.ok(report.sessions[0]!.transcript[0]!.startsWith('--- connected to ::1 port '));
    const rcpts = report.sessions.flatMap((s) => s.transcript.filter((l) => l.startsWith('>>> RCPT TO:')));
    assert.ok(rcpts.includes('>>> RCPT TO:<relaytest%relay-probe.invalid@[IPv6:::1]>'), rcpts.join('\n'));
    assert.ok(rcpts.includes('>>> RCPT TO:<@[IPv6:::1]:relaytest@relay-probe.invalid>'));
    const port = await deadPort('::1');
    const dead = await probe([`[::1]:${port}`, '--timeout', '5'], { port, localAddress: null });
    assert.equal(dead.code, 69);
    assert.equal(dead.stderr, `probe: cannot connect to [::1]:${port}: connection refused\n`);
  } finally {
    await d.close();
  }
});
