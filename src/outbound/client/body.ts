// The DATA payload (RFC 5321 §4.5.2): every line ends in CR LF (a bare LF in a queued message becomes
// CR LF), a line starting with "." gets another ".", the message ends with CR LF if it did not, and the
// terminating ".\r\n" follows. Most messages need no change at all and are sent without a copy.

const DOT = 0x2e;
const LF = 0x0a;
const CR = 0x0d;
const EXTRA_DOT = Buffer.from('.');
const CRLF = Buffer.from('\r\n');
const END = Buffer.from('.\r\n');

/** The body as sent after DATA, including the final ".\r\n": slices of `body` and the octets inserted. */
export function dataPayload(body: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  // Unchanged octets are emitted lazily as one slice from `run` up to the next insertion point.
  let run = 0;
  let from = 0;
  // `from` is always the start of a line: check it for a leading dot, then find its end.
  while (from < body.length) {
    if (body[from] === DOT) {
      parts.push(body.subarray(run, from), EXTRA_DOT);
      run = from;
    }
    const nl = body.indexOf(LF, from);
    if (nl === -1) {
      parts.push(body.subarray(run), CRLF);
      run = from = body.length;
      break;
    }
    if (nl === 0 || body[nl - 1] !== CR) {
      parts.push(body.subarray(run, nl), CRLF);
      run = nl + 1;
    }
    from = nl + 1;
  }
  if (run < body.length) parts.push(body.subarray(run));
  parts.push(END);
  return parts.filter((p) => p.length > 0);
}
