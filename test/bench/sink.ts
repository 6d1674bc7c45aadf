// A minimal SMTP sink for the benchmark's tests: a real TCP server on 127.0.0.1:0 that answers
// 220 / 250 / 354 / 250 / 221, reads messages up to the final dot, and enforces the rules the load
// generator must respect: nothing may follow DATA before the 354 (554 and close, as Postern does),
// and without PIPELINING on offer, one command at a time.

import { createServer, type Server, type Socket } from 'node:net';

export interface SinkOptions {
  pipelining: boolean;
  /** The reply to the n-th MAIL command (1-based); default 250. */
  mailReply?: (n: number) => string;
  /** The reply to the n-th final dot; default 250. */
  dotReply?: (n: number) => string;
}

export interface Sink {
  readonly port: number;
  /** Messages received completely (final dot seen), whatever the reply. */
  readonly messages: number;
  readonly connections: number;
  /** Rule violations seen (text early after DATA, unasked pipelining). */
  readonly violations: string[];
  close(): Promise<void>;
}

export async function startSink(opts: SinkOptions): Promise<Sink> {
  let messages = 0;
  let mails = 0;
  let connections = 0;
  const violations: string[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.setNoDelay(true);
    s.write('220 sink.test ESMTP ready\r\n');
    let pending = '';
    let inData = false;
    let mailOk = false;
    let rcpts = 0;
    s.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      let out = '';
      let commands = 0;
      for (;;) {
        if (inData) {
          const end = pending.indexOf('\r\n.\r\n');
          if (end < 0) break;
          pending = pending.slice(end + 5);
          inData = false;
          mailOk = false;
          rcpts = 0;
          messages++;
          out += opts.dotReply?.(messages) ?? '250 2.0.0 queued\r\n';
          continue;
        }
        const eol = pending.indexOf('\r\n');
        if (eol < 0) break;
        const line = pending.slice(0, eol);
        pending = pending.slice(eol + 2);
        commands++;
        if (!opts.pipelining && commands > 1) violations.push(`pipelined without PIPELINING: ${line}`);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') out += opts.pipelining ? '250-sink.test\r\n250-SIZE 30000000\r\n250 PIPELINING\r\n' : '250-sink.test\r\n250 SIZE 30000000\r\n';
        else if (verb === 'MAIL') {
          const reply = opts.mailReply?.(++mails) ?? '250 2.1.0 ok\r\n';
          mailOk = reply.startsWith('250');
          out += reply;
        } else if (verb === 'RCPT') {
          if (mailOk) rcpts++;
          out += mailOk ? '250 2.1.5 ok\r\n' : '503 5.0.0 Need MAIL before RCPT\r\n';
        } else if (verb === 'RSET') {
          mailOk = false;
          rcpts = 0;
          out += '250 2.0.0 ok\r\n';
        } else if (verb === 'DATA' && rcpts === 0) {
          out += '503 5.0.0 Need RCPT (recipient)\r\n';
        } else if (verb === 'DATA') {
          if (pending.length > 0) {
            violations.push('text after DATA before the 354');
            s.end(out + '554 5.5.0 SMTP protocol error\r\n');
            return;
          }
          // The sink keeps \r\n in front so that an empty message's ".\r\n" still matches.
          pending = '\r\n';
          inData = true;
          out += '354 go ahead\r\n';
        } else if (verb === 'QUIT') {
          s.end(out + '221 2.0.0 bye\r\n');
          return;
        } else out += '500 5.5.1 what?\r\n';
      }
      if (out !== '') s.write(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    port,
    get messages() {
      return messages;
    },
    get connections() {
      return connections;
    },
    violations,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
