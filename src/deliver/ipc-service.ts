// DeliveryService for the unprivileged worker: each job goes to the root master over the channel, which
// checks it and runs the agent. A job the master cannot run (channel gone, request refused as malformed)
// is a temporary failure, so the message stays queued: the runner never loses mail to a broken channel.
// Jobs beyond the master's limit of jobs in flight wait here for one to finish instead of being refused.

import type { AgentJob, AgentResult, DeliveryService } from './agent-protocol.js';
import type { IpcClient } from './ipc-client.js';
import { isRecord, MAX_JOBS_IN_FLIGHT } from './ipc-protocol.js';

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
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly client: IpcClient,
    private readonly maxInFlight = MAX_JOBS_IN_FLIGHT,
  ) {}

  async run(job: AgentJob, message?: Buffer): Promise<AgentResult> {
    if (this.inFlight >= this.maxInFlight) await new Promise<void>((r) => this.waiting.push(r));
    else this.inFlight++;
    try {
      return await this.request(job, message);
    } finally {
      // The slot passes straight to the next waiting job, if any.
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.inFlight--;
    }
  }

  private async request(job: AgentJob, message?: Buffer): Promise<AgentResult> {
    // `message` says whether there is one: an empty message and no message are both an empty body.
    const reply = await this.client.request({ t: 'job', job, message: message !== undefined }, message);
    if (!reply.ok) return unavailable(job, reply.error);
    const result = reply.header.result;
    if (reply.header.t !== 'result' || !isResult(result)) return unavailable(job, 'unexpected reply from the master');
    return result;
  }
}
