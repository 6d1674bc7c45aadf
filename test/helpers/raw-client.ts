// A byte-exact SMTP client for tests: sends exactly the octets it is given and reads replies line by line,
// so smuggling and pipelining cases can be written down as they go on the wire.

import { connect, type Socket } from 'node:net';

export interface WireReply {
  code: number;
  /** full lines as received, without CR LF */
  lines: string[];
}

export class RawClient {
  private buf = '';
  private waiters: Array<() => void> = [];
  private ended = false;

  private constructor(readonly sock: Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      this.buf += d;
      this.wake();
    });
    sock.on('close', () => {
      this.ended = true;
      this.wake();
    });
    sock.on('error', () => {
      this.ended = true;
      this.wake();
    });
  }

  /** A client over an already connected socket (e.g. the TLS socket after STARTTLS). */
  static over(sock: Socket): RawClient {
    return new RawClient(sock);
  }

  static connect(port: number, opts: { host?: string; localAddress?: string } = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const sock = connect({ port, host: opts.host ?? '127.0.0.1', ...(opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {}) });
      sock.once('connect', () => resolve(new RawClient(sock)));
      sock.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private waitForData(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms; buffered: ${JSON.stringify(this.buf)}`)), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Reads one (possibly multi-line) reply. */
  async reply(timeoutMs = 5000): Promise<WireReply> {
    const lines: string[] = [];
    for (;;) {
      const nl = this.buf.indexOf('\r\n');
      if (nl === -1) {
        if (this.ended) throw new Error(`connection closed; partial: ${JSON.stringify(this.buf)} after ${JSON.stringify(lines)}`);
        await this.waitForData(timeoutMs);
        continue;
      }
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 2);
      lines.push(line);
      if (line.charAt(3) !== '-') return { code: Number(line.slice(0, 3)), lines };
    }
  }

  /** The reply as one string (lines joined with \n), for compact assertions. */
  async text(timeoutMs?: number): Promise<string> {
    return (await this.reply(timeoutMs)).lines.join('\n');
  }

  send(raw: string | Buffer): void {
    this.sock.write(typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw);
  }

  /** Sends one command line (CR LF added) and returns the reply text. */
  async cmd(line: string, timeoutMs?: number): Promise<string> {
    this.send(`${line}\r\n`);
    return this.text(timeoutMs);
  }

  /** Resolves when the server has closed the connection; rejects if it has not within the timeout. */
  async closed(timeoutMs = 5000): Promise<void> {
    while (!this.ended) await this.waitForData(timeoutMs);
  }

  /** Whatever has been received and not yet read as replies. */
  get pending(): string {
    return this.buf;
  }

  /** Waits a little and returns what arrived (for "no reply" assertions). */
  async drain(ms = 150): Promise<string> {
    await new Promise((r) => setTimeout(r, ms));
    const b = this.buf;
    this.buf = '';
    return b;
  }

  get isClosed(): boolean {
    return this.ended;
  }

  close(): void {
    this.sock.destroy();
  }
}
