// What the queue runner is given: its settings (plain values, built by the daemon from the effective
// configuration), the spool it writes state and reports through, the delivery service (agents, or the
// root master in front of them) and routing's expansion. Everything it needs to decide is in here, so
// `sendmail -q` and the tests can run the same runner on other inputs.

import type { AgentJob, DeliveryService } from '../deliver/agent-protocol.js';
import type { Expanded, Identity, StatusText } from '../route/types.js';
import type { Envelope } from './envelope.js';
import type { QueueSortOrder, ScheduleOptions } from './schedule.js';
import type { Spool } from './spool.js';

/** The policy fields of agent jobs (the master imposes the same from its own configuration). */
export interface JobSettings {
  mailSpoolDirectory: string;
  mailboxFormat: 'mbox' | 'maildir';
  maildirPath: string;
  safeFileEnvironment: string | undefined;
  tempFileMode: number;
  dontBlame: string[];
  smrshDirectory: string;
  smrshPath: string;
  progTimeoutMs: number;
  fileOpenTimeoutMs: number;
}

/** What delivery status notifications need (queue-and-bounces.md §6). */
export interface ReportSettings {
  /** $j */
  j: string;
  /** $n */
  mailerName: string;
  /** PostmasterCopy, macro-expanded. */
  postmasterCopy: string[];
  /** DoubleBounceAddress, macro-expanded; '' drops double bounces. */
  doubleBounceAddress: string;
  /** DeadLetterDrop; undefined = none. */
  deadLetterDrop: string | undefined;
  noreceipts: boolean;
  nobodyreturn: boolean;
  noactualrecipient: boolean;
}

export interface RunnerSettings {
  /** QueueInterval in ms; 0 = no periodic queue runs (and no run at start). */
  queueIntervalMs: number;
  /** Attempt each message as soon as its commit resolved (DeliveryMode other than `queue`). */
  immediate: boolean;
  /** Messages worked on at once, and deliveries in flight at once (MaxRunnersPerQueue). */
  parallel: number;
  /** MaxQueueRunSize: at most this many messages per queue run; 0 = no limit. */
  maxRunSize: number;
  sortOrder: QueueSortOrder;
  schedule: ScheduleOptions;
  jobs: JobSettings;
  reports: ReportSettings;
  /** The identity DeadLetterDrop is written as (DefaultUser). */
  deadLetterUser: Identity | undefined;
}

export interface RunnerLog {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

/** One remote recipient of a message, as the remote delivery service gets it. */
export interface RemoteRecipient {
  /** The delivery's key (the outcome comes back under it). */
  key: string;
  address: string;
  /** NOTIFY to pass on; undefined = none was given. */
  notify?: string[];
  /** ORCPT to pass on (`rfc822;bob@example.com`). */
  orcpt?: string;
}

/** The remote recipients of one message that share an envelope sender. */
export interface RemoteRequest {
  envelope: Envelope;
  /** The envelope sender for these deliveries ('' = <>): owner-X lists change it. */
  sender: string;
  recipients: RemoteRecipient[];
  /** The queued message data (CR LF). */
  data: Buffer;
}

export interface RemoteResult {
  key: string;
  status: 'sent' | 'temp' | 'perm';
  /** The status the log and the DSN show: the remote reply, or routing's own. */
  reply: StatusText;
  /** The server that answered (DSN Remote-MTA), when one did. */
  remoteMta?: string;
  /** The remote reply line as received, when the status shown is not exactly it (no enhanced code). */
  diagnostic?: string;
  /** DSN transcript lines (`... while talking to host.:`, `>>> RCPT TO:<...>`, `<<< 550 ...`). */
  transcript?: string[];
  /** Sent to a server that took NOTIFY/ORCPT on: it reports success itself, no `relayed` report. */
  dsnPassedOn?: boolean;
  /** Extra fields of the delivery log line: relay= and the TLS facts. */
  log?: Record<string, string>;
}

/** Remote delivery (src/outbound/): routing, the SMTP client and its pool, bound to the configuration. */
export interface RemoteService {
  deliver(req: RemoteRequest): Promise<RemoteResult[]>;
}

/** Routing's expansion (src/route/expand.ts) with its context bound. */
export type Expander = (envelope: Envelope, only: readonly number[]) => Promise<Expanded[]>;

export interface RunnerDeps {
  /** The runner's own writer: state records and generated reports go here. */
  spool: Spool;
  /** Spools whose commits are attempted at once when `immediate` (the SMTP server's, the runner's own). */
  watch: readonly Spool[];
  delivery: DeliveryService;
  expand: Expander;
  /** Remote delivery; absent: remote recipients are deferred (REMOTE_NOT_YET). */
  remote?: RemoteService;
  settings: RunnerSettings;
  log: RunnerLog;
  /** The clock; tests may move it. */
  now?: () => number;
}

export type { AgentJob };
