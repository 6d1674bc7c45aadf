// The command-line side of the control socket: connect, send one request, read the reply frames.

import { createConnection, type Socket } from 'node:net';
import { encodeFrame } from '../deliver/ipc-frame.js';
import { isReplyFrame, REPLY_LIMITS, type ControlReplyFrame, type ControlRequestHeader, type DoneFrame } from './protocol.js';

/** The daemon cannot be reached (no socket, nobody listening, no permission to connect). */
export class ControlUnavailable extends Error {
  override readonly name = 'ControlUnavailable';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The daemon broke the conversation (closed early, or sent something that is not a reply frame). */
export class ControlProtocolError extends Error {
  override readonly name = 'ControlProtocolError';
}

export class ControlClient {
  /** Octets not yet read as frames (parsed here rather than by FrameDecoder: after a `raw` frame the
   * daemon's bytes follow at once, often in the same read, and must not be taken for frames). */
  private buf: Buffer = Buffer.alloc(0);
  private readonly frames: ControlReplyFrame[] = [];
  private waiting: Array<() => void> = [];
  private ended: Error | undefined;
  private rawMode = false;

  private constructor(private readonly sock: Socket) {
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('close', () => this.finish(new ControlProtocolError('the daemon closed the control connection')));
    sock.on('error', (err) => this.finish(new ControlProtocolError(`control connection: ${err.message}`)));
  }

  /** Connects to the daemon's control socket. Rejects with ControlUnavailable when nobody answers. */
  static connect(path: string, timeoutMs = 10_000): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const sock = createConnection(path);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new ControlUnavailable(`control socket ${path}: no answer`, 'ETIMEDOUT'));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        resolve(new ControlClient(sock));
      });
      sock.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new ControlUnavailable(`control socket ${path}: ${err.message}`, err.code ?? 'EIO'));
      });
    });
  }

  send(header: ControlRequestHeader, body?: Buffer): void {
    this.sock.write(encodeFrame(header, body));
  }

  /** The next reply frame; rejects when the connection ends first. */
  async next(): Promise<ControlReplyFrame> {
    for (;;) {
      const f = this.frames.shift();
      if (f !== undefined) return f;
      if (this.ended !== undefined) throw this.ended;
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  /** After a `raw` frame: the socket itself, for the byte stream that follows. */
  rawSocket(): Socket {
    this.rawMode = true;
    this.sock.removeAllListeners('data');
    this.sock.removeAllListeners('close');
    this.sock.removeAllListeners('error');
    return this.sock;
  }

  close(): void {
    this.sock.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.rawMode) return;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 8) {
      const headerLen = this.buf.readUInt32BE(0);
      const bodyLen = this.buf.readUInt32BE(4);
      if (headerLen > REPLY_LIMITS.maxHeader || bodyLen > REPLY_LIMITS.maxBody) {
        this.finish(new ControlProtocolError(`bad reply from the daemon: a frame of ${headerLen}+${bodyLen} octets`));
        this.sock.destroy();
        break;
      }
      if (this.buf.length < 8 + headerLen + bodyLen) break;
      const json = this.buf.subarray(8, 8 + headerLen).toString('utf8');
      this.buf = this.buf.subarray(8 + headerLen + bodyLen);
      let header: unknown;
      try {
        header = JSON.parse(json) as unknown;
      } catch {
        header = undefined;
      }
      if (!isReplyFrame(header)) {
        this.finish(new ControlProtocolError(`bad reply from the daemon: ${json.slice(0, 200)}`));
        this.sock.destroy();
        break;
      }
      this.frames.push(header);
      if (header.type === 'raw') {
        // What follows is the byte stream: given back to the socket for whoever reads it next.
        this.rawMode = true;
        this.sock.pause();
        if (this.buf.length > 0) this.sock.unshift(this.buf);
        this.buf = Buffer.alloc(0);
        break;
      }
    }
    this.wake();
  }

  private finish(err: Error): void {
    if (this.ended === undefined) this.ended = err;
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiting.splice(0)) w();
  }
}

/** Where output goes: process.stdout/stderr, or anything else with write(text). */
export interface TextSink {
  write(text: string): unknown;
}

export interface ControlOutput {
  stdout: TextSink;
  stderr: TextSink;
}

/**
 * One request, its output copied to the given streams, and its `done` frame. Rejects with
 * ControlUnavailable (no daemon) or ControlProtocolError (the conversation broke).
 */
export async function callControl(path: string, header: ControlRequestHeader, body: Buffer | undefined, io: ControlOutput): Promise<DoneFrame> {
  const c = await ControlClient.connect(path);
  try {
    c.send(header, body);
    for (;;) {
      const f = await c.next();
      if (f.type === 'out') (f.stream === 'stdout' ? io.stdout : io.stderr).write(f.text);
      else if (f.type === 'done') return f;
      else throw new ControlProtocolError(`the daemon switched to a byte stream for a "${header.kind}" request`);
    }
  } finally {
    c.close();
  }
}
