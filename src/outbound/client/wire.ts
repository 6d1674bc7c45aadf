// One client connection on node:net / node:tls: connect with a deadline and a source address, read one
// reply at a time with a deadline, write with back-pressure and a deadline, upgrade to TLS in place. It
// knows SMTP only as far as reply framing; the dialogue is in session.ts and transaction.ts.

import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { continues, isReplyLine, parseReply, type PeerReply } from './reply.js';

export type WireFailure = 'timeout' | 'closed' | 'refused' | 'error' | 'protocol';

/** The connection failed; `kind` says how (a timeout, the peer closed, garbage instead of a reply...). */
export class WireError extends Error {
  constructor(
    readonly kind: WireFailure,
    message: string,
  ) {
    super(message);
  }
}

// A reply line longer than this, or a reply of more lines, is not SMTP: the peer is broken or hostile and
// must not make us buffer without end.
const MAX_LINE = 4096;
const MAX_LINES = 200;

const EMPTY = Buffer.alloc(0);

const CONNECT_REASONS: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ETIMEDOUT: 'Connection timed out',
};

function describe(err: Error & { code?: string }): string {
  return (err.code !== undefined ? CONNECT_REASONS[err.code] : undefined) ?? err.message;
}

/** `300s`, `0.3s`: the timeout as sendmail's logs show it. */
function seconds(ms: number): string {
  return `${ms >= 10_000 ? Math.round(ms / 1000) : Math.round(ms / 100) / 10}s`;
}

export interface ConnectParams {
  address: string;
  port: number;
  localAddress?: string;
  /** 0 = the system's own connect timeout */
  timeoutMs: number;
}

export class Wire {
  private buf: Buffer = EMPTY;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private closeListeners: Array<() => void> = [];
  private readonly onData = (d: Buffer): void => {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    this.poke();
  };
  private readonly onEnd = (): void => {
    if (!this.ended) {
      this.ended = true;
      for (const f of this.closeListeners) f();
    }
    this.poke();
  };
  private readonly onError = (err: Error): void => {
    this.failure ??= err;
    this.onEnd();
  };

  private constructor(private sock: Socket) {
    this.attach(sock);
  }

