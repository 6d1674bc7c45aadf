// The framing between spawnAgentService and the agent process. To the agent: a line of JSON
// `{"job": <AgentJob>, "size": <n>}` followed by the n bytes of the message (0 for read jobs),
// repeated for every job an agent is given; end of file means no more jobs. From the agent: one line
// of JSON per job, the AgentResult.

import type { Readable } from 'node:stream';
import type { AgentJob } from './agent-protocol.js';

/** A message larger than this is refused (sendmail's MaxMessageSize is far below it). */
export const MAX_MESSAGE = 1 << 30;

export function encodeFrame(job: AgentJob, message: Buffer | undefined): Buffer[] {
  const body = message ?? Buffer.alloc(0);
  return [Buffer.from(`${JSON.stringify({ job, size: body.length })}\n`), body];
}

export interface Frame {
  /** The job as parsed JSON, still to be checked. */
  job: unknown;
  message: Buffer;
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
    const h = header as { job?: unknown; size?: unknown } | null;
    const size = h?.size;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_MESSAGE) throw new Error('job: bad frame size');
    while (this.length < size) {
      if (this.ended) throw new Error('job: message cut short');
      await this.wait();
    }
    // A copy, so the frame does not pin the whole input buffer.
    return { job: h?.job, message: Buffer.from(this.take(size)) };
  }
}
