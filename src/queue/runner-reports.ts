// The delivery status notifications of one attempt (queue-and-bounces.md §6): the outcomes to report
// become a plan (dsnTargets), each planned report is written (buildDsn) and committed as a new message
// marked with its kind, and a failed double bounce goes to DeadLetterDrop or is set aside as lost.

import { buildDsn, dsnTargets, type DsnOutcome, type DsnPolicy } from '../bounce/index.js';
import type { DeliveryService } from '../deliver/agent-protocol.js';
import type { Envelope } from './envelope.js';
import { jobFor } from './runner-jobs.js';
import { outcomeLine } from './runner-outcome.js';
import type { RunnerLog, RunnerSettings } from './runner-types.js';
import { classTimeouts, precedenceClass } from './schedule.js';
import type { Spool } from './spool.js';
import type { DeliveryState } from './state.js';

export interface ReportContext {
  spool: Spool;
  delivery: DeliveryService;
  settings: RunnerSettings;
  log: RunnerLog;
  now: number;
}

export interface ReportOutcome {
  /** Reports committed: their queue ids and kinds. */
  queued: Array<{ id: string; kind: string; to: string[] }>;
  /** Set when the message itself must be set aside (an undeliverable double bounce without DeadLetterDrop). */
  lost?: string;
}

const DEFAULT_STATUS = { failed: '5.0.0', delivered: '2.0.0', deferred: '4.0.0' } as const;

/** A recorded delivery as a report shows it. */
export function dsnOutcome(envelope: Envelope, d: DeliveryState, action: DsnOutcome['action']): DsnOutcome {
  const rcpt = envelope.recipients[d.recipient];
  const diagnostic = d.diagnostic ?? (d.code !== undefined ? outcomeLine(d) : undefined);
  return {
    ...(rcpt?.orcpt !== undefined ? { original: rcpt.orcpt } : {}),
    final: d.final ?? rcpt?.address ?? '',
    ...(d.actual !== undefined ? { actual: d.actual } : {}),
    action,
    status: d.enh ?? DEFAULT_STATUS[d.status],
    ...(diagnostic !== undefined && action !== 'delivered' ? { diagnostic } : {}),
    // The SMTP mailer's diagnostics are SMTP replies (sendmail's esmtp T=DNS/RFC822/SMTP).
    diagnosticType: d.mailer === 'esmtp' ? 'SMTP' : 'X-Unix',
    ...(d.remoteMta !== undefined ? { remoteMta: d.remoteMta } : {}),
    lastAttempt: d.at,
    ...(d.expandedFrom !== undefined ? { expandedFrom: d.expandedFrom } : {}),
    ...(d.transcript !== undefined && action !== 'delivered' ? { transcript: d.transcript } : {}),
    ...(d.notify !== undefined ? { notify: d.notify } : {}),
    ...(d.returnPath !== undefined ? { returnTo: d.returnPath } : {}),
  };
}

/** Plans, writes and commits the reports about `outcomes`; throws if a report cannot be queued. */
export async function queueReports(ctx: ReportContext, envelope: Envelope, data: Buffer, outcomes: DsnOutcome[]): Promise<ReportOutcome> {
  const result: ReportOutcome = { queued: [] };
  if (outcomes.length === 0) return result;
  const s = ctx.settings;
  const cls = precedenceClass(envelope, s.schedule.precedence);
  const policy: DsnPolicy = {
    postmasterCopy: s.reports.postmasterCopy,
    doubleBounceAddress: s.reports.doubleBounceAddress,
    ...(s.reports.deadLetterDrop !== undefined ? { deadLetterDrop: s.reports.deadLetterDrop } : {}),
    noreceipts: s.reports.noreceipts,
    precedenceClass: cls,
    ...(envelope.report !== undefined ? { origin: envelope.report } : {}),
  };
  const plan = dsnTargets(envelope, outcomes, policy);
  const timeouts = classTimeouts(envelope, s.schedule);
  for (const r of plan.reports) {
    const qid = ctx.spool.newId();
    const built = buildDsn(r.kind, envelope, r.recipients, data, {
      qid,
      j: s.reports.j,
      mailerName: s.reports.mailerName,
      now: new Date(ctx.now),
      to: r.to,
      nobodyreturn: s.reports.nobodyreturn,
      noactualrecipient: s.reports.noactualrecipient,
      precedenceClass: cls,
      queuewarn: timeouts.warn,
      queuereturn: timeouts.ret,
    });
    await ctx.spool.commit({ ...built.envelope, report: built.kind }, built.data);
    ctx.log.info(
      { event: 'dsn', qid: envelope.id, dsnqid: qid, kind: built.kind, to: built.to },
      `${envelope.id}: ${qid}: DSN: ${built.kind} report to ${built.to.map((a) => `<${a}>`).join(',')}`,
    );
    result.queued.push({ id: qid, kind: built.kind, to: built.to });
  }
  if (plan.dropped !== undefined) ctx.log.warn({ event: 'dsn-dropped', qid: envelope.id }, `${envelope.id}: ${plan.dropped}`);
  if (plan.lastResort !== undefined) {
    if (plan.lastResort.action === 'dead-letter') {
      const lost = await deadLetter(ctx, envelope, data, plan.lastResort.path);
      if (lost !== undefined) result.lost = lost;
    } else {
      result.lost = plan.lastResort.reason;
    }
    if (result.lost !== undefined) {
      ctx.log.warn({ event: 'lost', qid: envelope.id, reason: result.lost }, `${envelope.id}: set aside as lost: ${result.lost}`);
    }
  }
  return result;
}

/** sendmail's last resort: append the message to DeadLetterDrop, as DefaultUser; the reason it failed, if it did. */
async function deadLetter(ctx: ReportContext, envelope: Envelope, data: Buffer, path: string): Promise<string | undefined> {
  const as = ctx.settings.deadLetterUser;
  if (as === undefined) return `double bounce undeliverable; DeadLetterDrop ${path} not written (no DefaultUser)`;
  const job = jobFor({ kind: 'file', path, as }, { id: envelope.id, sender: envelope.sender, recipient: path, created: envelope.created }, ctx.settings.jobs);
  const r = await ctx.delivery.run(job, data);
  if (r.status === 'delivered') {
    ctx.log.warn({ event: 'dead-letter', qid: envelope.id, file: path }, `${envelope.id}: double bounce undeliverable; saved in ${path}`);
    return undefined;
  }
  const why = r.status === 'read' ? 'unexpected agent result' : outcomeLine(r.reply);
  return `double bounce undeliverable; DeadLetterDrop ${path}: ${why}`;
}
