// audit-and-probe.md §3.3 against a real MTA: Debian's Postfix, a private instance on loopback started
// by the benchmark's helper (bench/postfix.ts), with two more listeners of our own added to its
// master.cf. The probe must tell the open configuration from the closed one, and find the SMTP
// smuggling hole of a Postfix that takes a bare LF as a line end (CVE-2023-51764).
//
// Needs the postfix package and root, as CI has (.ci/run installs postfix); without them this test
// fails rather than passing silently.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { postfixUnavailable, startPostfix, type PostfixInstance } from '../../bench/postfix.js';
import { waitForPort } from '../../bench/spawn.js';
import { ids, probe, args, probeJson } from './helpers.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let pf: PostfixInstance | undefined;
/** the instance's own listener: mynetworks 127.0.0.0/8 includes the probe's 127.0.0.2, so it relays */
let open = 0;
/** relaying for 127.0.0.1 only, known users only, bare LF not a line end in message text */
let closed = 0;
/** open, and explicitly the pre-fix line handling: a bare LF ends a line anywhere */
let lax = 0;

before(async () => {
  assert.equal(postfixUnavailable(), undefined, 'this test needs Debian\'s postfix package and root');
  [open, closed, lax] = [await freePort(), await freePort(), await freePort()];
  pf = await startPostfix({ host: '127.0.0.1', port: open, processLimit: 4, mode: 'discard', keep: false });
  const etc = join(pf.dir, 'etc');
  const smtpd = (port: number, ...o: string[]): string => `127.0.0.1:${port} inet n - n - 4 smtpd ${o.map((x) => `-o ${x}`).join(' ')}\n`;
  appendFileSync(
    join(etc, 'master.cf'),
    smtpd(
      closed,
      'mynetworks=127.0.0.1/32',
      'smtpd_relay_restrictions=permit_mynetworks,reject_unauth_destination',
      'local_recipient_maps=unix:passwd.byname',
      'smtpd_forbid_bare_newline=yes',
    ) + smtpd(lax, 'smtpd_forbid_bare_newline=no'),
  );
  const reload = spawnSync('postfix', ['-c', etc, 'reload'], { encoding: 'utf8' });
  assert.equal(reload.status, 0, reload.stderr);
  await waitForPort('127.0.0.1', closed, 10_000);
  await waitForPort('127.0.0.1', lax, 10_000);
});

after(async () => {
  await pf?.stop();
});

test('Postfix as an open relay (mynetworks holds the probe): CRITICAL open-relay for vector 1 with all three senders, exit 3', async () => {
  const r = await probe(args(open), { port: open });
  assert.equal(r.code, 3);
  for (const sender of ['<>', '<postern-probe@bench.localdomain>', '<postern-probe@probe.example.net>']) {
    const prefix = `CRITICAL open-relay relay vector 1 (MAIL FROM:${sender} RCPT TO:<relaytest@relay-probe.invalid>): 250 2.1.5 Ok: the server relays for strangers (fix: `;
    assert.ok(r.stdout.split('\n').some((l) => l.startsWith(prefix)), `missing ${prefix}\n${r.stdout}`);
  }
});

test('Postfix closed (reject_unauth_destination, probe outside mynetworks): no open-relay, smuggling safe', async () => {
  const { code, report } = await probeJson(closed, {}, '--smuggling', '--send', '--rcpt-local', 'root@localhost');
  const got = ids(report.findings);
  for (const id of ['open-relay', 'relay-tempfail', 'smtp-smuggling', 'smuggling-inconclusive']) assert.ok(!got.includes(id), `${id} in ${got.join(' ')}`);
  const v1 = report.sessions.find((s) => s.check === 'open-relay vector 1')!;
  assert.ok(v1.transcript.some((l) => /^<<< 554 5\.7\.1 <relaytest@relay-probe\.invalid>: Relay access denied$/.test(l)), v1.transcript.join('\n'));
  // starttls-missing is the worst finding left (this instance has no certificate).
  assert.equal(code, 1);
});

test('Postfix taking a bare LF as a line end: CRITICAL smtp-smuggling for the LF vectors, MEDIUM bare-lf-accepted', async () => {
  const { report } = await probeJson(lax, {}, '--smuggling', '--send', '--rcpt-local', 'someone@localhost');
  const smuggled = report.findings.filter((f) => f.id === 'smtp-smuggling').map((f) => f.subject).sort();
  assert.deepEqual(smuggled, ['smuggling crlf-dot-lf', 'smuggling lf-dot-crlf', 'smuggling lf-dot-lf', 'smuggling lf-lf-dot-crlf']);
  assert.ok(ids(report.findings).includes('bare-lf-accepted'));
  // The CR vectors are not end markers for Postfix: one message, one 250.
  assert.ok(!report.findings.some((f) => /cr-dot-cr|crlf-dot-cr|cr-dot-crlf/.test(f.subject)), JSON.stringify(report.findings.map((f) => f.subject)));
});
