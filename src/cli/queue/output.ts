// Where a queue command's text goes: the command's own stdout/stderr, or (in the daemon) the frames of
// a control connection. And who asked, by name, for the log lines of actions.

import pino from 'pino';
import { loadPasswd } from '../../maps/users.js';
import type { RunnerLog } from '../../queue/runner-types.js';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export function streamOutput(stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Output {
  return { out: (t) => void stdout.write(t), err: (t) => void stderr.write(t) };
}

/** The login name of a uid from the password database, or `uid <n>` when it has none. */
export async function loginOf(uid: number): Promise<string> {
  try {
    const table = await loadPasswd();
    for (const u of table.users.values()) if (u.uid === uid) return u.name;
  } catch {
    // No password database to name the caller from: the number still identifies them in the log.
  }
  return `uid ${uid}`;
}

/**
 * The runner's log for a queue run done by the command itself: with -v each line's text goes to
 * stdout (sendmail's verbose progress); warnings and errors always go to stderr.
 */
export function commandRunnerLog(out: Output, verbose: boolean): RunnerLog {
  let actions: pino.Logger | undefined;
  return {
    info: (f, msg) => {
      // Administrative actions are always logged, as the daemon would log them (one pino line, stderr).
      if (f['event'] === 'queue-admin') {
        actions ??= pino({ base: { pid: process.pid } }, pino.destination({ dest: 2, sync: true }));
        actions.info(f, msg);
        return;
      }
      if (verbose) out.out(`${msg}\n`);
    },
    warn: (_f, msg) => out.err(`${msg}\n`),
    error: (_f, msg) => out.err(`${msg}\n`),
  };
}
