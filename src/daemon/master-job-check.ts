// The master's check of a job the worker asks it to run. The worker is the unprivileged side that talks
// to the network, so a job is treated as hostile input:
// - only the known job kinds, each rebuilt field by field from the contract (nothing else passes; the
//   agents' lock timeouts keep their defaults, a worker cannot stretch them);
// - never as root: uid 0 or gid 0 is refused (a refusal result, the job is not run);
// - the policy fields come from the master's own configuration, not from the request: a worker that
//   could name the smrsh directory or SafeFileEnvironment could run anything as anyone.

import type { EffectiveConfig } from '../config/effective.js';
import type { AgentJob, AgentResult, MessageMeta } from '../deliver/agent-protocol.js';
import { isRecord } from '../deliver/ipc-protocol.js';
import type { Identity } from '../deliver/shared-types.js';

/** What the master imposes on every job, from its configuration. */
export interface JobPolicy {
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

export function jobPolicy(cfg: EffectiveConfig): JobPolicy {
  const o = cfg.options;
  return {
    mailSpoolDirectory: o.MailSpoolDirectory,
    mailboxFormat: o.MailboxFormat,
    maildirPath: o.MaildirPath,
    safeFileEnvironment: o.SafeFileEnvironment,
    tempFileMode: o.TempFileMode,
    dontBlame: [...o.DontBlameSendmail.flags],
    smrshDirectory: o.SmrshDirectory,
    smrshPath: o.SmrshPath,
    progTimeoutMs: o.ProgTimeout,
    fileOpenTimeoutMs: o['Timeout.fileopen'],
  };
}

export type JobCheck =
  | { ok: true; job: AgentJob }
  /** a well-formed job the master will not run; the worker gets this result */
  | { ok: false; refused: AgentResult; reason: string }
  /** not a job at all: the worker gets an error reply */
  | { ok: false; malformed: string };

const MAX_ID = 0xfffffffe;

class Malformed extends Error {}

function str(v: unknown, field: string, opts: { nonEmpty?: boolean } = {}): string {
  if (typeof v !== 'string' || v.includes('\0') || (opts.nonEmpty === true && v === '')) throw new Malformed(`${field}: expected a string`);
  return v;
}

function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new Malformed(`${field}: expected an integer from ${min} to ${max}`);
  return v;
}

function identity(v: unknown, field: string): Identity {
  if (!isRecord(v)) throw new Malformed(`${field}: expected an identity`);
  const name = str(v.name, `${field}.name`, { nonEmpty: true });
  // The name becomes a file name under MailSpoolDirectory.
  if (name.includes('/') || name === '.' || name === '..' || /[\x00-\x1f\x7f]/.test(name)) throw new Malformed(`${field}.name: not a user name`);
  return {
    name,
    uid: int(v.uid, `${field}.uid`, 0, MAX_ID),
    gid: int(v.gid, `${field}.gid`, 0, MAX_ID),
    home: str(v.home, `${field}.home`),
    shell: str(v.shell, `${field}.shell`),
  };
}

function meta(v: unknown): MessageMeta {
  if (!isRecord(v)) throw new Malformed('meta: expected the message facts');
  return {
    id: str(v.id, 'meta.id', { nonEmpty: true }),
    sender: str(v.sender, 'meta.sender'),
    recipient: str(v.recipient, 'meta.recipient'),
    created: int(v.created, 'meta.created', 0, Number.MAX_SAFE_INTEGER),
  };
}

function absolutePath(v: unknown, field: string): string {
  const p = str(v, field, { nonEmpty: true });
  if (!p.startsWith('/')) throw new Malformed(`${field}: expected an absolute path`);
  return p;
}

function build(raw: Record<string, unknown>, policy: JobPolicy): AgentJob {
  switch (raw.kind) {
    case 'mailbox':
      return { kind: 'mailbox', user: identity(raw.user, 'user'), spoolDir: policy.mailSpoolDirectory, format: policy.mailboxFormat, maildir: policy.maildirPath, meta: meta(raw.meta) };
    case 'file':
      return {
        kind: 'file',
        path: str(raw.path, 'path', { nonEmpty: true }),
        as: identity(raw.as, 'as'),
        safeFileEnvironment: policy.safeFileEnvironment,
        tempFileMode: policy.tempFileMode,
        dontBlame: [...policy.dontBlame],
        meta: meta(raw.meta),
        openTimeoutMs: policy.fileOpenTimeoutMs,
      };
    case 'program':
      return {
        kind: 'program',
        command: str(raw.command, 'command', { nonEmpty: true }),
        as: identity(raw.as, 'as'),
        smrshDirectory: policy.smrshDirectory,
        smrshPath: policy.smrshPath,
        timeoutMs: policy.progTimeoutMs,
        dontBlame: [...policy.dontBlame],
        meta: meta(raw.meta),
      };
    case 'read':
      return { kind: 'read', path: absolutePath(raw.path, 'path'), as: identity(raw.as, 'as'), timeoutMs: policy.fileOpenTimeoutMs };
    default:
      throw new Malformed(`kind: ${JSON.stringify(raw.kind) ?? 'missing'} is not a job kind`);
  }
}

/**
 * The refusal for a job that would act as root: the agent's own answer (src/deliver/agent.ts), so the
 * runner sees the same result whichever side refuses; for a read job it means "denied".
 */
export function rootRefusal(who: Identity): AgentResult {
  const what = who.uid === 0 ? 'root' : 'group root';
  return { status: 'perm', reply: { code: 554, enh: '5.3.0', text: `refusing to deliver as ${what} (${who.name})` } };
}

export function checkJob(raw: unknown, message: Buffer | undefined, policy: JobPolicy): JobCheck {
  if (!isRecord(raw)) return { ok: false, malformed: 'job: expected an object' };
  let job: AgentJob;
  try {
    job = build(raw, policy);
  } catch (err) {
    if (err instanceof Malformed) return { ok: false, malformed: err.message };
    throw err;
  }
  if (job.kind === 'read' ? message !== undefined : message === undefined) {
    return { ok: false, malformed: job.kind === 'read' ? 'a read job carries no message' : `a ${job.kind} job needs the message` };
  }
  const who = job.kind === 'mailbox' ? job.user : job.as;
  if (who.uid === 0 || who.gid === 0) return { ok: false, refused: rootRefusal(who), reason: `${job.kind} job as uid ${who.uid} gid ${who.gid} (${who.name})` };
  return { ok: true, job };
}
