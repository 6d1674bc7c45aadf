// Checks the job the agent reads before it acts on it: the agent starts as root, so a malformed
// job is refused whole rather than half-understood.

import type { AgentJob, MessageMeta } from './agent-protocol.js';
import type { Identity } from './shared-types.js';

type Obj = Record<string, unknown>;

class JobError extends Error {}

function obj(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new JobError(`${what}: object expected`);
  return v as Obj;
}

function str(o: Obj, k: string, what: string): string {
  const v = o[k];
  if (typeof v !== 'string') throw new JobError(`${what}.${k}: string expected`);
  if (v.includes('\0')) throw new JobError(`${what}.${k}: NUL character`);
  return v;
}

function id(o: Obj, k: string, what: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xfffffffe) {
    throw new JobError(`${what}.${k}: a uid/gid number expected`);
  }
  return v;
}

function ms(o: Obj, k: string, what: string, optional: boolean): number | undefined {
  const v = o[k];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
    throw new JobError(`${what}.${k}: a time in ms expected`);
  }
  return v;
}

function absolute(p: string, what: string): string {
  if (!p.startsWith('/')) throw new JobError(`${what}: absolute path expected`);
  return p;
}

function identity(v: unknown, what: string): Identity {
  const o = obj(v, what);
  const name = str(o, 'name', what);
  if (name.length === 0 || name.includes('/') || name === '.' || name === '..') {
    throw new JobError(`${what}.name: not a user name`);
  }
  return { name, uid: id(o, 'uid', what), gid: id(o, 'gid', what), home: str(o, 'home', what), shell: str(o, 'shell', what) };
}

function meta(v: unknown): MessageMeta {
  const o = obj(v, 'meta');
  const created = o.created;
  if (typeof created !== 'number' || !Number.isFinite(created)) throw new JobError('meta.created: number expected');
  return { id: str(o, 'id', 'meta'), sender: str(o, 'sender', 'meta'), recipient: str(o, 'recipient', 'meta'), created };
}

function strings(o: Obj, k: string, what: string): string[] {
  const v = o[k];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new JobError(`${what}.${k}: list of strings expected`);
  return v as string[];
}

/** The job from its JSON text, or an Error saying what is wrong with it. */
export function parseJob(text: string): AgentJob {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new JobError('job: not JSON');
  }
  return checkJob(raw);
}

/** The job from its parsed JSON value. */
export function checkJob(raw: unknown): AgentJob {
  const o = obj(raw, 'job');
  switch (o.kind) {
    case 'mailbox': {
      const format = o.format;
      if (format !== 'mbox' && format !== 'maildir') throw new JobError('job.format: mbox or maildir expected');
      const job: AgentJob = {
        kind: 'mailbox',
        user: identity(o.user, 'job.user'),
        spoolDir: absolute(str(o, 'spoolDir', 'job'), 'job.spoolDir'),
        format,
        maildir: str(o, 'maildir', 'job'),
        meta: meta(o.meta),
      };
      const lock = ms(o, 'lockTimeoutMs', 'job', true);
      if (lock !== undefined) job.lockTimeoutMs = lock;
      return job;
    }
    case 'file': {
      const sfe = o.safeFileEnvironment;
      if (sfe !== undefined && sfe !== null && typeof sfe !== 'string') throw new JobError('job.safeFileEnvironment: string expected');
      const mode = o.tempFileMode;
      if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new JobError('job.tempFileMode: mode expected');
      const job: AgentJob = {
        kind: 'file',
        path: str(o, 'path', 'job'),
        as: identity(o.as, 'job.as'),
        safeFileEnvironment: typeof sfe === 'string' && sfe.length > 0 ? absolute(sfe, 'job.safeFileEnvironment') : undefined,
        tempFileMode: mode,
        dontBlame: strings(o, 'dontBlame', 'job'),
        meta: meta(o.meta),
      };
      const open = ms(o, 'openTimeoutMs', 'job', true);
      const lock = ms(o, 'lockTimeoutMs', 'job', true);
      if (open !== undefined) job.openTimeoutMs = open;
      if (lock !== undefined) job.lockTimeoutMs = lock;
      return job;
    }
    case 'program':
      return {
        kind: 'program',
        command: str(o, 'command', 'job'),
        as: identity(o.as, 'job.as'),
        smrshDirectory: absolute(str(o, 'smrshDirectory', 'job'), 'job.smrshDirectory'),
        smrshPath: str(o, 'smrshPath', 'job'),
        timeoutMs: ms(o, 'timeoutMs', 'job', false) as number,
        dontBlame: strings(o, 'dontBlame', 'job'),
        meta: meta(o.meta),
      };
    case 'read':
      return {
        kind: 'read',
        path: absolute(str(o, 'path', 'job'), 'job.path'),
        as: identity(o.as, 'job.as'),
        timeoutMs: ms(o, 'timeoutMs', 'job', false) as number,
      };
    default:
      throw new JobError('job.kind: mailbox, file, program or read expected');
  }
}

/** DontBlameSendmail flags are case-insensitive (aliases-forward.md §7). */
export function dontBlame(flags: readonly string[], name: string): boolean {
  const want = name.toLowerCase();
  return flags.some((f) => f.toLowerCase() === want);
}