  static open(p: ConnectParams): Promise<Wire> {
    return new Promise((resolve, reject) => {
      const sock = netConnect({ host: p.address, port: p.port, ...(p.localAddress !== undefined ? { localAddress: p.localAddress } : {}) });
      const timer =
        p.timeoutMs > 0
          ? setTimeout(() => {
              sock.destroy();
              reject(new WireError('timeout', `Connection timed out after ${seconds(p.timeoutMs)}`));
            }, p.timeoutMs)
          : undefined;
      sock.once('error', (err) => {
        clearTimeout(timer);
        sock.destroy();
        reject(new WireError((err as { code?: string }).code === 'ECONNREFUSED' ? 'refused' : 'error', describe(err)));
      });
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        // Commands go out as whole writes; Nagle would only add a round trip's delay to pipelined groups.
        sock.setNoDelay(true);
        resolve(new Wire(sock));
      });
    });
  }

  private attach(sock: Socket): void {
    sock.on('data', this.onData);
    sock.on('end', this.onEnd);
    sock.on('close', this.onEnd);
    sock.on('error', this.onError);
  }

  private detach(sock: Socket): void {
    sock.off('data', this.onData);
    sock.off('end', this.onEnd);
    sock.off('close', this.onEnd);
    sock.off('error', this.onError);
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** The peer closed (or the socket failed); an idle pooled connection then leaves the pool. */
  onClose(f: () => void): void {
    this.closeListeners.push(f);
  }

  setRef(ref: boolean): void {
    if (ref) this.sock.ref();
    else this.sock.unref();
  }

  get alive(): boolean {
    return !this.ended && !this.sock.destroyed;
  }

  get remoteAddress(): string | undefined {
    return this.sock.remoteAddress;
  }

  private waitForInput(deadline: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const left = deadline - performance.now();
      if (timeoutMs > 0 && left <= 0) {
        reject(new WireError('timeout', `timeout waiting for a reply (${seconds(timeoutMs)})`));
        return;
      }
      const t =
        timeoutMs > 0
          ? setTimeout(() => {
              this.wake = undefined;
              reject(new WireError('timeout', `timeout waiting for a reply (${seconds(timeoutMs)})`));
            }, left)
          : undefined;
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Reads one complete reply; `timeoutMs` (0 = none) bounds the whole reply. */
  async reply(timeoutMs: number): Promise<PeerReply> {
    const deadline = performance.now() + timeoutMs;
    const lines: string[] = [];
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl === -1) {
        if (this.buf.length > MAX_LINE) throw this.broken(`reply line longer than ${MAX_LINE} octets`);
        if (this.ended) {
          throw new WireError(this.failure !== undefined ? 'error' : 'closed', this.failure !== undefined ? describe(this.failure) : 'connection closed by the peer');
        }
        await this.waitForInput(deadline, timeoutMs);
        continue;
      }
      if (nl > MAX_LINE) throw this.broken(`reply line longer than ${MAX_LINE} octets`);
      const end = nl > 0 && this.buf[nl - 1] === 0x0d ? nl - 1 : nl;
      const line = this.buf.subarray(0, end).toString('utf8');
      this.buf = nl + 1 === this.buf.length ? EMPTY : this.buf.subarray(nl + 1);
      if (!isReplyLine(line)) throw this.broken(`not an SMTP reply: ${JSON.stringify(line.slice(0, 100))}`);
      if (lines.length > 0 && line.slice(0, 3) !== lines[0]!.slice(0, 3)) throw this.broken('reply code changed within a multi-line reply');
      lines.push(line);
      if (!continues(line)) return parseReply(lines);
      if (lines.length >= MAX_LINES) throw this.broken(`reply of more than ${MAX_LINES} lines`);
    }
  }

  private broken(why: string): WireError {
    this.destroy();
    return new WireError('protocol', why);
  }

  /** Queues octets; false = the socket's buffer is full (see drain). */
  write(data: string | Buffer): boolean {
    if (!this.alive) return false;
    return typeof data === 'string' ? this.sock.write(data, 'utf8') : this.sock.write(data);
  }

  /** Queues several buffers as one write (one system call); false = the socket's buffer is full. */
  writeAll(parts: readonly Buffer[]): boolean {
    if (!this.alive) return false;
    this.sock.cork();
    let ok = true;
    for (const p of parts) ok = this.sock.write(p) && ok;
    this.sock.uncork();
    return ok;
  }

  /** Resolves once the kernel took what was written, or fails after `timeoutMs` (0 = none). */
  drain(timeoutMs: number): Promise<void> {
    if (!this.sock.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (err?: WireError): void => {
        clearTimeout(t);
        this.sock.off('drain', onDrain);
        this.sock.off('close', onClose);
        if (err !== undefined) reject(err);
        else resolve();
      };
      const onDrain = (): void => done();
      const onClose = (): void => done(new WireError('closed', 'connection closed by the peer'));
      const t =
        timeoutMs > 0 ? setTimeout(() => done(new WireError('timeout', `timeout writing data (${seconds(timeoutMs)})`)), timeoutMs) : undefined;
      this.sock.on('drain', onDrain);
      this.sock.on('close', onClose);
    });
  }

  /** Octets the peer sent that no reply read has consumed (nothing may follow a 220 to STARTTLS). */
  get pending(): number {
    return this.buf.length;
  }

  /**
   * The TLS handshake after a 220 to STARTTLS; this wire then reads and writes through TLS. Certificate
   * checks are the caller's (verification is a policy, and unverified TLS still beats clear text).
   */
  async startTls(options: ConnectionOptions, timeoutMs: number): Promise<TLSSocket> {
    const plain = this.sock;
    this.detach(plain);
    const servername = options.servername !== undefined && isIP(options.servername) === 0 ? options.servername : undefined;
    const tls = await new Promise<TLSSocket>((resolve, reject) => {
      const t = tlsConnect({ ...options, socket: plain, rejectUnauthorized: false, ...(servername !== undefined ? { servername } : { servername: '' }) });
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              t.destroy();
              reject(new WireError('timeout', `TLS handshake timed out (${seconds(timeoutMs)})`));
            }, timeoutMs)
          : undefined;
      t.once('secureConnect', () => {
        clearTimeout(timer);
        t.removeAllListeners('error');
        resolve(t);
      });
      t.once('error', (err) => {
        clearTimeout(timer);
        t.destroy();
        plain.destroy();
        reject(new WireError('error', `TLS handshake failed: ${err.message}`));
      });
    }).catch((err: unknown) => {
      this.ended = true;
      throw err;
    });
    this.sock = tls;
    this.attach(tls);
    return tls;
  }

  destroy(): void {
    this.sock.destroy();
    this.onEnd();
  }
}
