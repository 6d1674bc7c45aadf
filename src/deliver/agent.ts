// The delivery agent: a short-lived process acting for one user (delivery-design.md). It reads a job
// and, for deliveries, the message from standard input (framing in agent-frames.ts); it is started as
// the job's user (by a root master: setpriv, with the plan in its argv, agent-launch.ts) and checks
// that it is who the plan says before it does anything; started as root without a plan it refuses.
// It does the job and writes one JSON result line to standard output. It never runs a shell.
//
// Mailbox and read jobs may be followed by more jobs for the same identity (spawnAgentService reuses
// such an agent for a moment); every other agent does one job and exits. Mailbox jobs may come as a
// batch (one frame), done under one lock and one fsync of the mailbox.
//
//   [setpriv ... --] node dist/src/deliver/agent.js [--plan <json>]
//                                         (spawned by spawnAgentService(); not a command for people)

import { writeSync } from 'node:fs';
import { FrameReader, type Frame } from './agent-frames.js';
import type { AgentJob, AgentResult, MailboxJob } from './agent-protocol.js';
import { perm, temp } from './errors.js';
import { checkIdentity, isRoot } from './identity.js';
import { planFromArgv, refusedAsRoot, type AgentPlan } from './agent-plan.js';
import { checkJob } from './job-parse.js';
import { deliverToMbox, deliverToMboxBatch, mboxCredentials } from './mailbox.js';
import { deliverToMaildir, deliverToMaildirBatch } from './maildir.js';
import { getpwnam } from './native.js';
import type { Identity } from './shared-types.js';

// The modules of the rarer jobs are loaded only by the agents that do them: most agents deliver to
// mailboxes, and node's start-up is most of what an agent costs (program.js alone is about 10 ms).
// They are loaded once the first job is known, before anything is done for it.
let programs: typeof import('./program.js') | undefined;
let files: typeof import('./file-delivery.js') | undefined;
let reads: typeof import('./read-job.js') | undefined;

async function loadFor(kind: AgentJob['kind']): Promise<void> {
  if (kind === 'program') programs ??= await import('./program.js');
  else if (kind === 'file') files ??= await import('./file-delivery.js');
  else if (kind === 'read') reads ??= await import('./read-job.js');
}

function loaded<T>(m: T | undefined): T {
  if (m === undefined) throw new Error('module not loaded for this job');
  return m;
}

function writeResult(result: AgentResult): void {
  const data = Buffer.from(`${JSON.stringify(result)}\n`);
  for (let off = 0; off < data.length; ) off += writeSync(1, data, off, data.length - off);
}

/** One write for all the results of a batch. */
function writeResults(results: AgentResult[]): void {
  const data = Buffer.from(results.map((r) => `${JSON.stringify(r)}\n`).join(''));
  for (let off = 0; off < data.length; ) off += writeSync(1, data, off, data.length - off);
}

