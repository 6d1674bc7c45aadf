// A small, deliberately configurable SMTP server on loopback for the client's tests: a peer that greets
// with 4xx, refuses RCPT, drops the connection or stalls at a chosen command, lacks PIPELINING or
// 8BITMIME, offers a tiny SIZE, or offers STARTTLS with a given certificate (or a broken handshake). It
// records every command, every DATA payload exactly as it arrived, and how many connections were open
// at once — the things smtp-sink cannot be made to do or to tell.

import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';

/** What to answer: a reply (lines separated by \n), or `drop` (close without a word), or `stall` (say nothing). */
export type Action = string | 'drop' | 'stall';

export interface PeerScript {
  /** default `220 peer.test ESMTP` */
  greeting?: Action;
  /** EHLO keywords after the first line; default PIPELINING, 8BITMIME, SIZE 10000000, DSN, ENHANCEDSTATUSCODES, SMTPUTF8 */
  extensions?: string[];
  /** TLS credentials: STARTTLS is added to the EHLO keywords */
  tls?: { cert: string | Buffer; key: string | Buffer; maxVersion?: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' };
  /** a 220 to STARTTLS followed by this instead of a handshake */
  brokenTls?: 'garbage' | 'close';
  /**
   * The answer to one command (`verb` upper case, `arg` the rest); undefined = the default answer.
   * `n` counts this verb in the connection (1 = first).
   */
  answer?: (verb: string, arg: string, n: number, session: PeerSession) => Action | undefined;
  /** the answer to the final dot; default `250 2.0.0 queued` */
  afterDot?: (session: PeerSession) => Action | undefined;
  /** milliseconds to wait before answering the final dot (concurrency tests) */
  dotDelayMs?: number;
  /** after its 354, stop reading (a peer that takes no data: the client's writes back up) */
  stopReadingAtData?: boolean;
  /** a counter shared by several peers: connections open at once across all of them */
  tracker?: { open: number; max: number };
}

export interface PeerSession {
  commands: string[];
  /** each DATA payload as received, up to and including the final ".\r\n" */
  data: Buffer[];
  tls: boolean;
  closed: boolean;
}

export interface Peer {
  port: number;
  sessions: PeerSession[];
  /** the most connections open at the same time */
  maxConcurrent: number;
  open: number;
  close(): Promise<void>;
}

const DEFAULT_EXTENSIONS = ['PIPELINING', '8BITMIME', 'SIZE 10000000', 'DSN', 'ENHANCEDSTATUSCODES', 'SMTPUTF8'];

function wire(text: string): string {
  return text
    .split('\n')
    .map((l) => `${l}\r\n`)
    .join('');
}

function multiline(code: number, lines: string[]): string {
  return lines.map((l, i) => `${code}${i === lines.length - 1 ? ' ' : '-'}${l}`).join('\n');
}

class Conversation {
  private buf = Buffer.alloc(0);
  private inData = false;
  private counts = new Map<string, number>();
  private sock: Socket;
  readonly session: PeerSession = { commands: [], data: [], tls: false, closed: false };

  constructor(
    sock: Socket,
    private readonly script: PeerScript,
    private readonly ctx: SecureContext | undefined,
  ) {
    this.sock = sock;
    this.listen(sock);
    const g = script.greeting ?? '220 peer.test ESMTP';
    this.act(g);
  }

