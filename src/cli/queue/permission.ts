// restrictmailq and restrictqrun, exactly as privacy-options.md §1 words them: listing the queue is for
// root and for callers whose real gid or any supplementary gid is the queue directory's group; running
// or changing it is for root and the queue directory's owner. The owner may always list it (it can read
// every file anyway). The same functions judge the command's own caller and, in the daemon, the peer of
// a control connection (credentials from the kernel).

import { stat } from 'node:fs/promises';
import type { EffectiveConfig } from '../../config/effective.js';

export const NOT_PERMITTED_MAILQ = 'You are not permitted to see the queue';
export const NOT_PERMITTED_QRUN = 'You do not have permission to process the queue';

export interface Caller {
  uid: number;
  gid: number;
  groups: readonly number[];
}

export interface QueueOwner {
  uid: number;
  gid: number;
}

/** The process's own real ids (sendmail judges the real uid). */
export function selfCaller(): Caller {
  const uid = process.getuid?.() ?? -1;
  const gid = process.getgid?.() ?? -1;
  return { uid, gid, groups: process.getgroups?.() ?? [] };
}

export async function queueOwner(dir: string): Promise<QueueOwner | undefined> {
  try {
    const st = await stat(dir);
    return { uid: st.uid, gid: st.gid };
  } catch {
    return undefined;
  }
}

const privacy = (cfg: EffectiveConfig, flag: 'restrictmailq' | 'restrictqrun'): boolean => cfg.options.PrivacyOptions.flags.has(flag);

/** Whether `c` may list the queue. A queue directory that does not exist yet belongs to nobody. */
export function mayListQueue(cfg: EffectiveConfig, c: Caller, owner: QueueOwner | undefined): boolean {
  if (!privacy(cfg, 'restrictmailq') || c.uid === 0) return true;
  if (owner === undefined) return false;
  return c.uid === owner.uid || c.gid === owner.gid || c.groups.includes(owner.gid);
}

/** Whether `c` may run the queue or change it (-q in every form, -Q, postern queue actions). */
export function mayRunQueue(cfg: EffectiveConfig, c: Caller, owner: QueueOwner | undefined): boolean {
  if (!privacy(cfg, 'restrictqrun') || c.uid === 0) return true;
  return owner !== undefined && c.uid === owner.uid;
}

/** Root or the queue owner: may set the unsafe Timeout.queuereturn=now on a run done by the daemon. */
export function isQueueAdmin(c: Caller, owner: QueueOwner | undefined): boolean {
  return c.uid === 0 || (owner !== undefined && c.uid === owner.uid);
}
