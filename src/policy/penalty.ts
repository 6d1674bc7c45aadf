// Anti-abuse counters (smtp-session.md §3.4): how long to wait before answering the n-th command of a
// kind, and when to give up on the client. Pure, so the schedule is tested without a socket.

export type CountedKind = 'helo' | 'noop' | 'vrfy' | 'etrn' | 'auth';

export interface Penalty {
  /** Milliseconds to wait before the reply. */
  delay: number;
  /** Answer `421 4.7.0 <j> Too many bad commands; closing connection` instead, and close. */
  close: boolean;
}

const NONE: Penalty = { delay: 0, close: false };

/**
 * @param n the count including this command
 * @param limit the counter's limit (helo 3, noop MaxNOOPCommands, vrfy 6, etrn 8, auth mechanisms+1)
 * @param succeeded for VRFY/EXPN: the command was carried out and found the address
 */
export function penaltyFor(
  kind: CountedKind,
  n: number,
  limit: number,
  base: number,
  maxDelay: number,
  succeeded = false,
): Penalty {
  if (n >= 2 * limit) return { delay: 0, close: true };
  if (n < limit) return NONE;
  if (kind === 'vrfy' && !succeeded) return { delay: Math.floor(n / limit) * base, close: false };
  const factor = 2 ** Math.min(n - limit, 30);
  return { delay: Math.min(factor * base, maxDelay), close: false };
}

/** The bad-command counter: the 26th bad command closes the session (MAXBADCOMMANDS 25). */
export const MAX_BAD_COMMANDS = 25;
