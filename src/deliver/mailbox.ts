// Local mailbox delivery in mbox format (program-and-file-delivery.md §5): <MailSpoolDirectory>/<user>,
// dot-lock and fcntl lock, created 0600 owned by the user with the spool directory's group, the file
// checks of §4.2 steps 4–7, and the quota/space texts.

import { closeSync, constants as fs, fchmodSync, fchownSync, fstatSync, lstatSync, statSync, type Stats } from 'node:fs';
import type { AgentResult, MailboxJob } from './agent-protocol.js';
import { releaseDotLock, takeDotLock } from './dot-lock.js';
import { errCode, perm, reasonOf, temp, type Failure } from './errors.js';
import type { Credentials } from './identity.js';
import { appendLockedBatch } from './locked-append.js';
import { mboxEntry } from './mbox-format.js';
import { strerror } from './native.js';
import { openWithTimeout } from './open-timeout.js';

export const DEFAULT_LOCK_TIMEOUT = 120_000;
const OPEN_TIMEOUT = 60_000;

export interface MailboxPlan {
  creds: Credentials;
  /** The spool directory's group: new mailboxes get it. */
  spoolGid?: number;
}

/**
 * The identity for an mbox delivery, decided as root from a stat of the spool directory: the user,
 * with the spool directory's group as the effective group when that group may write there (as
 * setgid-mail delivery programs do), so the user's own agent can create the mailbox and its dot-lock
 * in a directory like /var/mail (root:mail 2775).
 */
export function mboxCredentials(job: MailboxJob): MailboxPlan {
  const u = job.user;
  let spool: Stats | undefined;
  try {
    spool = statSync(job.spoolDir);
  } catch {
    spool = undefined;
  }
  const useSpoolGroup = spool !== undefined && spool.isDirectory() && spool.gid !== 0 && (spool.mode & 0o020) !== 0;
  return {
    creds: { uid: u.uid, gid: useSpoolGroup ? spool!.gid : u.gid, groups: { initgroups: u.name } },
    // A mailbox never gets the root group, even in a root-group spool directory.
    ...(spool !== undefined && spool.gid !== 0 ? { spoolGid: spool.gid } : {}),
  };
}

export function mailboxPath(job: MailboxJob): string {
  return `${job.spoolDir.replace(/\/+$/, '')}/${job.user.name}`;
}

export async function deliverToMbox(job: MailboxJob, message: Buffer, plan: MailboxPlan): Promise<AgentResult> {
  const [r] = await deliverToMboxBatch([job], [message], plan);
  return r!;
}

/**
 * Several deliveries to one user's mailbox (jobs of one identity and spool directory) under one
 * dot-lock, one fcntl lock and one fsync; a result for each, only once everything is on disk.
 */
export async function deliverToMboxBatch(jobs: MailboxJob[], messages: Buffer[], plan: MailboxPlan): Promise<AgentResult[]> {
  const first = jobs[0]!;
  const mbox = mailboxPath(first);
  const lockTimeout = first.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT;
  const dot = await takeDotLock(mbox, lockTimeout);
  if (!dot.ok) {
    const f = dot.timedOut ? temp(451, '4.3.0', `lock timeout on ${mbox}`) : temp(451, '4.3.0', `cannot create lock file ${mbox}.lock: ${reasonOf(dot.error)}`);
    return jobs.map(() => f);
  }
  const log = dot.brokeStale ? [`${mbox}.lock: stale lock (older than 5 minutes) broken`] : [];
  try {
    const rs = await appendToMailbox(mbox, jobs, messages, plan, lockTimeout, log);
    // The batch's own log lines go with its first result (they are logged once).
    return rs.map((r, i) => (i === 0 && log.length > 0 && r.status !== 'read' ? { ...r, log: [...(r.log ?? []), ...log] } : r));
  } finally {
    releaseDotLock(dot.lock);
  }
}

function refused(mbox: string, reason: string): Failure {
  return perm(554, '5.3.0', `cannot open ${mbox}: ${reason}`);
}

async function appendToMailbox(mbox: string, jobs: MailboxJob[], messages: Buffer[], plan: MailboxPlan, lockTimeout: number, log: string[]): Promise<AgentResult[]> {
  const all = (r: AgentResult): AgentResult[] => jobs.map(() => r);
  const owner = process.geteuid?.() ?? jobs[0]!.user.uid;
  for (let attempt = 0; attempt < 2; attempt++) {
    let st: Stats | undefined;
    try {
      st = lstatSync(mbox);
    } catch (e) {
      if (errCode(e) !== 'ENOENT') return all(temp(451, '4.3.0', `cannot open ${mbox}: ${reasonOf(e)}`));
    }
    if (st !== undefined) {
      if (st.isSymbolicLink()) return all(refused(mbox, 'Symbolic links not allowed'));
      if (!st.isFile()) return all(refused(mbox, 'Regular files only'));
      if (st.nlink > 1) return all(refused(mbox, 'Hard links not allowed'));
      if ((st.mode & 0o111) !== 0) return all(refused(mbox, 'Executable files not allowed'));
      // [Postern] someone else's file in the spool must not receive this user's mail.
      if (st.uid !== owner) return all(refused(mbox, 'Wrong owner'));
    }
    const create = st === undefined;
    const flags = fs.O_WRONLY | fs.O_APPEND | fs.O_NOCTTY | fs.O_NOFOLLOW | (create ? fs.O_CREAT | fs.O_EXCL : 0);
    const o = await openWithTimeout(mbox, flags, 0o600, OPEN_TIMEOUT);
    if (!o.ok) {
      if (o.timedOut) return all(temp(451, '4.3.0', `cannot open ${mbox}: open timeout`));
      if (create && errCode(o.error) === 'EEXIST') continue;
      if (errCode(o.error) === 'ELOOP') return all(refused(mbox, 'Symbolic links not allowed'));
      return all(temp(451, '4.3.0', `cannot open ${mbox}: ${reasonOf(o.error)}`));
    }
    try {
      const now = fstatSync(o.fd);
      if (create ? !now.isFile() || now.nlink !== 1 : now.dev !== st!.dev || now.ino !== st!.ino) {
        return all(perm(554, '5.3.0', 'file changed after open'));
      }
      if (create) {
        fchmodSync(o.fd, 0o600);
        if (plan.spoolGid !== undefined && now.gid !== plan.spoolGid) {
          try {
            fchownSync(o.fd, -1, plan.spoolGid);
          } catch (e) {
            log.push(`${mbox}: cannot give the mailbox group ${plan.spoolGid}: ${reasonOf(e)}`);
          }
        }
      }
      const date = new Date();
      const r = appendLockedBatch(o.fd, jobs.map((j, i) => mboxEntry(j.meta.sender, messages[i]!, date)), lockTimeout);
      if (!r.ok && r.stage === 'lock') return all(r.timedOut ? temp(451, '4.3.0', `lock timeout on ${mbox}`) : temp(451, '4.3.0', `cannot lock ${mbox}: ${strerror(r.errno)}`));
      if (!r.ok) return all(writeFailure(mbox, r.error));
      return r.entries.map((e): AgentResult => (e.ok ? { status: 'delivered', detail: `appended ${e.bytes} bytes to ${mbox}` } : writeFailure(mbox, e.error)));
    } finally {
      closeSync(o.fd);
    }
  }
  return all(perm(554, '5.3.0', 'file changed after open'));
}

function writeFailure(mbox: string, error: unknown): Failure {
  if (errCode(error) === 'EDQUOT') return temp(452, '4.2.2', 'Mailbox full');
  return temp(451, '4.3.0', `write error on ${mbox}: ${reasonOf(error)}`);
}
