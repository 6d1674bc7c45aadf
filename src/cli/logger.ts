// pino JSON lines, one per event; `--pretty` renders them for a terminal instead.

import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export interface LogOptions {
  pretty: boolean;
  level: string;
  /** write synchronously (tests, short-lived commands); the daemon writes asynchronously */
  sync?: boolean;
}

export function createLogger(opts: LogOptions): Logger {
  const base = { level: opts.level, base: { pid: process.pid }, redact: ['password', 'auth', '*.password'] };
  if (opts.pretty) {
    return pino(base, pretty({ colorize: process.stdout.isTTY, translateTime: 'SYS:standard', ignore: 'pid,hostname', sync: true }));
  }
  // No minimum length: buffering to 4 KiB held back the ready line (and every message line) until the
  // buffer filled, so a supervisor never saw the daemon come up. Asynchronous writes still coalesce.
  return pino(base, pino.destination({ sync: opts.sync ?? false, minLength: 0 }));
}

/** Flushes an asynchronous destination before exit. */
export function flushLogger(log: Logger): void {
  try {
    log.flush();
  } catch {
    // A pretty stream has nothing to flush.
  }
}
