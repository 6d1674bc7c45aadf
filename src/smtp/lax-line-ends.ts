// StrictCRLF=False (smtp-session.md §3.1): a bare LF or a bare CR becomes a single space before the line
// readers see it, so it is never a line end (like sendmail 8.18's g2/u2). A CR that ends a chunk is held
// back until the next chunk shows whether an LF follows it; nothing can complete a line without that LF,
// so holding it delays nothing.

const CR = 13;
const LF = 10;
const SP = 32;
const HELD_CR = Buffer.from([CR]);

export class LaxLineEnds {
  private heldCR = false;

  /** The chunk with bare CRs and LFs replaced by spaces (in place; the chunk is the caller's to give). */
  relax(chunk: Buffer): Buffer {
    let buf = this.heldCR ? Buffer.concat([HELD_CR, chunk]) : chunk;
    this.heldCR = false;
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i];
      if (c === LF) {
        if (i === 0 || buf[i - 1] !== CR) buf[i] = SP;
      } else if (c === CR) {
        if (i + 1 === buf.length) {
          this.heldCR = true;
          buf = buf.subarray(0, i);
          break;
        }
        if (buf[i + 1] !== LF) buf[i] = SP;
      }
    }
    return buf;
  }
}
