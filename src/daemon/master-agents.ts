// The agent service behind the master: every job the master accepts runs in an agent process it
// spawns (src/deliver/agent-service.ts), which drops to the job's identity before anything else. One
// agent is kept started ahead (not yet anyone) for the next new identity, from the start on.

import { spawnAgentService, type AgentService } from '../deliver/agent-service.js';

export function masterAgents(): AgentService {
  return spawnAgentService({ spare: true, spareAtStart: true });
}
