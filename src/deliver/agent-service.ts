// DeliveryService over agent processes: one `node agent.js` per job, spawned with an argv (never a
// shell), the job and message piped in, the JSON result read back. An agent that crashes, prints
// nonsense or outlives its time is killed and reported as a temporary failure, so the message stays
// queued. The root master puts its IPC in front of this; the job/result JSON is the whole interface.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AgentJob, AgentResult, DeliveryService } from './agent-protocol.js';

export interface AgentServiceOptions {
  /** The agent script; default: agent.js next to this module. */
  agentPath?: string;
  /** Node binary; default process.execPath. */
  nodePath?: string;
  /** The agent's time limit for a job (it is killed after it); default: from the job's own timeouts. */
  killAfterMs?: (job: AgentJob) => number;
  /** TZ handed to the agent (and so to programs, §3.2); default: this process's TZ, if any. */
  tz?: string;
}

/** The agent's result plus its output is small; a read job returns a file of at most 32 MiB. */
const MAX_STDOUT = 80 * 1024 * 1024;
const MAX_STDERR = 16 * 1024;

/** Time for node to start and the agent to tidy up, on top of the job's own limits. */
const GRACE_MS = 15_000;
const FALLBACK_LIMIT_MS = 15 * 60_000;

export function defaultKillAfter(job: AgentJob): number {
  switch (job.kind) {
    case 'program':
      return job.timeoutMs + GRACE_MS;
    case 'read':
      return job.timeoutMs + GRACE_MS;
    case 'file':
      return (job.openTimeoutMs ?? 60_000) + (job.lockTimeoutMs ?? 120_000) + GRACE_MS;
    case 'mailbox':
      // Two lock waits (dot-lock, then fcntl) and an open.
      return 2 * (job.lockTimeoutMs ?? 120_000) + 60_000 + GRACE_MS;
  }
}

function crashed(reason: string): AgentResult {
  return { status: 'temp', reply: { code: 451, enh: '4.3.0', text: `delivery agent failed: ${reason}` } };
}

function isResult(v: unknown): v is AgentResult {
  if (typeof v !== 'object' || v === null) return false;
  const s = (v as { status?: unknown }).status;
  if (s === 'delivered') return true;
  if (s === 'read') return typeof (v as { read?: unknown }).read === 'object';
  if (s === 'temp' || s === 'perm') {
    const r = (v as { reply?: { code?: unknown; enh?: unknown; text?: unknown } }).reply;
    return typeof r === 'object' && r !== null && typeof r.code === 'number' && typeof r.enh === 'string' && typeof r.text === 'string';
  }
  return false;
}

export function spawnAgentService(opts: AgentServiceOptions = {}): DeliveryService {
  const agentPath = opts.agentPath ?? fileURLToPath(new URL('./agent.js', import.meta.url));
  const nodePath = opts.nodePath ?? process.execPath;
  const killAfter = opts.killAfterMs ?? defaultKillAfter;
  const tz = opts.tz ?? process.env.TZ;
  const env: Record<string, string> = tz === undefined ? {} : { TZ: tz };

  return {
    run(job: AgentJob, message?: Buffer): Promise<AgentResult> {
      return new Promise((resolve) => {
        // cwd /: the agent becomes another user, who may not be allowed into ours.
        const child = spawn(nodePath, [agentPath], { cwd: '/', env, stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        let outSize = 0;
        let err = '';
        let done = false;
        let killedFor: string | undefined;
        const settle = (r: AgentResult): void => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve(r);
        };
        const limit = killAfter(job);
        // A job too malformed to have a time limit still gets one (the agent will refuse it anyway).
        const timer = setTimeout(() => {
          killedFor = 'timed out';
          child.kill('SIGKILL');
        }, Number.isFinite(limit) && limit > 0 ? limit : FALLBACK_LIMIT_MS);
        child.stdout.on('data', (b: Buffer) => {
          outSize += b.length;
          if (outSize > MAX_STDOUT) {
            killedFor = 'too much output';
            child.kill('SIGKILL');
            return;
          }
          out.push(b);
        });
        child.stderr.on('data', (b: Buffer) => {
          if (err.length < MAX_STDERR) err += b.toString('utf8');
        });
        child.on('error', (e) => settle(crashed(`cannot start ${nodePath}: ${e.message}`)));
        child.on('close', (code, signal) => {
          if (killedFor !== undefined) return settle(crashed(killedFor));
          const firstErr = err.split('\n').find((l) => l.trim().length > 0);
          if (code !== 0) return settle(crashed(firstErr ?? (signal !== null ? `killed by ${signal}` : `exit ${code}`)));
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(out).toString('utf8'));
          } catch {
            return settle(crashed('unreadable result'));
          }
          settle(isResult(parsed) ? parsed : crashed('malformed result'));
        });
        // An agent that dies before reading everything closes the pipe: its exit status tells why.
        child.stdin.on('error', () => undefined);
        child.stdin.write(`${JSON.stringify(job)}\n`);
        child.stdin.end(message ?? Buffer.alloc(0));
      });
    },
  };
}
