// Incremental reader of SMTP replies (RFC 5321 §4.2): splits the byte stream into lines, checks each
// line's shape ("ddd-text" continues a reply, "ddd text" or "ddd" ends it) and reports the code of
// every complete reply. Lines are inspected in place; only a line split across two reads is copied.

const LF = 10;
const CR = 13;
const MAX_KEPT = 1024;

export interface ReplySink {
  /** A complete reply; `lines` holds its text lines only while capture is on (EHLO). */
  reply(code: number, lines: readonly string[] | undefined): void;
  /** A line that is not a reply line; the stream cannot be trusted any more. */
  malformed(line: string): void;
}

export class ReplyReader {
  /** When true, the text of each line is kept and passed with the reply (used for EHLO only). */
  capture = false;
  private readonly carry = Buffer.allocUnsafe(MAX_KEPT);
  private carryLen = 0;
  private captured: string[] = [];
  private stopped = false;

  constructor(private readonly sink: ReplySink) {}

  /** Stops delivering replies (the session gave up on this connection). */
  stop(): void {
    this.stopped = true;
  }

  reset(): void {
    this.stopped = false;
    this.carryLen = 0;
    this.captured = [];
    this.capture = false;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length && !this.stopped) {
      const lf = chunk.indexOf(LF, start);
      if (lf < 0) {
        this.keep(chunk, start, chunk.length);
        return;
      }
      if (this.carryLen > 0) {
        this.keep(chunk, start, lf + 1);
        const len = this.carryLen;
        this.carryLen = 0;
        this.line(this.carry, 0, len);
      } else {
        this.line(chunk, start, lf + 1);
      }
      start = lf + 1;
    }
  }

  private keep(chunk: Buffer, from: number, to: number): void {
    // Only the start of an over-long line is kept: the code and separator are all that matter.
    const n = Math.min(to - from, MAX_KEPT - this.carryLen);
    if (n > 0) chunk.copy(this.carry, this.carryLen, from, from + n);
    this.carryLen += n;
  }

  /** One line, buf[s, e) including its LF. */
  private line(buf: Buffer, s: number, e: number): void {
    const d0 = (buf[s] ?? 0) - 48;
    const d1 = (buf[s + 1] ?? 0) - 48;
    const d2 = (buf[s + 2] ?? 0) - 48;
    const sep = e - s > 4 ? (buf[s + 3] ?? 0) : CR;
    const ok =
      e - s >= 5 &&
      buf[e - 2] === CR &&
      d0 >= 2 && d0 <= 5 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9 &&
      (sep === 32 || sep === 45 || (sep === CR && e - s === 5));
    if (!ok) {
      this.sink.malformed(buf.toString('latin1', s, e).replace(/\r?\n$/, ''));
      return;
    }
    if (this.capture) this.captured.push(buf.toString('latin1', s + 4, e - 2));
    if (sep === 45) return;
    const code = d0 * 100 + d1 * 10 + d2;
    if (this.capture) {
      const lines = this.captured;
      this.captured = [];
      this.sink.reply(code, lines);
    } else {
      this.sink.reply(code, undefined);
    }
  }
}
