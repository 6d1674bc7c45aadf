// File delivery (program-and-file-delivery.md §4): SafeFileEnvironment emulation, the identity rules
// for set-user-ID and set-group-ID files, and a locked mbox-format append with the texts of §4.5.

import { closeSync, constants as fs, fchmodSync, fstatSync, lstatSync, statSync, type Stats } from 'node:fs';
import type { AgentResult, FileJob } from './agent-protocol.js';
import { errCode, isTransient, perm, reasonOf, temp, type Failure } from './errors.js';
import type { Credentials } from './identity.js';
import { dontBlame } from './job-parse.js';
import { appendLocked } from './locked-append.js';
import { mboxEntry } from './mbox-format.js';
import { strerror } from './native.js';
import { openWithTimeout } from './open-timeout.js';
import { dirsProblem, targetPath } from './safe-file-path.js';

const DEFAULT_OPEN_TIMEOUT = 60_000;
const DEFAULT_LOCK_TIMEOUT = 120_000;
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const SET_ID = S_ISUID | S_ISGID;

/** What the identity was chosen from, so the file can be checked again once the agent has become it. */
export interface SetIdBasis {
  dev: number;
  ino: number;
  bits: number;
}

export interface FilePlan {
  creds: Credentials;
  basis?: SetIdBasis;
  log: string[];
}

/**
 * The identity for a file delivery (§4.3), decided while the agent is still root from a look at the
 * target (lstat only: nothing is opened before the switch). A set-user-ID file owned by someone other
 * than root is written as its owner; a set-group-ID file with its group; never as root.
 */
export function fileCredentials(job: FileJob): FilePlan {
  const as = job.as;
  const plan: FilePlan = { creds: { uid: as.uid, gid: as.gid, groups: { initgroups: as.name } }, log: [] };
  const t = targetPath(job.path, job.safeFileEnvironment);
  if (t.kind !== 'file') return plan;
  let st: Stats;
  try {
    st = lstatSync(t.real);
  } catch {
    return plan;
  }
  if (!st.isFile() || (st.mode & SET_ID) === 0) return plan;
  let uidBit = (st.mode & S_ISUID) !== 0;
  let gidBit = (st.mode & S_ISGID) !== 0;
  if (st.uid === 0 || (gidBit && st.gid === 0)) {
    plan.log.push('mailfile: ignoring set-user-ID/set-group-ID bits');
    if (st.uid === 0) return plan;
    gidBit = false;
    if (!uidBit) return plan;
  }
  if (uidBit && st.uid === as.uid) uidBit = false;
  const uid = uidBit ? st.uid : as.uid;
  const gid = gidBit ? st.gid : as.gid;
  plan.creds = { uid, gid, groups: uidBit ? { list: [gid] } : { initgroups: as.name } };
  plan.basis = { dev: st.dev, ino: st.ino, bits: st.mode & SET_ID };
  return plan;
}

function cannotOpen(job: FileJob, reason: string, transient: boolean): Failure {
  return transient ? temp(454, '4.3.0', `cannot open ${job.path}: ${reason}`) : perm(554, '5.3.0', `cannot open ${job.path}: ${reason}`);
}

const changed = (): Failure => perm(554, '5.3.0', 'file changed after open');

function withLog(r: AgentResult, log: string[]): AgentResult {
  return log.length === 0 || r.status === 'read' ? r : { ...r, log: [...(r.log ?? []), ...log] };
}

export async function deliverToFile(job: FileJob, message: Buffer, plan: FilePlan): Promise<AgentResult> {
  return withLog(await deliver(job, message, plan), plan.log);
}

