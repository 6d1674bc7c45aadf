// One end of the master ↔ worker channel (a socket pair inherited as fd 3): frames in, frames out, and
// one `closed` notification whichever way the channel ends (peer gone, unframable input, local close).

import type { Socket } from 'node:net';
import { encodeFrameParts, FrameDecoder, type Frame, type FrameLimits } from './ipc-frame.js';

export interface ChannelHandlers {
  frame(frame: Frame): void;
  /** `reason` is undefined for an orderly end */
  closed(reason: string | undefined): void;
}

export class FramedChannel {
  private readonly decoder: FrameDecoder;
  private ended = false;
  private handlers: ChannelHandlers | undefined;
  private corked = false;

  constructor(
    private readonly sock: Socket,
    limits: FrameLimits,
  ) {
    this.decoder = new FrameDecoder(limits);
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('error', (err) => this.end(err.message));
    sock.on('close', () => this.end(undefined));
    sock.on('end', () => this.end(undefined));
  }

  /** Frames are delivered from the next read on; call once. */
  start(handlers: ChannelHandlers): void {
    this.handlers = handlers;
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  send(header: unknown, body?: Buffer): boolean {
    if (this.ended) return false;
    // The frames of one turn of the event loop (a batch of results, the jobs of a queue run) go out in
    // one writev, and a message body is written from its own buffer, not copied into the frame.
    if (!this.corked) {
      this.corked = true;
      this.sock.cork();
      process.nextTick(() => {
        this.corked = false;
        this.sock.uncork();
      });
    }
    const [head, data] = encodeFrameParts(header, body);
    this.sock.write(head);
    if (data !== undefined) this.sock.write(data);
    return true;
  }

  close(reason?: string): void {
    this.end(reason);
  }

  /** Keeps the process alive only while something else does (the worker's link must not hold it up). */
  unref(): void {
    this.sock.unref();
  }

  private onData(chunk: Buffer): void {
    const { frames, fatal } = this.decoder.push(chunk);
    // The frames before an unframable length are answered first: a worker's "ready" must not be lost.
    for (const f of frames) {
      if (this.ended) return;
      this.handlers?.frame(f);
    }
    if (fatal !== undefined) this.end(fatal);
  }

  private end(reason: string | undefined): void {
    if (this.ended) return;
    this.ended = true;
    // end() flushes what was written (a last reply) before the socket goes.
    this.sock.end();
    this.sock.destroySoon();
    this.handlers?.closed(reason);
  }
}
