// Whom an agent acts as, decided by the process that starts it (the root master) before it starts
// it: the agent is then spawned as that identity (setpriv: supplementary groups, group, user, then
// exec node), so no agent code ever runs as root for a user, not even to read its job. The plan
// travels to the agent in its argv; the agent checks that it is what the plan says and uses the
// plan's findings (the spool directory's group, the set-ID file it must find unchanged).

import { fileCredentials, type FilePlan } from './file-delivery.js';
import type { Credentials } from './identity.js';
import { mboxCredentials, type MailboxPlan } from './mailbox.js';
import type { AgentJob } from './agent-protocol.js';
import { getpwnam } from './native.js';

export interface AgentPlan {
  creds: Credentials;
  mbox?: MailboxPlan;
  file?: FilePlan;
}

/**
 * The identity a job is done as: its user (with that user's groups); for an mbox, the spool
 * directory's group as the effective group when that group may write there; for a file, the owner
 * of a set-user-ID target (§4.3). Decided with lstat/stat only, nothing opened.
 */
export function planFor(job: AgentJob): AgentPlan {
  const identity = job.kind === 'mailbox' ? job.user : job.as;
  const plan: AgentPlan = { creds: { uid: identity.uid, gid: identity.gid, groups: { initgroups: identity.name } } };
  if (job.kind === 'mailbox' && job.format === 'mbox') {
    plan.mbox = mboxCredentials(job);
    plan.creds = plan.mbox.creds;
  } else if (job.kind === 'file') {
    plan.file = fileCredentials(job);
    plan.creds = plan.file.creds;
  }
  return plan;
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

/**
 * setpriv's options for the plan's identity (util-linux; it execs the agent as that identity). The
 * user's groups come from initgroups(3) for the uid's password entry; a user without one (deleted
 * since the message came: the agent then answers "User unknown") gets just the primary group.
 */
export function setprivArgs(creds: Credentials): string[] {
  let groups: string[];
  if ('initgroups' in creds.groups) groups = getpwnam(creds.groups.initgroups) !== undefined ? ['--init-groups'] : ['--groups', String(creds.gid)];
  else groups = creds.groups.list.length > 0 ? ['--groups', creds.groups.list.join(',')] : ['--clear-groups'];
  return ['--reuid', String(creds.uid), '--regid', String(creds.gid), ...groups];
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
