// One probe run (audit-and-probe.md §3): the sessions in a fixed order, each check's findings, and the
// transcript of every session. The only thing that stops a run early is a target that cannot be
// reached or does not speak SMTP.

import { bareLf } from './checks/bare-lf.js';
import type { CheckContext } from './checks/context.js';
import { firstSession } from './checks/first-session.js';
import { heloRequired } from './checks/helo-required.js';
import { pipeliningEhlo } from './checks/pipelining.js';
import { relay } from './checks/relay.js';
import { smuggling } from './checks/smuggling.js';
import { startTls } from './checks/starttls.js';
import { startTlsInjection } from './checks/starttls-injection.js';
import { offers } from './ehlo.js';
import type { Finding } from '../audit/findings.js';
import { skipped } from './finding.js';
import { SessionRunner, type SessionRecord } from './session.js';
import type { ProbeSettings } from './settings.js';

export type ProbeResult =
  | { reachable: false; reason: string; sessions: SessionRecord[] }
  | { reachable: true; findings: Finding[]; sessions: SessionRecord[]; domain?: string };

export async function runProbe(settings: ProbeSettings): Promise<ProbeResult> {
  const runner = new SessionRunner(settings);
  const findings: Finding[] = [];
  const first = await firstSession(settings, runner, findings);
  if (first.kind === 'unreachable') return { reachable: false, reason: first.reason, sessions: runner.records };
  if (first.kind === 'stop') {
    if (first.unexplained !== undefined) findings.push(skipped('other checks', first.unexplained));
    return { reachable: true, findings, sessions: runner.records };
  }
  const ctx: CheckContext = { settings, runner, findings, domain: first.domain, literal: first.literal, extensions: first.extensions };
  await heloRequired(ctx);
  await relay(ctx);
  await tlsChecks(ctx);
  await pipeliningEhlo(ctx);
  if (settings.smuggling) {
    await bareLf(ctx);
    await smuggling(ctx);
  } else {
    findings.push(skipped('smtp-smuggling', 'not run without --smuggling (it sends two test messages to --rcpt-local)'));
    findings.push(skipped('bare-lf-accepted', 'not run without --smuggling'));
  }
  return { reachable: true, findings, sessions: runner.records, domain: first.domain };
}

async function tlsChecks(ctx: CheckContext): Promise<void> {
  const { tls } = ctx.settings;
  if (tls === 'off') {
    ctx.findings.push(skipped('starttls', 'not run with --no-tls'));
    return;
  }
  if (tls === 'auto' && !offers(ctx.extensions, 'STARTTLS')) return;
  if ((await startTls(ctx)) === 'ok') await startTlsInjection(ctx);
}
