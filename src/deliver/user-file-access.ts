// UserFileAccess (routing's view, src/route/file-access.ts) on top of a DeliveryService: each read of
// a .forward or :include: file is a `read` job, done by an agent acting as the file's user.
//
// Most users have no .forward. When this process itself can see that the name does not exist
// (ENOENT, ENOTDIR from lstat: nothing is there for anyone), the agent could only say the same, so
// the round trip through the master and a process acting as the user is skipped. Anything else —
// the name exists, or this process may not look (EACCES) — is asked of the agent as before: the
// content and the facts the safety rules judge are only ever read as the user.

import { lstat } from 'node:fs/promises';
import type { DeliveryService } from './agent-protocol.js';
import type { FileRead, Identity, UserFileAccess } from './shared-types.js';

const NOTHING_THERE = new Set(['ENOENT', 'ENOTDIR']);

async function lookMissing(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return false;
  } catch (err) {
    return NOTHING_THERE.has((err as NodeJS.ErrnoException).code ?? '');
  }
}

/** Looks under way, by path: deliveries routed at the same moment (a batch for one user) share one. */
const looking = new Map<string, Promise<boolean>>();

function visiblyMissing(path: string): Promise<boolean> {
  let p = looking.get(path);
  if (p === undefined) {
    p = lookMissing(path).finally(() => looking.delete(path));
    looking.set(path, p);
  }
  return p;
}

export function agentFileAccess(service: DeliveryService): UserFileAccess {
  return {
    async read(path: string, as: Identity, timeoutMs: number): Promise<FileRead> {
      if (await visiblyMissing(path)) return { status: 'missing' };
      const r = await service.run({ kind: 'read', path, as, timeoutMs });
      if (r.status === 'read') return r.read;
      if (r.status === 'delivered') return { status: 'transient', reason: 'unexpected agent result' };
      // The agent could not do the job at all (refused, crashed, killed): say why, and retry later
      // unless it was a refusal that will not change.
      return r.status === 'perm' ? { status: 'denied', reason: r.reply.text } : { status: 'transient', reason: r.reply.text };
    },
  };
}
