// Reads the message text after 354 (smtp-session.md §8.2, §3.1): finds the one true end marker
// CR LF . CR LF (the first CR LF may be the one that ended DATA), removes one leading dot from stuffed
// lines, and stops at the first bare LF or bare CR, so no other byte sequence can end a message
// (CVE-2023-51765 / 51764). The text is kept as slices of the socket's chunks: nothing is copied on
// the way in except a two-octet carry when a chunk ends right after a line-leading dot.

import { isAscii } from 'node:buffer';

const CR = 13;
const LF = 10;
const DOT = 46;
const NUL = 0;

export type DataScan =
  | { kind: 'more' }
  /** The end marker was read; `next` is the first octet after it (pipelined commands). */
  | { kind: 'end'; next: number }
  | { kind: 'bareLF' }
  | { kind: 'bareCR' };

const MORE: DataScan = { kind: 'more' };
const BARE_LF: DataScan = { kind: 'bareLF' };
const BARE_CR: DataScan = { kind: 'bareCR' };

export class DataReader {
  /** The unstuffed message, CR LF line ends, as received. Emptied once the size limit is passed. */
  readonly parts: Buffer[] = [];
  /** Octets stored in `parts` (before the limit was passed). */
  stored = 0;
  /** Size as sendmail counts it: unstuffed octets with each CR LF counted as one. */
  size = 0;
  hasNul = false;
  eightBit = false;
  /** The message passed `maxSize`; the rest is read and dropped. */
  overflow = false;

  private atLineStart = true;
  private lastWasCR = false;
  private carry: Buffer | null = null;

  constructor(private readonly maxSize: number) {}

  feed(chunk: Buffer, pos: number): DataScan {
    let buf = chunk;
    let p = pos;
    let carried = 0;
    if (this.carry !== null) {
      carried = this.carry.length;
      buf = Buffer.concat([this.carry, chunk.subarray(pos)]);
      p = 0;
      this.carry = null;
    }
    const len = buf.length;
    if (this.lastWasCR && p < len && buf[p] !== LF) return BARE_CR;
    let run = p;
    while (p < len) {
      if (this.atLineStart) {
        if (buf[p] === DOT) {
          if (p + 2 >= len) {
            // Not enough octets to tell the end marker from a stuffed dot: keep them for the next chunk.
            this.keep(buf, run, p);
            this.carry = Buffer.from(buf.subarray(p));
            this.lastWasCR = false;
            return MORE;
          }
          if (buf[p + 1] === CR && buf[p + 2] === LF) {
            this.keep(buf, run, p);
            const next = p + 3;
            return { kind: 'end', next: buf === chunk ? next : pos + next - carried };
          }
          this.keep(buf, run, p);
          run = p + 1;
        }
        this.atLineStart = false;
      }
      const lf = buf.indexOf(LF, p);
      const end = lf === -1 ? len : lf;
      const cr = buf.indexOf(CR, p);
      if (cr !== -1 && cr + 1 < end) return BARE_CR;
      if (lf === -1) {
        this.lastWasCR = buf[len - 1] === CR;
        p = len;
        break;
      }
      // The octet before this LF may have come in the previous chunk.
      const crBefore = lf === 0 ? this.lastWasCR : buf[lf - 1] === CR;
      if (!crBefore) return BARE_LF;
      this.lastWasCR = false;
      this.size -= 1;
      p = lf + 1;
      this.atLineStart = true;
    }
    this.keep(buf, run, p);
    return MORE;
  }

  private keep(buf: Buffer, from: number, to: number): void {
    if (to <= from) return;
    const part = buf.subarray(from, to);
    this.size += to - from;
    if (!this.hasNul && part.indexOf(NUL) !== -1) this.hasNul = true;
    if (!this.eightBit && !isAscii(part)) this.eightBit = true;
    if (this.overflow) return;
    if (this.size > this.maxSize && this.maxSize > 0) {
      this.overflow = true;
      this.parts.length = 0;
      this.stored = 0;
      return;
    }
    this.parts.push(part);
    this.stored += part.length;
  }
}