function fail(message: string): never {
  process.stderr.write(`postern-agent: ${message}\n`);
  process.exit(1);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sameIdentity(a: Identity, b: Identity): boolean {
  return a.name === b.name && a.uid === b.uid && a.gid === b.gid && a.home === b.home;
}

/** A job a reused agent may take after its first: the credentials it already has are the ones this job needs. */
function sameCredentials(first: AgentJob, next: AgentJob): boolean {
  if (first.kind === 'mailbox' && next.kind === 'mailbox') {
    return sameIdentity(first.user, next.user) && first.spoolDir === next.spoolDir && first.format === next.format;
  }
  if (first.kind === 'read' && next.kind === 'read') return sameIdentity(first.as, next.as);
  return false;
}

async function doJob(job: AgentJob, message: Buffer, plans: AgentPlan, tz: string | undefined): Promise<AgentResult> {
  try {
    switch (job.kind) {
      case 'mailbox':
        if (getpwnam(job.user.name) === undefined) return perm(550, '5.1.1', `<${job.meta.recipient}>... User unknown`);
        return job.format === 'maildir' ? await deliverToMaildir(job, message) : await deliverToMbox(job, message, plans.mbox ?? { creds: plans.creds });
      case 'file':
        return await loaded(files).deliverToFile(job, message, plans.file ?? { creds: plans.creds, log: [] });
      case 'program':
        return await loaded(programs).deliverToProgram(job, message, tz);
      case 'read':
        return { status: 'read', read: await loaded(reads).readAsUser(job) };
    }
  } catch (e) {
    return temp(451, '4.3.0', `delivery agent error: ${messageOf(e)}`);
  }
}

/** A batch frame: mailbox jobs for the identity this agent has, done together; anything else is refused. */
async function doBatch(first: AgentJob, jobs: AgentJob[], messages: Buffer[], plans: AgentPlan): Promise<AgentResult[]> {
  const foreign = temp(451, '4.3.0', 'delivery agent error: a job for another identity');
  const mine = jobs.filter((j): j is MailboxJob => j.kind === 'mailbox' && sameCredentials(first, j));
  // A batch is all of one identity or none of it is done (the service never mixes them).
  if (mine.length !== jobs.length) return jobs.map(() => foreign);
  try {
    const head = mine[0]!;
    if (getpwnam(head.user.name) === undefined) return mine.map((j) => perm(550, '5.1.1', `<${j.meta.recipient}>... User unknown`));
    return head.format === 'maildir' ? await deliverToMaildirBatch(mine, messages) : await deliverToMboxBatch(mine, messages, plans.mbox ?? { creds: plans.creds });
  } catch (e) {
    const f = temp(451, '4.3.0', `delivery agent error: ${messageOf(e)}`);
    return jobs.map(() => f);
  }
}

async function main(): Promise<void> {
  // The service stops an overdue agent with SIGTERM (SIGKILL a little later): the programs it runs
  // are in process groups of their own and must not outlive it.
  process.on('SIGTERM', () => {
    programs?.killAllPrograms();
    process.exit(1);
  });
  // Nothing this process creates should be readable by others unless a mode says so explicitly.
  process.umask(0o077);
  const tz = process.env.TZ;
  const frames = new FrameReader(process.stdin);
  let job: AgentJob;
  let firstFrame: Frame;
  let firstJobs: AgentJob[];
  try {
    const frame = await frames.next();
    if (frame === undefined) fail('no job');
    firstFrame = frame;
    firstJobs = frame.jobs.map((j) => checkJob(j));
    job = firstJobs[0]!;
  } catch (e) {
    fail(messageOf(e));
  }

  await loadFor(job.kind);
  // The agent is started as the job's identity (agent-plan.ts), with the plan its starter decided:
  // it only checks that it is who the plan says. Started by a process that is not root, it acts as
  // itself; started as root without a plan, it refuses (no agent code runs as root for a user).
  let plans: AgentPlan;
  try {
    const given = planFromArgv(process.argv);
    const identity = job.kind === 'mailbox' ? job.user : job.as;
    if (given === undefined) {
      if (isRoot()) fail('started as root without a plan: an agent is started as its job\'s user');
      plans = { creds: { uid: identity.uid, gid: identity.gid, groups: { initgroups: identity.name } } };
      if (job.kind === 'mailbox' && job.format === 'mbox') plans.mbox = mboxCredentials(job);
    } else {
      plans = given;
      if (refusedAsRoot(job, plans)) {
        writeResult(perm(554, '5.3.0', `refusing to deliver as root (${identity.name})`));
        process.exit(0);
      }
      checkIdentity(plans.creds);
    }
  } catch (e) {
    fail(messageOf(e));
  }

  if (firstFrame.batch) writeResults(await doBatch(job, firstJobs, firstFrame.messages, plans));
  else writeResult(await doJob(job, firstFrame.messages[0]!, plans, tz));
  if (job.kind === 'mailbox' || job.kind === 'read') {
    for (;;) {
      let frame: Frame | undefined;
      let nextJobs: AgentJob[];
      try {
        frame = await frames.next();
        if (frame === undefined) break;
        nextJobs = frame.jobs.map((j) => checkJob(j));
      } catch (e) {
        fail(messageOf(e));
      }
      const next = nextJobs[0]!;
      if (frame.batch) writeResults(await doBatch(job, nextJobs, frame.messages, plans));
      else writeResult(sameCredentials(job, next) ? await doJob(next, frame.messages[0]!, plans, tz) : temp(451, '4.3.0', 'delivery agent error: a job for another identity'));
    }
  }
  process.exit(0);
}

main().catch((e: unknown) => fail(e instanceof Error ? (e.stack ?? e.message) : String(e)));
