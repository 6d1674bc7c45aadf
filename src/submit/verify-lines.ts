// `sendmail -bv` output (cli.md §5.3): one line per final address of each argument, and the exit status
// (0 all deliverable, 67 any unknown, 65 syntax errors, else the first failure's).

import type { Expanded } from '../route/types.js';
import { failureStatus } from './first-attempt.js';
import { EX_NOUSER, EX_TEMPFAIL } from '../util/sysexits.js';
export { EX_DATAERR, EX_NOUSER, EX_TEMPFAIL } from '../util/sysexits.js';


export interface VerifyResult {
  lines: string[];
  exit: number;
}

function describe(e: Expanded): string | undefined {
  const d = e.delivery;
  if (d === undefined) return undefined;
  switch (d.kind) {
    case 'mailbox':
      return `deliverable: mailer local, user ${d.user.name}`;
    case 'program':
      return `deliverable: mailer prog, user |${d.command}`;
    case 'file':
      return `deliverable: mailer *file*, user ${d.path}`;
    case 'remote': {
      const at = d.address.lastIndexOf('@');
      return `deliverable: mailer esmtp, host ${d.address.slice(at + 1)}., user ${d.address}`;
    }
  }
}

/** The member an expansion reached, as a prefix: the local part for a local mailbox, else as written. */
function memberOf(e: Expanded, j: string): string {
  const a = e.actualRecipient ?? e.finalRecipient;
  const suffix = `@${j}`;
  return a.toLowerCase().endsWith(suffix.toLowerCase()) ? a.slice(0, -suffix.length) : a;
}

/** `<addr>... <text>`: a failure text's own `<addr>... ` prefix is replaced by the line's. */
function failureLine(prefix: string, text: string): string {
  return `${prefix}... ${text.replace(/^\S+\.\.\. /, '')}`;
}

/** Lines and status for the arguments `typed` (index i of `expanded` recipients = typed[i]). */
export function verifyLines(typed: readonly string[], expanded: readonly Expanded[], j: string): VerifyResult {
  const lines: string[] = [];
  let exit = 0;
  typed.forEach((arg, i) => {
    const mine = expanded.filter((e) => e.recipient === i);
    for (const e of mine) {
      const prefix = mine.length === 1 ? arg : memberOf(e, j);
      const ok = describe(e);
      if (ok !== undefined) lines.push(`${prefix}... ${ok}`);
      else if (e.failed !== undefined) {
        lines.push(failureLine(prefix, e.failed.text));
        const s = failureStatus(`${e.failed.enh} ${e.failed.text}`);
        if (s === EX_NOUSER || exit === 0) exit = s;
      } else if (e.deferred !== undefined) {
        lines.push(failureLine(prefix, e.deferred.text));
        if (exit === 0) exit = EX_TEMPFAIL;
      }
    }
  });
  return { lines, exit };
}
