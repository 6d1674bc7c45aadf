// One SMTP connection of the probe, on node:net and node:tls: exact octets out (the smuggling and
// pipelining checks need raw CR/LF control), replies in with a deadline on every read, STARTTLS with an
// unverified handshake that offers TLS 1.0–1.3 and reports what was negotiated, and a transcript of
// everything. It knows nothing about checks; see session.ts for the manners around it.

import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { codeOf, continues, type Reply } from './reply.js';
import type { Transcript } from './transcript.js';

export type IoFailure = 'timeout' | 'closed' | 'error';

/** A read or handshake that did not complete; `kind` says why. */
export class ProbeIoError extends Error {
  constructor(
    readonly kind: IoFailure,
    message: string,
  ) {
    super(message);
  }
}

/** The TCP connection itself could not be made. */
export class ConnectError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export interface ConnectOptions {
  host: string;
  port: number;
  timeoutMs: number;
  transcript: Transcript;
  /** source address (tests probe from another loopback address) */
  localAddress?: string;
}

export interface TlsFacts {
  protocol: string;
  cipher: string;
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed temporarily',
  EADDRNOTAVAIL: 'address not available',
};

function reasonOf(err: Error & { code?: string }): string {
  return (err.code !== undefined ? REASONS[err.code] : undefined) ?? err.message;
}

// TLS 1.0 and 1.1 are offered on purpose: the point is to find out whether the server still accepts
// them (tls-old-protocol). OpenSSL 3 refuses them at its default security level, hence SECLEVEL=0.
const TLS_OFFER = { minVersion: 'TLSv1', maxVersion: 'TLSv1.3', ciphers: 'DEFAULT@SECLEVEL=0' } as const;

export class ProbeConnection {
  private buf = '';
  private ended = false;
  private wake: (() => void) | undefined;
  private quitSent = false;
  private readonly onData = (d: string): void => {
    this.buf += d;
    this.poke();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.poke();
  };

  private constructor(
    private sock: Socket,
    private readonly opts: ConnectOptions,
    readonly remoteAddress: string,
  ) {
    this.attach(sock);
  }

