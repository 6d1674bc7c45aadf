// The master's side of one worker's channel: every request is answered, none can crash the master.
// Jobs are checked (master-job-check.ts) and run by the agent service; a malformed request gets an error
// reply; TLS files are read for the worker only when the master's own configuration names them.

import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { AgentResult, DeliveryService } from '../deliver/agent-protocol.js';
import type { FramedChannel } from '../deliver/ipc-channel.js';
import type { Frame } from '../deliver/ipc-frame.js';
import { MAX_JOBS_IN_FLIGHT, WORKER_LIMITS, isRecord, requestId } from '../deliver/ipc-protocol.js';
import { checkJob, type Accounts, type JobPolicy } from './master-job-check.js';

/** What the master's configuration says, as of the last (re)load. */
export interface MasterView {
  policy: JobPolicy;
  /** ServerCertFile, ServerKeyFile, CACertFile: the only files the master reads for the worker */
  tlsFiles: ReadonlySet<string>;
}

export interface MasterJobsOptions {
  agents: DeliveryService;
  /** the current view; waits for a reload in progress, so a reloaded worker gets the new files */
  view(): Promise<MasterView>;
  /** the password database as it is now */
  accounts(): Promise<Accounts>;
  log: Logger;
  /** a worker may not queue more than this many jobs at once */
  maxInFlight?: number;
  started(): void;
  ready(): void;
}

const DEFAULT_MAX_IN_FLIGHT = MAX_JOBS_IN_FLIGHT;

export class MasterJobs {
  private inFlight = 0;

  constructor(
    private readonly channel: FramedChannel,
    private readonly opts: MasterJobsOptions,
  ) {}

  /** Serves the channel until it closes; `closed` gets the reason (undefined: orderly). */
  serve(closed: (reason: string | undefined) => void): void {
    this.channel.start({ frame: (f) => this.onFrame(f), closed });
  }

  private error(id: number | null, error: string): void {
    this.opts.log.warn({ event: 'worker-request-refused', id, error }, `malformed request from the worker: ${error}`);
    this.channel.send({ t: 'error', id, error });
  }

  private onFrame(f: Frame): void {
    if (!f.ok) return this.error(null, f.error);
    const h = f.header;
    if (!isRecord(h)) return this.error(null, 'request: expected an object');
    switch (h.t) {
      case 'started':
        return this.opts.started();
      case 'ready':
        return this.opts.ready();
      case 'job':
      case 'file': {
        const id = requestId(h.id);
        if (id === null) return this.error(null, `${h.t} request without a valid id`);
        if (h.t === 'file') return void this.file(id, h.path);
        return void this.job(id, h.job, h.message, f.body);
      }
      default:
        return this.error(requestId(h.id), `unknown request ${JSON.stringify(h.t) ?? 'without a type'}`);
    }
  }

  private async job(id: number, raw: unknown, withMessage: unknown, body: Buffer | undefined): Promise<void> {
    if (withMessage !== true && withMessage !== false) return this.error(id, 'job request: message must be true or false');
    if (!withMessage && body !== undefined) return this.error(id, 'job request: a body but no message');
    const max = this.opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    if (this.inFlight >= max) return this.error(id, `more than ${max} jobs in flight`);
    this.inFlight++;
    try {
      const { policy } = await this.opts.view();
      const check = checkJob(raw, withMessage ? (body ?? Buffer.alloc(0)) : undefined, policy, await this.opts.accounts());
      if (!check.ok) {
        if ('malformed' in check) return this.error(id, check.malformed);
        this.opts.log.warn({ event: 'job-refused', id, reason: check.reason }, `agent job refused: ${check.reason}`);
        return this.reply(id, check.refused);
      }
      let result: AgentResult;
      try {
        result = await this.opts.agents.run(check.job, withMessage ? (body ?? Buffer.alloc(0)) : undefined);
      } catch (err) {
        this.opts.log.error({ event: 'agent-failed', id, err }, 'the delivery agent failed');
        this.channel.send({ t: 'error', id, error: `agent failed: ${(err as Error).message}` });
        return;
      }
      this.reply(id, result);
    } finally {
      this.inFlight--;
    }
  }

  private reply(id: number, result: AgentResult): void {
    this.channel.send({ t: 'result', id, result });
  }

  private async file(id: number, path: unknown): Promise<void> {
    if (typeof path !== 'string') return this.error(id, 'file request: path must be a string');
    const { tlsFiles } = await this.opts.view();
    if (!tlsFiles.has(path)) {
      this.opts.log.warn({ event: 'worker-request-refused', id, path }, 'the worker asked for a file that is not a TLS file of the configuration');
      this.channel.send({ t: 'file', id, ok: false, error: `${path}: not a TLS file of the master's configuration` });
      return;
    }
    try {
      const bytes = await readFile(path);
      if (bytes.length > WORKER_LIMITS.maxBody) throw new Error(`larger than ${WORKER_LIMITS.maxBody} bytes`);
      this.channel.send({ t: 'file', id, ok: true }, bytes);
    } catch (err) {
      this.channel.send({ t: 'file', id, ok: false, error: (err as Error).message });
    }
  }
}
