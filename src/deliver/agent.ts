// The delivery agent: one short-lived process per job (delivery-design.md). It reads one job (a line
// of JSON) and, for deliveries, the message from standard input; when it runs as root it becomes the
// job's user before it opens anything (initgroups, setgid, setuid; never uid 0; a failed switch ends
// it); it does the job and writes one JSON result to standard output. It never runs a shell.
//
//   node dist/src/deliver/agent.js        (spawned by spawnAgentService(); not a command for people)

import { readSync, writeSync } from 'node:fs';
import type { AgentJob, AgentResult } from './agent-protocol.js';
import { perm, temp } from './errors.js';
import { fileCredentials, deliverToFile, type FilePlan } from './file-delivery.js';
import { DropError, dropPrivileges, isRoot, type Credentials } from './identity.js';
import { parseJob } from './job-parse.js';
import { deliverToMbox, mboxCredentials, type MailboxPlan } from './mailbox.js';
import { deliverToMaildir } from './maildir.js';
import { getpwnam } from './native.js';
import { deliverToProgram } from './program.js';
import { readAsUser } from './read-job.js';

/** Standard input up to EOF (the agent has nothing else to do until it has its job). */
function readStdin(): Buffer {
  const chunks: Buffer[] = [];
  const buf = Buffer.allocUnsafe(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      // A non-blocking stdin (not what spawn gives, but possible): wait a moment instead of spinning.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

function finish(result: AgentResult): never {
  const text = `${JSON.stringify(result)}\n`;
  const data = Buffer.from(text);
  for (let off = 0; off < data.length; ) off += writeSync(1, data, off, data.length - off);
  process.exit(0);
}

function fail(message: string): never {
  process.stderr.write(`postern-agent: ${message}\n`);
  process.exit(1);
}

function userCredentials(u: { name: string; uid: number; gid: number }): Credentials {
  return { uid: u.uid, gid: u.gid, groups: { initgroups: u.name } };
}

async function main(): Promise<void> {
  // Nothing this process creates should be readable by others unless a mode says so explicitly.
  process.umask(0o077);
  const input = readStdin();
  const nl = input.indexOf(10);
  const jobText = (nl < 0 ? input : input.subarray(0, nl)).toString('utf8');
  const message = nl < 0 ? Buffer.alloc(0) : input.subarray(nl + 1);
  let job: AgentJob;
  try {
    job = parseJob(jobText);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  const tz = process.env.TZ;

  // Decide the identity (looking, never opening), then become it.
  const identity = job.kind === 'mailbox' ? job.user : job.as;
  if (isRoot() && identity.uid === 0) finish(perm(554, '5.3.0', `refusing to deliver as root (${identity.name})`));
  let creds: Credentials = userCredentials(identity);
  let filePlan: FilePlan | undefined;
  let mboxPlan: MailboxPlan | undefined;
  if (job.kind === 'mailbox') {
    if (getpwnam(job.user.name) === undefined) finish(perm(550, '5.1.1', `<${job.meta.recipient}>... User unknown`));
    if (job.format === 'mbox') {
      mboxPlan = mboxCredentials(job);
      creds = mboxPlan.creds;
    }
  } else if (job.kind === 'file' && isRoot()) {
    filePlan = fileCredentials(job);
    creds = filePlan.creds;
  }
  if (isRoot() && creds.uid === 0) finish(perm(554, '5.3.0', 'refusing to deliver as root'));
  try {
    dropPrivileges(creds);
  } catch (e) {
    fail(e instanceof DropError ? e.message : `cannot drop privileges: ${String(e)}`);
  }

  try {
    switch (job.kind) {
      case 'mailbox':
        finish(job.format === 'maildir' ? deliverToMaildir(job, message) : await deliverToMbox(job, message, mboxPlan ?? { creds }));
        break;
      case 'file':
        finish(await deliverToFile(job, message, filePlan ?? { creds, log: [] }));
        break;
      case 'program':
        finish(await deliverToProgram(job, message, tz));
        break;
      case 'read':
        finish({ status: 'read', read: await readAsUser(job) });
    }
  } catch (e) {
    finish(temp(451, '4.3.0', `delivery agent error: ${e instanceof Error ? e.message : String(e)}`));
  }
}

main().catch((e: unknown) => fail(e instanceof Error ? (e.stack ?? e.message) : String(e)));
