// Destinations for the outbound end-to-end tests: Postfix's smtp-sink on chosen loopback addresses
// that all listen on one port (MX records carry no port: the sending daemon's OutboundPort is it),
// each capturing its transactions to files; and the test DNS server giving the MX records.

import { startSink } from '../outbound/sink.js';

export interface Capture {
  mailArgs: string;
  /** `<address>` of each RCPT */
  rcpts: string[];
  /** each RCPT's whole argument (`<address> NOTIFY=... ORCPT=...`) */
  rcptArgs: string[];
  /** the message as stored (LF line ends) */
  data: string;
}

export interface LoopbackSink {
  host: string;
  port: number;
  /** the captured transactions so far (in no particular order) */
  captured(): Promise<Capture[]>;
  waitFor(n: number, timeoutMs?: number): Promise<Capture[]>;
  stop(): Promise<void>;
}

/** smtp-sink on host:port (test/outbound/sink.ts); `options` choose refusals (-f RCPT: 5xx, -r RCPT: 4xx, -q: drop). */
export async function sinkAt(host: string, port: number, options: string[] = []): Promise<LoopbackSink> {
  const sink = await startSink(options, host, port);
  const captured = async (): Promise<Capture[]> =>
    (await sink.messages()).map((m) => ({
      mailArgs: m.mailArgs,
      rcpts: m.rcptArgs.map((a) => a.split(/\s+/)[0]!),
      rcptArgs: m.rcptArgs,
      // as stored, with the dump's own last line end
      data: `${m.data}\n`,
    }));
  return {
    host,
    port,
    captured,
    async waitFor(n, timeoutMs = 10_000) {
      await sink.waitFor(n, timeoutMs);
      return captured();
    },
    stop: () => sink.stop(),
  };
}
