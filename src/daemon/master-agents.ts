// The agent service behind the master: every job the master accepts runs in an agent process it
// spawns (src/deliver/agent-service.ts) as the job's identity: setpriv sets the groups, the group and
// the user before node starts, so no agent code runs as root for a user.

import { spawnAgentService, type AgentService } from '../deliver/agent-service.js';

export function masterAgents(): AgentService {
  return spawnAgentService();
}
