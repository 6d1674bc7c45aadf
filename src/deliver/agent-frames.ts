// The framing between spawnAgentService and the agent process. To the agent: a line of JSON
// `{"job": <AgentJob>, "size": <n>}` followed by the n bytes of the message (0 for read jobs), or a
// batch of mailbox jobs for one identity, `{"jobs": [<AgentJob>...], "sizes": [<n>...]}` followed by
// their messages one after the other; repeated for every job or batch an agent is given; end of file
// means no more jobs. From the agent: one line of JSON per job (a batch: one per job, in its order),
// the AgentResult.

import type { Readable } from 'node:stream';
import type { AgentJob } from './agent-protocol.js';

/** A message larger than this is refused (sendmail's MaxMessageSize is far below it). */
export const MAX_MESSAGE = 1 << 30;
/** The most jobs one batch frame may carry. */
export const MAX_BATCH = 256;

export function encodeFrame(job: AgentJob, message: Buffer | undefined): Buffer[] {
  const body = message ?? Buffer.alloc(0);
  return [Buffer.from(`${JSON.stringify({ job, size: body.length })}\n`), body];
}

export function encodeBatch(items: ReadonlyArray<{ job: AgentJob; message: Buffer }>): Buffer[] {
  const header = { jobs: items.map((i) => i.job), sizes: items.map((i) => i.message.length) };
  return [Buffer.from(`${JSON.stringify(header)}\n`), ...items.map((i) => i.message)];
}

export interface Frame {
  /** The jobs as parsed JSON, still to be checked: one, or a batch. */
  jobs: unknown[];
  messages: Buffer[];
  batch: boolean;
}

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_MESSAGE;
}

/** Reads frames from a stream; next() is undefined at a clean end of input. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(stream: Readable) {
    stream.on('data', (b: Buffer) => {
      this.chunks.push(b);
      this.length += b.length;
      this.notify();
    });
    const end = (): void => {
      this.ended = true;
      this.notify();
    };
    stream.on('end', end);
    stream.on('error', end);
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    return out;
  }

  private newline(): number {
    let offset = 0;
    for (const c of this.chunks) {
      const i = c.indexOf(10);
      if (i >= 0) return offset + i;
      offset += c.length;
    }
    return -1;
  }

  async next(): Promise<Frame | undefined> {
    let nl = this.newline();
    while (nl < 0) {
      if (this.ended) {
        if (this.length === 0) return undefined;
        throw new Error('job: incomplete frame');
      }
      await this.wait();
      nl = this.newline();
    }
    const line = this.take(nl + 1).toString('utf8');
    let header: unknown;
    try {
      header = JSON.parse(line);
    } catch {
      throw new Error('job: not JSON');
    }
    const h = header as { job?: unknown; size?: unknown; jobs?: unknown; sizes?: unknown } | null;
    const batch = Array.isArray(h?.jobs);
    const jobs: unknown[] = batch ? (h!.jobs as unknown[]) : [h?.job];
    const sizes: unknown[] = batch ? (Array.isArray(h?.sizes) ? (h!.sizes as unknown[]) : []) : [h?.size];
    if (jobs.length === 0 || jobs.length > MAX_BATCH || sizes.length !== jobs.length || !sizes.every(isSize)) throw new Error('job: bad frame size');
    const total = (sizes as number[]).reduce((a, b) => a + b, 0);
    if (total > MAX_MESSAGE) throw new Error('job: bad frame size');
    while (this.length < total) {
      if (this.ended) throw new Error('job: message cut short');
      await this.wait();
    }
    // Copies, so a message does not pin the whole input buffer.
    const messages = (sizes as number[]).map((n) => Buffer.from(this.take(n)));
    return { jobs, messages, batch };
  }
}
