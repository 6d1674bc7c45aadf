// Small deliberately-broken SMTP servers for the probe tests: real sockets on loopback that behave the
// way vulnerable MTAs do (bare LF as a line end, LF . CR LF as end of data, plaintext kept across
// STARTTLS, AUTH PLAIN in clear, versions in the banner, old TLS). They are the probe's peers, not
// stand-ins for the probe. Every session is recorded so the tests can check the probe's manners.

import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, createSecureContext } from 'node:tls';
import { readFileSync } from 'node:fs';

export interface DoubleTls {
  cert: string;
  key: string;
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  /** CVE-2011-0411: plaintext pipelined behind STARTTLS is kept and executed inside TLS */
  keepPlaintext?: boolean;
  /** answer 220 and then send garbage instead of a TLS handshake */
  breakHandshake?: boolean;
}

export interface DoubleOptions {
  greeting?: string;
  /** extension lines after the Hello line of the EHLO reply */
  extensions?: string[];
  /** a bare LF ends a command line (sendmail 8.17 does this) */
  bareLfCommands?: boolean;
  /** octet strings that end DATA besides CR LF . CR LF (e.g. LF . CR LF: CVE-2023-51765) */
  extraDataEnds?: string[];
  /** replies for verbs, upper case: `{ EXPN: '250 2.1.5 <root@double.example>' }` */
  answers?: Record<string, string>;
  /** the reply to every RCPT; default `250 2.1.5 Ok` (an open relay) */
  rcptReply?: (arg: string) => string;
  /** the reply to STARTTLS when tls is not set; default 502 */
  starttlsReply?: string;
  tls?: DoubleTls;
  /** close every connection at once, without a greeting */
  silent?: boolean;
  /** drop the connection, without a reply, when this verb arrives */
  dropOn?: string;
  /** the address to listen on; default 127.0.0.1 */
  host?: string;
}

export interface RecordedSession {
  openedAt: number;
  closedAt?: number;
  /** every command line received, and `<message>` for each message body */
  commands: string[];
  messages: string[];
  tls: boolean;
}

export interface Double {
  port: number;
  sessions: RecordedSession[];
  close(): Promise<void>;
}

const CRLF_DOT_CRLF = '\r\n.\r\n';

export async function startDouble(opts: DoubleOptions = {}): Promise<Double> {
  const sessions: RecordedSession[] = [];
  const sockets = new Set<Socket>();
  const d: Double = { port: 0, sessions, close: async () => undefined };
  const ctx = opts.tls
    ? createSecureContext({
        cert: readFileSync(opts.tls.cert),
        key: readFileSync(opts.tls.key),
        minVersion: opts.tls.minVersion ?? 'TLSv1',
        maxVersion: opts.tls.maxVersion ?? 'TLSv1.3',
        ciphers: 'DEFAULT@SECLEVEL=0',
      })
    : undefined;

  const server: Server = createServer((raw) => {
    sockets.add(raw);
    raw.setNoDelay(true);
    const rec: RecordedSession = { openedAt: performance.now(), commands: [], messages: [], tls: false };
    sessions.push(rec);
    raw.on('close', () => {
      rec.closedAt = performance.now();
      sockets.delete(raw);
    });
    raw.on('error', () => undefined);
    if (opts.silent === true) {
      raw.destroy();
      return;
    }
    let sock: Socket = raw;
    let buf = '';
    let inData = false;
    let message = '';
    const say = (text: string): void => void sock.write(Buffer.from(`${text}\r\n`, 'latin1'));

    const upgrade = (): void => {
      const kept = opts.tls?.keepPlaintext === true ? buf : '';
      buf = '';
      sock.removeListener('data', onData);
      const t = new TLSSocket(raw, { isServer: true, secureContext: ctx! });
      t.on('error', () => raw.destroy());
      t.on('secure', () => {
        rec.tls = true;
        sock = t;
        t.on('data', onData);
        if (kept !== '') onData(Buffer.from(kept, 'latin1'));
      });
    };

    const command = (line: string): boolean => {
      rec.commands.push(line);
      const verb = (line.split(' ')[0] ?? '').toUpperCase();
      if (verb === opts.dropOn) {
        raw.destroy();
        return false;
      }
      const answer = opts.answers?.[verb];
      if (answer !== undefined) {
        say(answer);
        return true;
      }
      switch (verb) {
        case 'EHLO': {
          const ext = opts.extensions ?? ['PIPELINING', '8BITMIME'];
          const lines = ['double.example Hello', ...ext];
          lines.forEach((l, i) => say(`250${i === lines.length - 1 ? ' ' : '-'}${l}`));
          return true;
        }
        case 'HELO':
          say('250 double.example Hello');
          return true;
        case 'MAIL':
          say('250 2.1.0 Sender ok');
          return true;
        case 'RCPT':
          say(opts.rcptReply?.(line.slice(5)) ?? '250 2.1.5 Ok');
          return true;
        case 'DATA':
          say('354 go ahead');
          inData = true;
          message = '';
          return true;
        case 'RSET':
          say('250 2.0.0 Reset');
          return true;
        case 'NOOP':
          say('250 2.0.0 OK');
          return true;
        case 'QUIT':
          say('221 2.0.0 bye');
          sock.end();
          return false;
        case 'STARTTLS':
          if (opts.tls === undefined) {
            say(opts.starttlsReply ?? '502 5.5.1 no');
            return true;
          }
          say('220 2.0.0 Ready to start TLS');
          if (opts.tls.breakHandshake === true) {
            sock.end('this is not TLS\r\n');
            return false;
          }
          upgrade();
          return false;
        default:
          say('500 5.5.1 Command unrecognized');
          return true;
      }
    };

    // The earliest end-of-data marker in the buffer, among the proper one and the extra ones.
    const dataEnd = (): { at: number; len: number } | undefined => {
      let best: { at: number; len: number } | undefined;
      for (const m of [CRLF_DOT_CRLF, ...(opts.extraDataEnds ?? [])]) {
        // The marker may also follow the DATA line's own CR LF directly.
        const probe = (message === '' ? '\r\n' : '') + buf;
        const i = probe.indexOf(m);
        if (i === -1) continue;
        const at = i - (message === '' ? 2 : 0);
        if (best === undefined || at < best.at) best = { at, len: m.length };
      }
      return best;
    };

    function onData(chunk: Buffer): void {
      buf += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = dataEnd();
          if (end === undefined) return;
          message += buf.slice(0, Math.max(0, end.at));
          buf = buf.slice(end.at + end.len);
          rec.messages.push(message);
          rec.commands.push('<message>');
          inData = false;
          say('250 2.0.0 queued');
          continue;
        }
        const m = (opts.bareLfCommands === true ? /\r?\n/ : /\r\n/).exec(buf);
        if (m === null) return;
        const line = buf.slice(0, m.index);
        buf = buf.slice(m.index + m[0].length);
        if (!command(line)) return;
      }
    }

    raw.on('data', onData);
    say(opts.greeting ?? '220 double.example ESMTP');
  });
  await new Promise<void>((resolve) => server.listen(0, opts.host ?? '127.0.0.1', resolve));
  d.port = (server.address() as { port: number }).port;
  d.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return d;
}
