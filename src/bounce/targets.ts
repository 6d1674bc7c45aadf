// dsnTargets(): who receives which report after one delivery attempt (queue-and-bounces.md §6.1,
// §6.5, §6.6). It only plans; buildDsn() writes each planned report and the runner queues it.
//
// The rules that keep reports from looping: a report never goes to the null sender; a failed message
// with the null sender is reported once to DoubleBounceAddress (a "double bounce"); a failed double
// bounce is reported to nobody: it goes to DeadLetterDrop or is set aside as lost.

import type { Envelope } from '../queue/envelope.js';
import { delayWarningAllowed, notifyAllows } from './notify.js';
import type { DsnKind, DsnRecipient } from './types.js';

/** One recipient's result of this attempt, as the runner knows it. */
export interface DsnOutcome extends DsnRecipient {
  /** NOTIFY in force for this delivery (an expansion's own NOTIFY, else the envelope recipient's). */
  notify?: readonly string[];
  /** The return address when an owner- alias changed it for this delivery (aliases-forward.md §8 rule 9). */
  returnTo?: string;
}

export interface DsnPolicy {
  /** PostmasterCopy, macro-expanded; empty = no copies. */
  postmasterCopy: readonly string[];
  /** DoubleBounceAddress, macro-expanded; '' = double bounces are dropped (and logged). */
  doubleBounceAddress: string;
  /** DeadLetterDrop; undefined or '' = none. */
  deadLetterDrop?: string;
  /** PrivacyOptions noreceipts. */
  noreceipts: boolean;
  /** Precedence class of the message (precedenceClass()). */
  precedenceClass: number;
  /** What the failed message is when Postern generated it (a report); undefined for any other mail. */
  origin?: DsnKind;
}

export interface ReportPlan {
  kind: DsnKind;
  to: string[];
  recipients: DsnRecipient[];
}

export type LastResort = { action: 'dead-letter'; path: string } | { action: 'lost'; reason: string };

export interface DsnTargets {
  /** Reports to build and queue, in this order. */
  reports: ReportPlan[];
  /** Set when a double bounce was due but DoubleBounceAddress is empty: the text to log. */
  dropped?: string;
  /** Set when a double bounce itself failed: append the message to DeadLetterDrop, or set it aside. */
  lastResort?: LastResort;
}

function asRecipient(o: DsnOutcome): DsnRecipient {
  const { notify: _notify, returnTo: _returnTo, ...r } = o;
  return r;
}

function nullSenderFailures(failed: DsnRecipient[], policy: DsnPolicy): DsnTargets {
  if (failed.length === 0) return { reports: [] };
  if (policy.origin === 'double') {
    const path = policy.deadLetterDrop ?? '';
    return {
      reports: [],
      lastResort: path !== '' ? { action: 'dead-letter', path } : { action: 'lost', reason: 'double bounce undeliverable' },
    };
  }
  const to = policy.doubleBounceAddress.trim();
  if (to === '') return { reports: [], dropped: 'double bounce dropped: DoubleBounceAddress is empty' };
  return { reports: [{ kind: 'double', to: [to], recipients: failed }] };
}

interface Group {
  to: string;
  failure: DsnRecipient[];
  delay: DsnRecipient[];
  success: DsnRecipient[];
}

/**
 * Plans the reports for the outcomes of one attempt. Pass `delayed` outcomes only when the delay
 * warning is due (queueTimeouts().warn); pass failures of 4.4.7 for expired recipients. Each return
 * address gets at most one report of each kind; PostmasterCopy gets one copy of all the failures.
 */
export function dsnTargets(envelope: Envelope, outcomes: readonly DsnOutcome[], policy: DsnPolicy): DsnTargets {
  const failed = outcomes.filter((o) => o.action === 'failed');
  // A report about mail with the null sender would go to <>: never. Its failures are double bounces.
  if (envelope.sender === '') return nullSenderFailures(failed.map(asRecipient), policy);

  const groups = new Map<string, Group>();
  const groupOf = (address: string): Group => {
    const key = address.toLowerCase();
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { to: address, failure: [], delay: [], success: [] }));
    return g;
  };
  for (const o of outcomes) {
    const ret = o.returnTo ?? envelope.sender;
    if (ret === '') continue;
    if (o.action === 'failed') {
      if (notifyAllows(o.notify, 'failure', policy.noreceipts)) groupOf(ret).failure.push(asRecipient(o));
    } else if (o.action === 'delayed') {
      if (notifyAllows(o.notify, 'delay', policy.noreceipts) && delayWarningAllowed(ret, policy.precedenceClass)) {
        groupOf(ret).delay.push(asRecipient(o));
      }
    } else if (notifyAllows(o.notify, 'success', policy.noreceipts)) {
      groupOf(ret).success.push(asRecipient(o));
    }
  }

  const reports: ReportPlan[] = [];
  for (const g of groups.values()) {
    if (g.failure.length > 0) reports.push({ kind: 'failure', to: [g.to], recipients: g.failure });
    if (g.delay.length > 0) reports.push({ kind: 'delay', to: [g.to], recipients: g.delay });
    if (g.success.length > 0) reports.push({ kind: 'success', to: [g.to], recipients: g.success });
  }
  // The copy reports every failure, whatever the recipients' NOTIFY said (op.me: "PostmasterCopy").
  const copyTo = policy.postmasterCopy.map((a) => a.trim()).filter((a) => a !== '');
  if (failed.length > 0 && copyTo.length > 0 && policy.precedenceClass >= 0) {
    reports.push({ kind: 'postmaster', to: copyTo, recipients: failed.map(asRecipient) });
  }
  return { reports };
}
