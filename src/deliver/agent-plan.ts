// The plan an agent is started with: whom it acts as (decided by the process that starts it, the root
// master, before it starts it: agent-launch.ts) and what that decision found (the spool directory's
// group, the set-ID file it must find unchanged). It travels to the agent in its argv; the agent
// checks that it is what the plan says. This module is the agent's side; it loads nothing else.

import type { FilePlan } from './file-delivery.js';
import type { Credentials } from './identity.js';
import type { MailboxPlan } from './mailbox.js';
import type { AgentJob } from './agent-protocol.js';

export interface AgentPlan {
  creds: Credentials;
  mbox?: MailboxPlan;
  file?: FilePlan;
}

/**
 * Root's own mailbox is written as root, and root's .forward read as root (the master allows only its
 * ForwardPath candidates); a program or a file never runs or is written as root.
 */
export function refusedAsRoot(job: AgentJob, plan: AgentPlan): boolean {
  const identity = job.kind === 'mailbox' ? job.user : job.as;
  const asRoot = identity.uid === 0 || plan.creds.uid === 0;
  return asRoot && job.kind !== 'mailbox' && job.kind !== 'read';
}

export const PLAN_ARG = '--plan';

function isCreds(v: unknown): v is Credentials {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as { uid?: unknown; gid?: unknown; groups?: unknown };
  const id = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 2 ** 32;
  if (!id(c.uid) || !id(c.gid) || typeof c.groups !== 'object' || c.groups === null) return false;
  const g = c.groups as { initgroups?: unknown; list?: unknown };
  return typeof g.initgroups === 'string' || (Array.isArray(g.list) && g.list.every(id));
}

/** The plan an agent was started with (`--plan <json>`), undefined when none was given. */
export function planFromArgv(argv: readonly string[]): AgentPlan | undefined {
  const i = argv.indexOf(PLAN_ARG);
  if (i < 0) return undefined;
  const parsed: unknown = JSON.parse(argv[i + 1] ?? '');
  const p = parsed as { creds?: unknown; mbox?: { creds?: unknown }; file?: { creds?: unknown; log?: unknown } } | null;
  if (p === null || typeof p !== 'object' || !isCreds(p.creds)) throw new Error(`${PLAN_ARG}: not a plan`);
  if (p.mbox !== undefined && !isCreds(p.mbox.creds)) throw new Error(`${PLAN_ARG}: not a plan`);
  if (p.file !== undefined && (!isCreds(p.file.creds) || !Array.isArray(p.file.log))) throw new Error(`${PLAN_ARG}: not a plan`);
  return parsed as AgentPlan;
}
