// A message read from standard input (cli.md §5.1): LF or CR LF line ends stored as CR LF, a bare CR
// replaced by a space, the SMTP dot convention unless -i (a line of a single `.` ends the message, a
// leading `.` is dropped), and a leading mbox `From ` line taken off (its address is returned).

export interface MessageText {
  /** The message as it will be stored (CR LF line ends, the last line ended). */
  data: Buffer;
  /** The address of a leading `From ` line, when there was one. */
  fromLine?: string;
  /** A NUL octet was seen. */
  hasNul: boolean;
  /** An octet above 0x7f was seen. */
  eightBit: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;

/** `From alice@example.com Mon Jan  1 12:00:00 2024` → `alice@example.com`. */
function fromLineAddress(line: Buffer): string | undefined {
  const text = line.toString('latin1');
  if (!text.startsWith('From ')) return undefined;
  const m = /^From\s+(\S+)/.exec(text);
  return m?.[1];
}

/** Splits the input into lines without their ends (a final line without LF counts as a line). */
function* lines(input: Buffer): Generator<Buffer> {
  let start = 0;
  while (start < input.length) {
    let nl = input.indexOf(LF, start);
    if (nl === -1) nl = input.length;
    let end = nl;
    if (end > start && input[end - 1] === CR) end--;
    yield input.subarray(start, end);
    start = nl + 1;
  }
}

export function readMessageText(input: Buffer, ignoreDots: boolean): MessageText {
  const out: Buffer[] = [];
  let first = true;
  let fromLine: string | undefined;
  let hasNul = false;
  let eightBit = false;
  for (const raw of lines(input)) {
    if (first) {
      first = false;
      const from = fromLineAddress(raw);
      if (from !== undefined) {
        fromLine = from;
        continue;
      }
    }
    let line = raw;
    if (!ignoreDots && line.length > 0 && line[0] === DOT) {
      if (line.length === 1) break;
      line = line.subarray(1);
    }
    const copy = Buffer.from(line);
    for (let i = 0; i < copy.length; i++) {
      const c = copy[i]!;
      if (c === CR) copy[i] = 0x20;
      else if (c === 0) hasNul = true;
      else if (c > 0x7f) eightBit = true;
    }
    out.push(copy, Buffer.from('\r\n'));
  }
  return { data: Buffer.concat(out), ...(fromLine !== undefined ? { fromLine } : {}), hasNul, eightBit };
}
