// NOTIFY (RFC 3461 §4.1) as queue-and-bounces.md §6.1 and privacy-options.md (noreceipts) apply it:
// absent = FAILURE and DELAY; NEVER = nothing; SUCCESS only when receipts are allowed. With noreceipts
// the recorded NOTIFY is ignored altogether (failures and delays are reported as if it were absent).

export type NotifyEvent = 'failure' | 'delay' | 'success';

const WORD: Record<NotifyEvent, string> = { failure: 'FAILURE', delay: 'DELAY', success: 'SUCCESS' };

export function notifyAllows(notify: readonly string[] | undefined, event: NotifyEvent, noreceipts: boolean): boolean {
  if (noreceipts) return event !== 'success';
  if (notify === undefined || notify.length === 0) return event !== 'success';
  const words = notify.map((w) => w.toUpperCase());
  if (words.includes('NEVER')) return false;
  return words.includes(WORD[event]);
}

/**
 * sendmail's rules for delay warnings about the message as a whole: never for negative precedence,
 * the null sender, or a return address of a list owner (`owner-*`) or list request address
 * (`*-request`), compared case-insensitively on the local part.
 */
export function delayWarningAllowed(returnAddress: string, precedenceClass: number): boolean {
  if (precedenceClass < 0 || returnAddress === '') return false;
  const at = returnAddress.lastIndexOf('@');
  const local = (at < 0 ? returnAddress : returnAddress.slice(0, at)).toLowerCase();
  return !local.startsWith('owner-') && !local.endsWith('-request');
}
