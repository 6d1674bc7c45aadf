// `-odi` (cli.md §5.6): after the commit, the command waits for the first delivery attempt and ends
// with its outcome: 0 when every recipient was delivered, 75 when some are still queued, otherwise the
// status of the first permanent failure; failures (and deferrals) are printed as `<addr>... <reason>`.

import type { SpoolReader } from '../queue/index.js';
import { EX_NOUSER, EX_NOHOST, EX_UNAVAILABLE, EX_TEMPFAIL } from '../util/sysexits.js';
export { EX_NOUSER, EX_NOHOST, EX_UNAVAILABLE, EX_TEMPFAIL } from '../util/sysexits.js';


export interface AttemptReport {
  exit: number;
  lines: string[];
  /** -v: `<addr>... Connecting to <mailer>...` and `<addr>... Sent` for each final delivery of the attempt */
  progress: string[];
}

/** The progress lines of -v (cli.md §3), from the deliveries the attempt recorded. */
function progressOf(deliveries: Iterable<{ final?: string; actual?: string; mailer?: string; status: string; key: string }>): string[] {
  const out: string[] = [];
  for (const d of deliveries) {
    if (d.key.startsWith('expanded:')) continue;
    const who = d.actual ?? d.final ?? '';
    const mailer = d.mailer ?? 'local';
    const at = who.lastIndexOf('@');
    out.push(mailer === 'esmtp' && at > 0 ? `${who}... Connecting to ${who.slice(at + 1)} via esmtp...` : `${who}... Connecting to ${mailer}...`);
    if (d.status === 'delivered') out.push(`${who}... Sent`);
  }
  return out;
}

const POLL_MS = 50;

/** The sysexits status of a permanent failure, from its enhanced status code (RFC 3463). */
export function failureStatus(text: string): number {
  if (/\b5\.1\.[16]\b/.test(text)) return EX_NOUSER;
  if (/\b5\.1\.2\b/.test(text) || /\b5\.4\.4\b/.test(text)) return EX_NOHOST;
  return EX_UNAVAILABLE;
}

/** Waits until the message has had one attempt (or `timeoutMs` passed: then it counts as deferred). */
export async function waitFirstAttempt(reader: SpoolReader, id: string, timeoutMs: number): Promise<AttemptReport> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await reader.get(id);
    // A message gone from the index was finished and compacted away: nothing is left to report.
    if (m === undefined) return { exit: 0, lines: [], progress: [] };
    if (m.state.attempts >= 1 || m.state.done) {
      const lines: string[] = [];
      let exit = 0;
      let tempfail = false;
      for (const r of m.state.recipients) {
        if (!r.primary) continue;
        if (r.status === 'failed') {
          const why = r.text ?? 'Service unavailable';
          lines.push(`${r.address}... ${why}`);
          if (exit === 0) exit = failureStatus(why);
        } else if (r.status === 'pending' || r.status === 'deferred') {
          tempfail = true;
          lines.push(`${r.address}... Deferred${r.text !== undefined ? `: ${r.text}` : ''}`);
        }
      }
      if (exit === 0 && tempfail) exit = EX_TEMPFAIL;
      return { exit, lines, progress: progressOf(m.state.deliveries.values()) };
    }
    if (Date.now() > deadline) return { exit: EX_TEMPFAIL, lines: [], progress: [] };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
