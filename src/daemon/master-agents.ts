// The agent service behind the master: every job the master accepts is run by it.
// Until D2's spawnAgentService (branch agents) is merged, no agent exists and every job is deferred.

import type { AgentJob, AgentResult, DeliveryService } from '../deliver/agent-protocol.js';
import { unavailable } from '../deliver/ipc-service.js';

export function masterAgents(): DeliveryService {
  return {
    run: (job: AgentJob): Promise<AgentResult> => Promise.resolve(unavailable(job, 'no delivery agent in this build')),
  };
}
