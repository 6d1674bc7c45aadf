// The one interface between the queue runner (or the root master in front of it) and the delivery
// agent process: a job as one line of JSON, for deliveries followed by the message, on the agent's
// standard input; one result as JSON on its standard output (delivery-design.md).

import type { FileRead, Identity, StatusText } from './shared-types.js';

export interface MessageMeta {
  id: string;
  /** The envelope sender; '' is the null sender <>. */
  sender: string;
  /** The recipient address this delivery is for (reply texts name it). */
  recipient: string;
  /** Arrival time, ms since the epoch. */
  created: number;
}

export interface MailboxJob {
  kind: 'mailbox';
  user: Identity;
  spoolDir: string;
  format: 'mbox' | 'maildir';
  /** Maildir path template (MaildirPath); `$z` is the user's home, `$u` the user name. */
  maildir: string;
  meta: MessageMeta;
  /** How long to wait for the mailbox's locks (dot-lock and fcntl); default 2 minutes. */
  lockTimeoutMs?: number;
}

export interface FileJob {
  kind: 'file';
  /** The path as written in the alias, .forward or :include: file. */
  path: string;
  as: Identity;
  safeFileEnvironment: string | undefined;
  tempFileMode: number;
  dontBlame: string[];
  meta: MessageMeta;
  /** Timeout.fileopen; default 60 s. */
  openTimeoutMs?: number;
  /** How long to wait for the file's fcntl lock; default 2 minutes. */
  lockTimeoutMs?: number;
}

export interface ProgramJob {
  kind: 'program';
  /** The text after the `|`. */
  command: string;
  as: Identity;
  smrshDirectory: string;
  smrshPath: string;
  /** ProgTimeout. */
  timeoutMs: number;
  dontBlame: string[];
  meta: MessageMeta;
}

/** UserFileAccess: read a .forward or :include: file as its user. */
export interface ReadJob {
  kind: 'read';
  path: string;
  as: Identity;
  /** Timeout.fileopen. */
  timeoutMs: number;
}

export type AgentJob = MailboxJob | FileJob | ProgramJob | ReadJob;

export type AgentResult =
  | { status: 'delivered'; detail?: string; log?: string[] }
  | {
      status: 'temp' | 'perm';
      reply: StatusText;
      /** A program's output (first 4096 bytes), or smrsh's refusal: the DSN transcript. */
      output?: string;
      /** Lines for the log only (never sent to the sender). */
      log?: string[];
    }
  | { status: 'read'; read: FileRead };

export interface DeliveryService {
  /** `message` is the queued data (CR LF line ends); read jobs have none. */
  run(job: AgentJob, message?: Buffer): Promise<AgentResult>;
}

/** `554 5.0.0 Service unavailable` */
export function replyLine(r: StatusText): string {
  return `${r.code} ${r.enh} ${r.text}`;
}

/**
 * The text for a DSN's `Diagnostic-Code: X-Unix; ...` (program-and-file-delivery.md §3.3): the first
 * line of what the program printed, or else the reply.
 */
export function diagnosticText(r: Extract<AgentResult, { reply: StatusText }>): string {
  const first = (r.output ?? '').split('\n').find((l) => l.trim().length > 0);
  return first !== undefined ? first.trim() : replyLine(r.reply);
}
