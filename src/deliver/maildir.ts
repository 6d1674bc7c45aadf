// Local delivery into a Maildir (MailboxFormat=maildir, MaildirPath default $z/Maildir): the
// message is written under tmp/ with a unique name, fsynced, linked into new/ and the directory
// fsynced, so a reader never sees half a message and a crash never loses an acknowledged one.
// Directories that do not exist are created 0700 by the user's own agent (so they are the user's).

import { closeSync, constants as fs, fsync, fsyncSync, linkSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { AgentResult, MailboxJob } from './agent-protocol.js';
import { errCode, reasonOf, temp, type Failure } from './errors.js';
import { maildirEntry } from './mbox-format.js';

/** MaildirPath with `$z` (home) and `$u` (user name) filled in. */
export function maildirPath(template: string, user: { name: string; home: string }): string {
  return template.replace(/\$([zu])/g, (_, m: string) => (m === 'z' ? user.home : user.name)).replace(/\/+$/, '');
}

let sequence = 0;
/** Looked up once: each costs a system call per message (uname, getpid), and neither changes under a running agent. */
let hostPart: string | undefined;
let pid: number | undefined;

/** time.MusecPpidQnR<random>.host (the maildir(5) convention), with / and : in the host name escaped. */
export function uniqueName(now = Date.now()): string {
  hostPart ??= hostname().replace(/\//g, '\\057').replace(/:/g, '\\072');
  pid ??= process.pid;
  const sec = Math.floor(now / 1000);
  const usec = (now % 1000) * 1000 + Math.floor(Math.random() * 1000);
  return `${sec}.M${usec}P${pid}Q${++sequence}R${randomBytes(4).toString('hex')}.${hostPart}`;
}

function failure(e: unknown, what: string): Failure {
  if (errCode(e) === 'EDQUOT') return temp(452, '4.2.2', 'Mailbox full');
  return temp(451, '4.3.0', `${what}: ${reasonOf(e)}`);
}

function ensureDir(path: string): void {
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (e) {
    if (errCode(e) !== 'EEXIST') throw e;
  }
  if (!statSync(path).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
}

export async function deliverToMaildir(job: MailboxJob, message: Buffer): Promise<AgentResult> {
  return (await deliverToMaildirBatch([job], [message]))[0]!;
}

/** The Maildir directory of a job, made ready (created if need be), or why it cannot be used. */
function prepare(job: MailboxJob): { dir: string } | { failure: Failure } {
  const dir = maildirPath(job.maildir, job.user);
  if (!dir.startsWith('/')) return { failure: temp(451, '4.3.0', `cannot open ${dir}: MaildirPath is not an absolute path`) };
  if (/\$z/.test(job.maildir)) {
    try {
      if (!statSync(job.user.home).isDirectory()) return { failure: temp(451, '4.3.0', `cannot open ${dir}: ${reasonOf({ code: 'ENOTDIR' })}`) };
    } catch (e) {
      return { failure: failure(e, `cannot open ${dir}`) };
    }
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const sub of ['tmp', 'new', 'cur']) ensureDir(`${dir}/${sub}`);
  } catch (e) {
    return { failure: failure(e, `cannot open ${dir}`) };
  }
  return { dir };
}

/** A message written into tmp/, not yet synced. */
interface Written {
  dir: string;
  name: string;
  fd: number;
}

function write(dir: string, job: MailboxJob, message: Buffer): Written | { failure: Failure } {
  const data = maildirEntry(job.meta.sender, message);
  const name = uniqueName();
  const tmp = `${dir}/tmp/${name}`;
  let fd: number;
  try {
    fd = openSync(tmp, fs.O_WRONLY | fs.O_CREAT | fs.O_EXCL | fs.O_NOFOLLOW, 0o600);
  } catch (e) {
    return { failure: failure(e, `cannot open ${tmp}`) };
  }
  try {
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
    return { dir, name, fd };
  } catch (e) {
    closeSync(fd);
    discard(tmp);
    return { failure: failure(e, `write error on ${tmp}`) };
  }
}

function discard(tmp: string): void {
  try {
    unlinkSync(tmp);
  } catch {
    // already linked and removed, or never there
  }
}

/** fsync(2) through the thread pool: the fsyncs of a batch run side by side (the journal commits them together). */
function fsyncAsync(fd: number): Promise<unknown> {
  return new Promise((resolve) => fsync(fd, (err) => resolve(err ?? undefined)));
}

/** Links a synced message from tmp/ into new/ under a unique name; the directory is not yet synced. */
function publish(w: Written): { target: string } | { failure: Failure } {
  const tmp = `${w.dir}/tmp/${w.name}`;
  try {
    let target = `${w.dir}/new/${w.name}`;
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, target);
        break;
      } catch (e) {
        if (errCode(e) !== 'EEXIST' || attempt >= 3) throw e;
        target = `${w.dir}/new/${uniqueName()}`;
      }
    }
    // The message is in new/ already; a stray tmp/ file would be cleaned up by mail readers.
    discard(tmp);
    return { target };
  } catch (e) {
    discard(tmp);
    return { failure: failure(e, `write error on ${tmp}`) };
  }
}

/**
 * Several deliveries of one identity: each message written to tmp/ and fsynced (side by side), linked
 * into new/, and new/ fsynced once for all of them; a result for each, only once its entry in new/ is
 * on disk.
 */
export async function deliverToMaildirBatch(jobs: MailboxJob[], messages: Buffer[]): Promise<AgentResult[]> {
  const dirs = new Map<string, { dir: string } | { failure: Failure }>();
  const written = jobs.map((job, i): Written | { failure: Failure } => {
    const key = `${job.maildir}\0${job.user.home}\0${job.user.name}`;
    let d = dirs.get(key);
    if (d === undefined) {
      d = prepare(job);
      dirs.set(key, d);
    }
    return 'failure' in d ? d : write(d.dir, job, messages[i]!);
  });
  const syncErrors = await Promise.all(written.map((w) => ('failure' in w ? undefined : fsyncAsync(w.fd))));
  const placed = written.map((w, i): { dir: string; target: string } | { failure: Failure } => {
    if ('failure' in w) return w;
    closeSync(w.fd);
    const err = syncErrors[i];
    if (err !== undefined) {
      discard(`${w.dir}/tmp/${w.name}`);
      return { failure: failure(err, `write error on ${w.dir}/tmp/${w.name}`) };
    }
    const p = publish(w);
    return 'failure' in p ? p : { dir: w.dir, target: p.target };
  });
  const synced = new Map<string, Failure | undefined>();
  return placed.map((p): AgentResult => {
    if ('failure' in p) return p.failure;
    if (!synced.has(p.dir)) synced.set(p.dir, syncDir(`${p.dir}/new`));
    return synced.get(p.dir) ?? { status: 'delivered', detail: `delivered to ${p.target}` };
  });
}

function syncDir(path: string): Failure | undefined {
  try {
    const dfd = openSync(path, fs.O_RDONLY | fs.O_DIRECTORY);
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
    return undefined;
  } catch (e) {
    return failure(e, `write error on ${path}`);
  }
}