  static open(opts: ConnectOptions): Promise<ProbeConnection> {
    return new Promise((resolve, reject) => {
      const sock = netConnect({
        host: opts.host,
        port: opts.port,
        ...(opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {}),
      });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new ConnectError(`no connection within ${opts.timeoutMs / 1000} s`));
      }, opts.timeoutMs);
      sock.once('error', (err) => {
        clearTimeout(timer);
        reject(new ConnectError(reasonOf(err)));
      });
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        const remote = sock.remoteAddress ?? opts.host;
        opts.transcript.note(`connected to ${remote} port ${opts.port}`);
        resolve(new ProbeConnection(sock, opts, remote));
      });
    });
  }

  private attach(sock: Socket): void {
    // Each send() is one write and should leave as one segment, now: the pipelining and STARTTLS checks
    // are about what arrives together.
    sock.setNoDelay(true);
    sock.setEncoding('latin1');
    sock.on('data', this.onData);
    sock.on('end', this.onEnd);
    sock.on('close', this.onEnd);
    // An error is followed by 'close'; the read in progress then reports the connection as closed.
    sock.on('error', (err) => this.opts.transcript.note(`socket error: ${err.message}`));
  }

  private detach(sock: Socket): void {
    sock.off('data', this.onData);
    sock.off('end', this.onEnd);
    sock.off('close', this.onEnd);
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private waitForInput(deadline: number): Promise<void> {
    const left = deadline - performance.now();
    if (left <= 0) return Promise.reject(new ProbeIoError('timeout', `no reply within ${this.opts.timeoutMs / 1000} s`));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        reject(new ProbeIoError('timeout', `no reply within ${this.opts.timeoutMs / 1000} s`));
      }, left);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Reads one reply (all its lines); a line end is LF with or without CR before it. */
  async reply(): Promise<Reply> {
    const deadline = performance.now() + this.opts.timeoutMs;
    const lines: string[] = [];
    for (;;) {
      const nl = this.buf.indexOf('\n');
      if (nl === -1) {
        if (this.ended) {
          const partial = this.buf === '' ? '' : ` after ${JSON.stringify(this.buf)}`;
          this.opts.transcript.note(`connection closed by the server${partial}`);
          throw new ProbeIoError('closed', `connection closed by the server${partial}`);
        }
        try {
          await this.waitForInput(deadline);
        } catch (err) {
          this.opts.transcript.note((err as Error).message);
          throw err;
        }
        continue;
      }
      const line = this.buf.slice(0, nl).replace(/\r$/, '');
      this.buf = this.buf.slice(nl + 1);
      this.opts.transcript.received(line);
      lines.push(line);
      if (!continues(line)) return { code: codeOf(lines[0]!), lines };
    }
  }

  /** Sends the octets exactly as given (latin1: one char, one octet). */
  send(raw: string): void {
    if (/(^|\r\n)QUIT\r\n$/i.test(raw)) this.quitSent = true;
    this.opts.transcript.sent(raw);
    this.sock.write(Buffer.from(raw, 'latin1'));
  }

  async command(line: string): Promise<Reply> {
    this.send(`${line}\r\n`);
    return this.reply();
  }

  /**
   * The TLS handshake after a 220 to STARTTLS. The certificate is not verified: the probe checks that
   * TLS works and how old a protocol the server accepts, not who the server is.
   */
  async startTls(servername: string): Promise<TlsFacts> {
    if (this.buf !== '') {
      this.opts.transcript.note(`plaintext after the 220, before the handshake: ${JSON.stringify(this.buf)}`);
      this.buf = '';
    }
    const plain = this.sock;
    this.detach(plain);
    let tls: TLSSocket;
    try {
      tls = await this.handshake(plain, servername);
    } catch (err) {
      this.ended = true;
      this.opts.transcript.note((err as Error).message);
      throw err;
    }
    this.sock = tls;
    this.attach(tls);
    const facts = { protocol: tls.getProtocol() ?? 'unknown', cipher: tls.getCipher().name };
    this.opts.transcript.note(`TLS handshake done: ${facts.protocol}, ${facts.cipher}`);
    return facts;
  }

  private handshake(plain: Socket, servername: string): Promise<TLSSocket> {
    return new Promise((resolve, reject) => {
      const t = tlsConnect({
        socket: plain,
        rejectUnauthorized: false,
        ...TLS_OFFER,
        ...(isIP(servername) === 0 ? { servername } : {}),
      });
      const timer = setTimeout(() => {
        t.destroy();
        reject(new ProbeIoError('timeout', `TLS handshake not complete within ${this.opts.timeoutMs / 1000} s`));
      }, this.opts.timeoutMs);
      t.once('secureConnect', () => {
        clearTimeout(timer);
        t.removeAllListeners('error');
        resolve(t);
      });
      t.once('error', (err) => {
        clearTimeout(timer);
        t.destroy();
        reject(new ProbeIoError('error', `TLS handshake failed: ${err.message}`));
      });
    });
  }

  get isClosed(): boolean {
    return this.ended && this.buf.indexOf('\n') === -1;
  }

  /**
   * Ends the session politely: QUIT (unless already sent) and its reply, then the socket is closed.
   * Replies still owed to earlier commands are read past; nothing here throws.
   */
  async quit(): Promise<void> {
    if (this.isClosed) {
      this.destroy();
      return;
    }
    try {
      if (!this.quitSent) this.send('QUIT\r\n');
      for (;;) {
        const r = await this.reply();
        if (r.code === 221) break;
      }
    } catch {
      // closed or timed out: the session is over either way
    }
    this.destroy();
  }

  destroy(): void {
    this.ended = true;
    this.sock.destroy();
  }
}
