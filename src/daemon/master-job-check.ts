// The master's check of a job the worker asks it to run. The worker is the unprivileged side that talks
// to the network, so a job is treated as hostile input:
// - only the known job kinds, each rebuilt field by field from the contract (nothing else passes; the
//   agents' lock timeouts keep their defaults, a worker cannot stretch them);
// - root only where docs/delivery.md "Root" allows it: root's own mailbox, and a read of one of root's
//   ForwardPath files; a program or a file never as uid 0 or gid 0;
// - a mailbox job, and a read as root, must name an account exactly as the password database has it
//   (name, uid, gid): otherwise a worker could have alice's mailbox created as bob, or any written as root;
// - the policy fields come from the master's own configuration, not from the request: a worker that
//   could name the smrsh directory or SafeFileEnvironment could run anything as anyone.

import type { EffectiveConfig } from '../config/effective.js';
import type { AgentJob, AgentResult, MessageMeta } from '../deliver/agent-protocol.js';
import { isRecord } from '../deliver/ipc-protocol.js';
import type { Identity } from '../deliver/shared-types.js';
import type { UserEntry } from '../maps/users.js';
import type { JobSettings } from '../queue/runner-types.js';

/** The password database, by name (getpwnam). */
export interface Accounts {
  lookupUser(name: string): UserEntry | undefined;
}

/** What the master imposes on every job, from its configuration: the runner's job settings, and more. */
export interface JobPolicy extends JobSettings {
  /** ForwardPath templates and $w: the only files a read job may read as root are root's candidates */
  forwardPath: string[];
  shortHost: string;
}

export function jobPolicy(cfg: EffectiveConfig, shortHost: string): JobPolicy {
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
    forwardPath: [...o.ForwardPath],
    shortHost,
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
 * runner sees the same result whichever side refuses; for a read job agentFileAccess makes it "denied".
 */
export function rootRefusal(who: Identity): AgentResult {
  const what = who.uid === 0 ? 'root' : 'group root';
  return { status: 'perm', reply: { code: 554, enh: '5.3.0', text: `refusing to deliver as ${what} (${who.name})` } };
}

/** An identity that is not the account of that name: temporary, the worker's view may be out of date. */
function mismatch(who: Identity): AgentResult {
  return { status: 'temp', reply: { code: 451, enh: '4.3.0', text: `${who.name}: not the account of that name in the password database` } };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `path` is one of the account's ForwardPath files ($z home, $u name, $w short host, $h any detail). */
export function isForwardCandidate(path: string, who: { name: string; home: string }, policy: JobPolicy): boolean {
  if (who.home === '') return false;
  for (const template of policy.forwardPath) {
    if (template === '') continue;
    let re = '';
    for (const part of template.split(/(\$[zuwh])/)) {
      if (part === '$z') re += escapeRe(who.home);
      else if (part === '$u') re += escapeRe(who.name);
      else if (part === '$w') re += escapeRe(policy.shortHost);
      else if (part === '$h') re += '[^/]+';
      else re += escapeRe(part);
    }
    if (path.startsWith('/') && new RegExp(`^${re}$`).test(path)) return true;
  }
  return false;
}

/** The account the identity names, if the password database agrees on its name, uid and gid. */
function accountOf(who: Identity, accounts: Accounts): UserEntry | undefined {
  const u = accounts.lookupUser(who.name);
  return u !== undefined && u.name === who.name && u.uid === who.uid && u.gid === who.gid ? u : undefined;
}

export function checkJob(raw: unknown, message: Buffer | undefined, policy: JobPolicy, accounts: Accounts): JobCheck {
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
  const asRoot = who.uid === 0 || who.gid === 0;
  const reason = `${job.kind} job as uid ${who.uid} gid ${who.gid} (${who.name})`;
  if (job.kind === 'mailbox') {
    // Root's own mailbox is root's file, written as root; every mailbox only as its own account.
    if (accountOf(who, accounts) === undefined) return { ok: false, refused: mismatch(who), reason: `${reason}: not the account of that name` };
    return { ok: true, job };
  }
  if (!asRoot) return { ok: true, job };
  // Root's home as the password database has it, not as the request says.
  const account = who.uid === 0 ? accountOf(who, accounts) : undefined;
  if (job.kind === 'read' && account !== undefined && isForwardCandidate(job.path, account, policy)) return { ok: true, job };
  return { ok: false, refused: rootRefusal(who), reason: job.kind === 'read' ? `${reason}: ${job.path} is not one of root's ForwardPath files` : reason };
}
