// Starting an agent as its job's identity when this process is root: the plan is decided here (with
// lstat/stat only, nothing opened), then util-linux's setpriv sets the supplementary groups, the group
// and the user and execs node, so no agent code ever runs as root for a user, not even to read its
// job. The plan goes along in the agent's argv (agent-plan.ts).

import { existsSync } from 'node:fs';
import type { AgentJob } from './agent-protocol.js';
import { PLAN_ARG, type AgentPlan } from './agent-plan.js';
import { fileCredentials } from './file-delivery.js';
import type { Credentials } from './identity.js';
import { mboxCredentials } from './mailbox.js';
import { getpwnam } from './native.js';

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

/** util-linux's setpriv, where Debian, Fedora and others install it. */
export function findSetpriv(): string | undefined {
  return ['/usr/bin/setpriv', '/bin/setpriv', '/usr/sbin/setpriv', '/sbin/setpriv'].find((p) => existsSync(p));
}

/** The argv that starts `node agentPath` as the plan's identity through setpriv. */
export function launchArgv(setpriv: string, plan: AgentPlan, nodePath: string, agentPath: string): string[] {
  return [setpriv, ...setprivArgs(plan.creds), '--', nodePath, agentPath, PLAN_ARG, JSON.stringify(plan)];
}
