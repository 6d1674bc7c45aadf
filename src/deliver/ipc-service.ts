// DeliveryService for the unprivileged worker: each job goes to the root master over the channel, which
// checks it and runs the agent. A job the master cannot run (channel gone, request refused as malformed)
// is a temporary failure, so the message stays queued: the runner never loses mail to a broken channel.

import type { AgentJob, AgentResult, DeliveryService } from './agent-protocol.js';
import type { IpcClient } from './ipc-client.js';
import { isRecord } from './ipc-protocol.js';

/** What the runner gets when the master did not run the job. */
export function unavailable(job: AgentJob, reason: string): AgentResult {
  const text = `delivery agent unavailable: ${reason}`;
  if (job.kind === 'read') return { status: 'read', read: { status: 'transient', reason: text } };
  return { status: 'temp', reply: { code: 451, enh: '4.3.0', text } };
}

function isResult(v: unknown): v is AgentResult {
  return isRecord(v) && (v.status === 'delivered' || v.status === 'temp' || v.status === 'perm' || v.status === 'read');
}

export class IpcDeliveryService implements DeliveryService {
  constructor(private readonly client: IpcClient) {}

  async run(job: AgentJob, message?: Buffer): Promise<AgentResult> {
    // `message` says whether there is one: an empty message and no message are both an empty body.
    const reply = await this.client.request({ t: 'job', job, message: message !== undefined }, message);
    if (!reply.ok) return unavailable(job, reply.error);
    const result = reply.header.result;
    if (reply.header.t !== 'result' || !isResult(result)) return unavailable(job, 'unexpected reply from the master');
    return result;
  }
}
