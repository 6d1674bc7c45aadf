// The vocabulary of delivery status notifications (queue-and-bounces.md §6), shared by the planner
// (targets.ts: who gets which report) and the writer (dsn.ts: the multipart/report message).

import type { Envelope } from '../queue/envelope.js';

/**
 * What a report is. `postmaster` is the PostmasterCopy of a failure report; `double` is the report of
 * a failed null-sender message to DoubleBounceAddress. Both carry the `Postmaster notify` Subject.
 */
export type DsnKind = 'failure' | 'delay' | 'success' | 'postmaster' | 'double';

export type DsnAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

/** One recipient as a report shows it (the per-recipient block of §6.3 and a line of §6.2's text). */
export interface DsnRecipient {
  /** ORCPT as given (`rfc822;bob@example.com`): the Original-Recipient field. */
  original?: string;
  /**
   * The final recipient: an address (`bob@example.com`), a file path or `|command` (both shown as
   * `X-Unix;`), or already typed (`rfc822; bob@example.com`, `X-Unix; /path`).
   */
  final: string;
  /** The local account the delivery went to (`bob` or `bob@<j>`): X-Actual-Recipient. */
  actual?: string;
  action: DsnAction;
  /** Enhanced status `d.d.d` (5.1.1); a malformed one is replaced by the class default (5.0.0...). */
  status: string;
  /** The reply line (`550 5.1.1 <bob@example.com>... User unknown`): Diagnostic-Code and `(reason: ...)`. */
  diagnostic?: string;
  /** Diagnostic-Code type; default SMTP when remoteMta is set, X-Unix otherwise. */
  diagnosticType?: 'SMTP' | 'X-Unix';
  /** The remote server that answered (Remote-MTA: DNS; <host>). */
  remoteMta?: string;
  /** ms since the epoch; default: the report's `now`. */
  lastAttempt?: number;
  /** ms since the epoch, delayed recipients only; default: arrival + Timeout.queuereturn. */
  willRetryUntil?: number;
  /** The alias this address came from: `(expanded from: <alias>)`. */
  expandedFrom?: string;
  /**
   * Lines for `Transcript of session follows` (`... while talking to mx.example.net.:`, `>>> DATA`,
   * `<<< 554 ...`). Absent: the diagnostic line stands for the transcript.
   */
  transcript?: string[];
}

export interface DsnContext {
  /** The queue id of the report itself (Message-Id, MIME boundary, its envelope). */
  qid: string;
  /** $j */
  j: string;
  /** $n, normally MAILER-DAEMON. */
  mailerName: string;
  now: Date;
  /** Envelope and To: recipients of the report (a bare local part is qualified with @$j). */
  to: string[];
  nobodyreturn: boolean;
  noactualrecipient: boolean;
  /** Precedence class of the original message (precedenceClass()): below 0 returns the header only. */
  precedenceClass: number;
  /** Timeout.queuewarn and Timeout.queuereturn of the original's class (classTimeouts()), ms. */
  queuewarn: number;
  queuereturn: number;
  /** Minutes east of UTC for the dates; default: the process's local zone. */
  offsetMinutes?: number;
}

export interface BuiltDsn {
  kind: DsnKind;
  sender: '';
  to: string[];
  /** The whole message, CR LF line ends, as queued data. */
  data: Buffer;
  /** Ready for Spool.commit(envelope, data). */
  envelope: Envelope;
}
