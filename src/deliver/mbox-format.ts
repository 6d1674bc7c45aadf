// The bytes local agents write (program-and-file-delivery.md §3.2, §4.4, §5): the Unix `From ` line,
// Return-Path, `>From ` escaping, LF line ends.

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** ctime(3) without the newline, in local time: `Thu Nov  1 08:21:00 2024`. */
export function ctime(d: Date): string {
  const day = d.getDate();
  const dd = day < 10 ? ` ${day}` : String(day);
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${dd} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

/** The envelope sender as the `From ` line shows it: the null sender is MAILER-DAEMON. */
export function fromLineSender(sender: string): string {
  return sender === '' ? 'MAILER-DAEMON' : sender;
}

export function fromLine(sender: string, now: Date): string {
  return `From ${fromLineSender(sender)} ${ctime(now)}\n`;
}

export function returnPath(sender: string): string {
  return `Return-Path: <${sender}>\n`;
}

/** CR LF → LF (a lone CR is left alone). */
export function toLf(message: Buffer): Buffer {
  let crlf = 0;
  for (let i = message.indexOf(13); i >= 0 && i < message.length - 1; i = message.indexOf(13, i + 1)) {
    if (message[i + 1] === 10) crlf++;
  }
  if (crlf === 0) return message;
  const out = Buffer.allocUnsafe(message.length - crlf);
  let o = 0;
  let start = 0;
  for (let i = message.indexOf(13); i >= 0; i = message.indexOf(13, i + 1)) {
    if (message[i + 1] !== 10) continue;
    o += message.copy(out, o, start, i);
    start = i + 1;
  }
  o += message.copy(out, o, start);
  return out.subarray(0, o);
}

const FROM_ = Buffer.from('From ');

/**
 * Every line that begins with `From ` gets a `>` in front. The spec asks it for body lines; a header
 * line cannot legitimately begin with `From ` (a field name ends with a colon), and escaping one there
 * too keeps a malformed header from forging a mailbox separator.
 */
export function escapeFromLines(text: Buffer): Buffer {
  const starts: number[] = [];
  for (let pos = 0; pos < text.length; ) {
    if (text.length - pos >= 5 && text.compare(FROM_, 0, 5, pos, pos + 5) === 0) starts.push(pos);
    const nl = text.indexOf(10, pos);
    if (nl < 0) break;
    pos = nl + 1;
  }
  if (starts.length === 0) return text;
  const parts: Buffer[] = [];
  let last = 0;
  for (const s of starts) {
    parts.push(text.subarray(last, s), Buffer.from('>'));
    last = s;
  }
  parts.push(text.subarray(last));
  return Buffer.concat(parts);
}

/**
 * One mbox entry: From line, Return-Path, the message with `>From ` escaping, ending with a line end
 * and one empty line (§4.4 step 4).
 */
export function mboxEntry(sender: string, message: Buffer, now: Date): Buffer {
  const lf = escapeFromLines(toLf(message));
  const parts = [Buffer.from(fromLine(sender, now) + returnPath(sender)), lf];
  if (lf.length > 0 && lf[lf.length - 1] !== 10) parts.push(Buffer.from('\n'));
  parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

/** A program's standard input (§3.2): From line, then the message with LF line ends, nothing else. */
export function programInput(sender: string, message: Buffer, now: Date): Buffer {
  return Buffer.concat([Buffer.from(fromLine(sender, now)), toLf(message)]);
}

/** A Maildir file: Return-Path, then the message with LF line ends (no From line, no escaping). */
export function maildirEntry(sender: string, message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(returnPath(sender)), toLf(message)]);
}