async function deliver(job: FileJob, message: Buffer, plan: FilePlan): Promise<AgentResult> {
  const t = targetPath(job.path, job.safeFileEnvironment);
  if (t.kind === 'devnull') return { status: 'delivered', detail: 'discarded (/dev/null)' };
  if (t.kind === 'refused') return cannotOpen(job, t.reason, false);
  if (t.confined) {
    const p = dirsProblem(t.dirs);
    if (p !== undefined) return cannotOpen(job, p.reason, isTransient(p.error));
  }
  const symlinkOk = !t.confined && dontBlame(job.dontBlame, 'FileDeliveryToSymLink');
  const hardlinkOk = dontBlame(job.dontBlame, 'FileDeliveryToHardLink');
  const openTimeout = job.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT;

  // Two tries: a file created by someone else between the look and the O_EXCL open is looked at again.
  for (let attempt = 0; attempt < 2; attempt++) {
    let st: Stats | undefined;
    let follow = false;
    try {
      st = lstatSync(t.real);
    } catch (e) {
      if (errCode(e) !== 'ENOENT') return cannotOpen(job, reasonOf(e), isTransient(e));
    }
    if (st !== undefined) {
      if (st.isSymbolicLink()) {
        if (!symlinkOk) return cannotOpen(job, 'Symbolic links not allowed', false);
        follow = true;
        try {
          st = statSync(t.real);
        } catch (e) {
          return cannotOpen(job, reasonOf(e), isTransient(e));
        }
      }
      if (t.confined && !st.isFile()) return cannotOpen(job, 'Regular files only', false);
      if (st.nlink > 1 && !hardlinkOk) return cannotOpen(job, 'Hard links not allowed', false);
      if ((st.mode & 0o111) !== 0) return cannotOpen(job, 'Executable files not allowed', false);
      if (plan.basis !== undefined && (st.dev !== plan.basis.dev || st.ino !== plan.basis.ino || (st.mode & SET_ID) !== plan.basis.bits)) {
        return changed();
      }
    } else if (plan.basis !== undefined) {
      return changed();
    }
    const create = st === undefined;
    const flags = fs.O_WRONLY | fs.O_APPEND | fs.O_NOCTTY | (follow ? 0 : fs.O_NOFOLLOW) | (create ? fs.O_CREAT | fs.O_EXCL : 0);
    const o = await openWithTimeout(t.real, flags, job.tempFileMode, openTimeout);
    if (!o.ok) {
      if (o.timedOut) return cannotOpen(job, 'open timeout', true);
      if (create && errCode(o.error) === 'EEXIST') continue;
      if (!follow && errCode(o.error) === 'ELOOP') return cannotOpen(job, 'Symbolic links not allowed', false);
      return cannotOpen(job, reasonOf(o.error), isTransient(o.error));
    }
    try {
      return writeOpened(job, message, o.fd, st, create);
    } finally {
      closeSync(o.fd);
    }
  }
  return changed();
}

function writeOpened(job: FileJob, message: Buffer, fd: number, seen: Stats | undefined, create: boolean): AgentResult {
  const now = fstatSync(fd);
  if (create) {
    if (!now.isFile() || now.nlink !== 1) return changed();
    // The umask must not narrow TempFileMode.
    fchmodSync(fd, job.tempFileMode);
  } else if (seen === undefined || now.dev !== seen.dev || now.ino !== seen.ino || (job.safeFileEnvironment !== undefined && !now.isFile())) {
    return changed();
  }
  const regular = now.isFile();
  const r = appendLocked(fd, mboxEntry(job.meta.sender, message, new Date()), job.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT, regular);
  if (!r.ok) {
    if (r.stage === 'lock') {
      return r.timedOut ? temp(451, '4.3.0', `lock timeout on ${job.path}`) : temp(451, '4.3.0', `cannot lock ${job.path}: ${strerror(r.errno)}`);
    }
    return temp(451, '4.3.0', `write error on ${job.path}: ${reasonOf(r.error)}`);
  }
  const log: string[] = [];
  const before = seen?.mode ?? 0;
  if (regular && (before & SET_ID) !== 0) {
    // The kernel clears set-ID bits when someone other than root writes; put them back (§4.3 step 4).
    const after = fstatSync(fd).mode;
    if ((after & SET_ID) !== (before & SET_ID)) {
      try {
        fchmodSync(fd, before & 0o7777);
      } catch (e) {
        log.push(`${job.path}: cannot restore mode ${(before & 0o7777).toString(8)}: ${reasonOf(e)}`);
      }
    }
  }
  const ok: AgentResult = { status: 'delivered', detail: `appended ${r.bytes} bytes to ${job.path}` };
  return log.length > 0 ? { ...ok, log } : ok;
}
