// Sessions with manners (audit-and-probe.md §3.1): each one waits its turn at the pacer (one connection
// at a time, at most one new one per interval), reads the greeting, runs its dialogue and always ends
// with QUIT, whatever happened in between. Every session's transcript is kept under the check it serves.

import { ConnectError, ProbeConnection, ProbeIoError } from './connection.js';
import { ConnectionPacer } from './pacer.js';
import type { Reply } from './reply.js';
import type { ProbeSettings } from './settings.js';
import { Transcript } from './transcript.js';

export interface SessionRecord {
  check: string;
  transcript: readonly string[];
}

export interface Dialogue {
  conn: ProbeConnection;
  greeting: Reply;
  transcript: Transcript;
}

export type SessionOutcome<T> =
  | { ok: true; value: T; greeting: Reply; transcript: readonly string[] }
  | { ok: false; stage: 'connect' | 'greeting' | 'dialogue'; reason: string; greeting?: Reply; transcript: readonly string[] };

export class SessionRunner {
  readonly records: SessionRecord[] = [];
  private readonly pacer: ConnectionPacer;

  constructor(private readonly settings: ProbeSettings) {
    this.pacer = new ConnectionPacer(settings.connectIntervalMs);
  }

  /**
   * One session for `check`. The dialogue runs only after a 220 greeting; an I/O failure inside it
   * (timeout, the server closing) ends the session with `ok: false` and the reason.
   */
  async run<T>(check: string, dialogue: (d: Dialogue) => Promise<T>): Promise<SessionOutcome<T>> {
    const transcript = new Transcript(this.settings.onTranscriptLine);
    this.settings.onTranscriptLine?.(`--- session for ${check}`);
    this.records.push({ check, transcript: transcript.lines });
    const release = await this.pacer.acquire();
    let conn: ProbeConnection | undefined;
    try {
      const { target, timeoutMs, localAddress } = this.settings;
      try {
        conn = await ProbeConnection.open({
          host: target.host,
          port: target.port,
          timeoutMs,
          transcript,
          ...(localAddress !== undefined ? { localAddress } : {}),
        });
      } catch (err) {
        const reason = err instanceof ConnectError ? err.reason : String(err);
        transcript.note(`cannot connect: ${reason}`);
        return { ok: false, stage: 'connect', reason, transcript: transcript.lines };
      }
      let greeting: Reply;
      try {
        greeting = await conn.reply();
      } catch (err) {
        return { ok: false, stage: 'greeting', reason: ioReason(err, 'no greeting'), transcript: transcript.lines };
      }
      if (greeting.code !== 220) {
        return { ok: false, stage: 'greeting', reason: `greeting ${greeting.lines[0] ?? ''}`, greeting, transcript: transcript.lines };
      }
      try {
        const value = await dialogue({ conn, greeting, transcript });
        return { ok: true, value, greeting, transcript: transcript.lines };
      } catch (err) {
        if (!(err instanceof ProbeIoError)) throw err;
        return { ok: false, stage: 'dialogue', reason: err.message, greeting, transcript: transcript.lines };
      }
    } finally {
      await conn?.quit();
      release();
    }
  }
}

function ioReason(err: unknown, what: string): string {
  return err instanceof ProbeIoError ? `${what}: ${err.message}` : `${what}: ${String(err)}`;
}
