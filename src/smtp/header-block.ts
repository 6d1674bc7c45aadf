// Looks at the header block of a received message (smtp-session.md §8.3, §8.4): its size as sendmail
// counts it, the hop count, the fields the server removes (Return-Path), where the header ends (a line
// that is no header field ends it, and the missing empty line is inserted), and the few fields worth
// logging. Only the header is touched; the body slices pass through untouched.

const CR = 13;
const LF = 10;
const SP = 32;
const HT = 9;
const COLON = 58;

export interface HeaderInfo {
  /** counted size exceeded the limit */
  tooLarge: boolean;
  /** number of Received: fields */
  hops: number;
  messageId?: string;
  precedence?: string;
  /** the message with Return-Path fields removed and the header/body separator ensured */
  parts: Buffer[];
}

const CRLF = Buffer.from('\r\n');

function nameIs(buf: Buffer, start: number, colon: number, lower: string): boolean {
  if (colon - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    if ((buf[start + i]! | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Index of the colon that ends a field name starting at `start`, or -1 if the line is not a field. */
function fieldColon(buf: Buffer, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c === COLON) return i > start ? i : -1;
    if (c <= SP || c >= 127) return -1;
  }
  return -1;
}

function fieldValue(buf: Buffer, colon: number, end: number): string {
  return buf.toString('latin1', colon + 1, end).trim();
}

export function analyseHeader(parts: readonly Buffer[], maxHeaderLength: number): HeaderInfo {
  // The header must be contiguous to be scanned; it almost always is within the first slice.
  let head = parts[0] ?? Buffer.alloc(0);
  let used = 1;
  const want = 2 * maxHeaderLength + 2;
  if (head.indexOf('\r\n\r\n') === -1 && parts.length > 1 && head.length < want) {
    const joined: Buffer[] = [head];
    let len = head.length;
    while (used < parts.length && len < want) {
      const p = parts[used++]!;
      joined.push(p);
      len += p.length;
    }
    head = Buffer.concat(joined, len);
  }

  const info: HeaderInfo = { tooLarge: false, hops: 0, parts: [] };
  let counted = 0;
  let pos = 0;
  let headerEnd = -1;
  let needSeparator = false;
  let current: 'messageId' | 'precedence' | null = null;
  while (pos < head.length) {
    const lf = head.indexOf(LF, pos);
    if (lf === -1) break;
    const end = head[lf - 1] === CR ? lf - 1 : lf;
    if (end === pos) {
      headerEnd = pos;
      break;
    }
    const first = head[pos]!;
    if (first === SP || first === HT) {
      if (pos === 0) {
        headerEnd = 0;
        needSeparator = true;
        break;
      }
      if (current !== null) info[current] = `${info[current] ?? ''} ${head.toString('latin1', pos, end).trim()}`.trim();
    } else {
      const colon = fieldColon(head, pos, end);
      if (colon === -1) {
        headerEnd = pos;
        needSeparator = true;
        break;
      }
      current = null;
      if (nameIs(head, pos, colon, 'received')) info.hops += 1;
      else if (nameIs(head, pos, colon, 'message-id')) {
        info.messageId = fieldValue(head, colon, end);
        current = 'messageId';
      } else if (nameIs(head, pos, colon, 'precedence')) {
        info.precedence = fieldValue(head, colon, end);
        current = 'precedence';
      }
    }
    // sendmail counts each line end as one octet
    counted += lf - pos;
    if (counted > maxHeaderLength) {
      info.tooLarge = true;
      return info;
    }
    pos = lf + 1;
  }
  if (headerEnd === -1) headerEnd = pos;
  // Rebuild: the kept header ranges, the separator if it was missing, the rest untouched.
  const out: Buffer[] = [];
  for (const [a, b] of collectKeep(head, headerEnd)) {
    if (b > a) out.push(head.subarray(a, b));
  }
  if (needSeparator) out.push(CRLF);
  if (headerEnd < head.length) out.push(head.subarray(headerEnd));
  for (let i = used; i < parts.length; i++) out.push(parts[i]!);
  info.parts = out;
  return info;
}

/** Ranges of the header block [0, headerEnd) without the Return-Path fields. */
function collectKeep(head: Buffer, headerEnd: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let pos = 0;
  let keepStart = 0;
  let inDropped = false;
  while (pos < headerEnd) {
    const lf = head.indexOf(LF, pos);
    const next = lf === -1 || lf >= headerEnd ? headerEnd : lf + 1;
    const first = head[pos]!;
    if (first !== SP && first !== HT) {
      const colon = fieldColon(head, pos, next);
      const isReturnPath = colon !== -1 && nameIs(head, pos, colon, 'return-path');
      if (isReturnPath && !inDropped) {
        ranges.push([keepStart, pos]);
        inDropped = true;
      } else if (!isReturnPath && inDropped) {
        keepStart = pos;
        inDropped = false;
      }
    }
    pos = next;
  }
  if (!inDropped) ranges.push([keepStart, headerEnd]);
  return ranges;
}
