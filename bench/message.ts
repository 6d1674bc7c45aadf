// Every byte the generator sends is built once, before the run: commands, recipient lists and the
// message itself, so that the hot path only picks a prebuilt Buffer and writes it.

export interface MessagePlan {
  from: string;
  /** Recipient pattern; `{n}` is replaced by 1..toCount. */
  to: string;
  toCount: number;
  rcptsPerMessage: number;
  /** Exact size of the message (header + body, CR LF line ends), before the terminating dot. */
  size: number;
  ehlo: string;
}

export interface Wire {
  ehlo: Buffer;
  mail: Buffer;
  /** rcpt[n]: the RCPT command for recipient n+1. Group g uses recipients g, g+1, ... (mod toCount). */
  rcpt: Buffer[];
  data: Buffer;
  /** pipelined[i]: MAIL, the i-th RCPT group and DATA in one buffer. */
  pipelined: Buffer[];
  /** The message with its terminating `.` line. */
  body: Buffer;
  rset: Buffer;
  quit: Buffer;
  /** How many recipient groups the rotation has. */
  groups: number;
}

export function recipientAddress(pattern: string, n: number): string {
  return pattern.split('{n}').join(String(n));
}

/** The distinct recipients the plan uses, in order (what a server's alias file must know). */
export function recipients(plan: MessagePlan): string[] {
  const out: string[] = [];
  for (let n = 1; n <= plan.toCount; n++) out.push(recipientAddress(plan.to, n));
  return out;
}

/**
 * A message of exactly `size` bytes: a few headers, then lines of at most 78 characters. No line
 * starts with '.', so no dot-stuffing is needed, and every line ends in CR LF.
 */
export function buildMessage(size: number, from: string, to: string): Buffer {
  const header =
    `From: <${from}>\r\nTo: <${to}>\r\nSubject: postern bench\r\n` +
    `Message-ID: <bench.${process.pid}@bench.localdomain>\r\nDate: Thu, 1 Jan 2026 00:00:00 +0000\r\n\r\n`;
  const parts: string[] = [header];
  let left = size - header.length;
  const filler = 'The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstu';
  while (left > 0) {
    if (left <= 2) {
      // Too little room for text plus CR LF: lengthen the previous line instead.
      const prev = parts.pop() as string;
      parts.push(prev.slice(0, -2) + 'x'.repeat(left) + '\r\n');
      left = 0;
      break;
    }
    const take = Math.min(filler.length, left - 2);
    parts.push(filler.slice(0, take) + '\r\n');
    left -= take + 2;
  }
  // A size smaller than the headers gives just the headers.
  const text = parts.join('');
  return Buffer.from(text, 'latin1');
}

export function buildWire(plan: MessagePlan): Wire {
  const groups = plan.toCount;
  const rcpt: Buffer[] = [];
  for (let n = 1; n <= plan.toCount; n++) rcpt.push(Buffer.from(`RCPT TO:<${recipientAddress(plan.to, n)}>\r\n`, 'latin1'));
  const group = (g: number): Buffer[] => {
    const out: Buffer[] = [];
    for (let k = 0; k < plan.rcptsPerMessage; k++) out.push(rcpt[(g + k) % plan.toCount] as Buffer);
    return out;
  };
  const mail = Buffer.from(`MAIL FROM:<${plan.from}>\r\n`, 'latin1');
  const data = Buffer.from('DATA\r\n', 'latin1');
  const message = buildMessage(plan.size, plan.from, recipientAddress(plan.to, 1));
  return {
    ehlo: Buffer.from(`EHLO ${plan.ehlo}\r\n`, 'latin1'),
    mail,
    rcpt,
    data,
    pipelined: rcpt.map((_, g) => Buffer.concat([mail, ...group(g), data])),
    body: Buffer.concat([message, Buffer.from('.\r\n', 'latin1')]),
    rset: Buffer.from('RSET\r\n', 'latin1'),
    quit: Buffer.from('QUIT\r\n', 'latin1'),
    groups,
  };
}