  private listen(s: Socket): void {
    s.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.pump();
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      this.session.closed = true;
    });
  }

  private act(a: Action): boolean {
    if (a === 'stall') return false;
    if (a === 'drop') {
      this.sock.destroy();
      return false;
    }
    this.sock.write(wire(a));
    return true;
  }

  private pump(): void {
    for (;;) {
      if (this.inData) {
        const end = this.buf.indexOf('\r\n.\r\n');
        const atStart = this.buf.subarray(0, 3).toString('latin1') === '.\r\n';
        if (end === -1 && !atStart) return;
        const cut = atStart ? 3 : end + 5;
        this.session.data.push(this.buf.subarray(0, cut));
        this.buf = this.buf.subarray(cut);
        this.inData = false;
        const reply = this.script.afterDot?.(this.session) ?? '250 2.0.0 queued';
        const delay = this.script.dotDelayMs ?? 0;
        if (delay > 0) setTimeout(() => this.act(reply), delay);
        else if (!this.act(reply)) return;
        continue;
      }
      const nl = this.buf.indexOf('\r\n');
      if (nl === -1) return;
      const line = this.buf.subarray(0, nl).toString('utf8');
      this.buf = this.buf.subarray(nl + 2);
      this.session.commands.push(line);
      if (!this.command(line)) return;
    }
  }

  private command(line: string): boolean {
    const sp = line.indexOf(' ');
    const verb = (sp === -1 ? line : line.slice(0, sp)).toUpperCase();
    const arg = sp === -1 ? '' : line.slice(sp + 1);
    const n = (this.counts.get(verb) ?? 0) + 1;
    this.counts.set(verb, n);
    const custom = this.script.answer?.(verb, arg, n, this.session);
    if (custom !== undefined) {
      const ok = this.act(custom);
      if (ok && verb === 'DATA' && custom.startsWith('354')) this.inData = true;
      return ok;
    }
    switch (verb) {
      case 'EHLO': {
        const ext = [...(this.script.extensions ?? DEFAULT_EXTENSIONS)];
        if ((this.ctx !== undefined || this.script.brokenTls !== undefined) && !this.session.tls) ext.push('STARTTLS');
        return this.act(multiline(250, ['peer.test hello', ...ext]));
      }
      case 'HELO':
        return this.act('250 peer.test');
      case 'MAIL':
        return this.act('250 2.1.0 Ok');
      case 'RCPT':
        return this.act('250 2.1.5 Ok');
      case 'DATA':
        this.inData = true;
        if (this.script.stopReadingAtData === true) {
          this.sock.write(wire('354 go on'));
          this.sock.pause();
          return false;
        }
        return this.act('354 End data with <CR><LF>.<CR><LF>');
      case 'RSET':
      case 'NOOP':
        return this.act('250 2.0.0 Ok');
      case 'QUIT':
        this.sock.end(wire('221 2.0.0 Bye'));
        return false;
      case 'STARTTLS':
        return this.startTls();
      default:
        return this.act('502 5.5.1 not implemented');
    }
  }

  private startTls(): boolean {
    if (this.script.brokenTls !== undefined) {
      this.sock.write(wire('220 2.0.0 go ahead'));
      if (this.script.brokenTls === 'garbage') {
        // Answers the client's hello (not before: that would be plain text after the 220).
        this.sock.removeAllListeners('data');
        this.sock.once('data', () => this.sock.end('this is not a TLS server hello\r\n'));
      } else {
        this.sock.destroy();
      }
      return false;
    }
    if (this.ctx === undefined) return this.act('454 4.7.0 TLS not available');
    this.sock.write(wire('220 2.0.0 Ready to start TLS'));
    const plain = this.sock;
    plain.removeAllListeners('data');
    const t = new TLSSocket(plain, { isServer: true, secureContext: this.ctx });
    t.on('secure', () => {
      this.session.tls = true;
    });
    this.sock = t;
    this.counts.clear();
    this.listen(t);
    return false;
  }
}

export async function startPeer(script: PeerScript = {}, host = '127.0.0.1'): Promise<Peer> {
  const ctx =
    script.tls !== undefined
      ? createSecureContext({
          cert: script.tls.cert,
          key: script.tls.key,
          ...(script.tls.maxVersion !== undefined ? { maxVersion: script.tls.maxVersion } : {}),
          ...(script.tls.minVersion !== undefined ? { minVersion: script.tls.minVersion, ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
        })
      : undefined;
  const sockets = new Set<Socket>();
  const peer: Peer = { port: 0, sessions: [], maxConcurrent: 0, open: 0, close: async () => undefined };
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    peer.open++;
    peer.maxConcurrent = Math.max(peer.maxConcurrent, peer.open);
    const t = script.tracker;
    if (t !== undefined) {
      t.open++;
      t.max = Math.max(t.max, t.open);
    }
    sock.on('close', () => {
      sockets.delete(sock);
      peer.open--;
      if (t !== undefined) t.open--;
    });
    peer.sessions.push(new Conversation(sock, script, ctx).session);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  peer.port = (server.address() as { port: number }).port;
  peer.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return peer;
}
