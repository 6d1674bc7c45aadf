// Asking the daemon over its control socket (src/control/) to do what this process may not: list a
// queue it cannot read, run the queue with the daemon's delivery privileges, change messages. The
// daemon's output is copied to ours; its exit status becomes ours.

import type { EffectiveConfig } from '../../config/effective.js';
import { callControl, ControlUnavailable } from '../../control/client.js';
import { controlSocketPath } from '../../control/path.js';
import type { Output } from './output.js';
import { EX_SOFTWARE } from './sysexits.js';

export type DaemonAnswer = { reached: true; exit: number } | { reached: false; why: string };

export async function askDaemon(cfg: EffectiveConfig, request: Record<string, unknown> & { kind: string }, out: Output): Promise<DaemonAnswer> {
  const path = controlSocketPath(cfg);
  try {
    const done = await callControl(path, request, undefined, { stdout: { write: (t: string) => out.out(t) }, stderr: { write: (t: string) => out.err(t) } });
    return { reached: true, exit: done.exit };
  } catch (err) {
    if (err instanceof ControlUnavailable) return { reached: false, why: err.message };
    // The daemon took the request and then broke off: what it did is unknown, so nothing is retried here.
    out.err(`the Postern daemon broke off the ${request.kind} request: ${err instanceof Error ? err.message : String(err)}\n`);
    return { reached: true, exit: EX_SOFTWARE };
  }
}
