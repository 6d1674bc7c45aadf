// Splits the client's octets into command lines with smuggling-safe line discipline
// (smtp-session.md §3.1–§3.2): CR LF is the only line end; a bare LF or a bare CR anywhere in a command
// line is a protocol violation, never a line end; a line longer than the limit is an attack.
// The check runs on raw octets before any other parsing.

const CR = 13;
const LF = 10;
const NUL = 0;

export type CommandScan =
  | { kind: 'line'; line: string; hasNul: boolean; next: number }
  | { kind: 'more' }
  | { kind: 'bareLF' }
  | { kind: 'bareCR' }
  | { kind: 'tooLong' };

const MORE: CommandScan = { kind: 'more' };
const BARE_LF: CommandScan = { kind: 'bareLF' };
const BARE_CR: CommandScan = { kind: 'bareCR' };
const TOO_LONG: CommandScan = { kind: 'tooLong' };

/** Command lines are latin1-decoded so that every octet stays one character (echo sanitising counts
 *  octets); SMTPUTF8 addresses are re-decoded as UTF-8 where they are accepted. */
export class CommandReader {
  private partial: Buffer | null = null;

  /**
   * @param limit longest line allowed, CR LF included
   * @param longLimit longer limit for lines the caller allows it for (AUTH), decided on the line's start
   */
  constructor(
    public limit: number,
    public longLimit: number,
    private readonly allowsLong: (start: Buffer) => boolean,
  ) {}

  /** True while a line has started but not ended. */
  get midLine(): boolean {
    return this.partial !== null;
  }

  reset(): void {
    this.partial = null;
  }

  /**
   * Reads the next line of `buf` from `pos`. On 'more' the rest of `buf` has been kept and the caller
   * should come back with the next chunk at position 0.
   */
  next(chunk: Buffer, pos: number): CommandScan {
    let buf = chunk;
    let start = pos;
    if (this.partial !== null) {
      buf = Buffer.concat([this.partial, chunk.subarray(pos)]);
      start = 0;
      this.partial = null;
    }
    const len = buf.length;
    const lf = buf.indexOf(LF, start);
    const end = lf === -1 ? len : lf;
    // A CR is legal only as the octet right before LF; the last octet of an unfinished line may
    // still be followed by LF in the next chunk.
    const cr = buf.indexOf(CR, start);
    if (cr !== -1 && cr + 1 < end) return BARE_CR;
    if (lf === -1) {
      const have = len - start;
      if (have + 1 > this.limitFor(buf, start, have)) return TOO_LONG;
      this.partial = Buffer.from(buf.subarray(start));
      return MORE;
    }
    if (lf === start || buf[lf - 1] !== CR) return BARE_LF;
    const lineLen = lf - 1 - start;
    if (lineLen + 2 > this.limitFor(buf, start, lineLen)) return TOO_LONG;
    const nul = buf.indexOf(NUL, start);
    const hasNul = nul !== -1 && nul < lf;
    const line = buf.toString('latin1', start, lf - 1);
    if (buf !== chunk) {
      // We worked on a joined copy: translate the position back into the caller's chunk.
      return { kind: 'line', line, hasNul, next: pos + (lf + 1 - (buf.length - (chunk.length - pos))) };
    }
    return { kind: 'line', line, hasNul, next: lf + 1 };
  }

  private limitFor(buf: Buffer, start: number, have: number): number {
    if (have + 2 <= this.limit) return this.limit;
    return this.allowsLong(buf.subarray(start, start + Math.min(have, 16))) ? this.longLimit : this.limit;
  }
}
