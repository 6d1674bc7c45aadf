// UserFileAccess (routing's view, src/route/file-access.ts) on top of a DeliveryService: each read of
// a .forward or :include: file is a `read` job, done by an agent acting as the file's user.

import type { DeliveryService } from './agent-protocol.js';
import type { FileRead, Identity, UserFileAccess } from './shared-types.js';

export function agentFileAccess(service: DeliveryService): UserFileAccess {
  return {
    async read(path: string, as: Identity, timeoutMs: number): Promise<FileRead> {
      const r = await service.run({ kind: 'read', path, as, timeoutMs });
      if (r.status === 'read') return r.read;
      if (r.status === 'delivered') return { status: 'transient', reason: 'unexpected agent result' };
      // The agent could not do the job at all (refused, crashed, killed): say why, and retry later
      // unless it was a refusal that will not change.
      return r.status === 'perm' ? { status: 'denied', reason: r.reply.text } : { status: 'transient', reason: r.reply.text };
    },
  };
}
