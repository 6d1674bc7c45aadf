// Sanitising text that came from the client or from DNS before it goes back on the wire or into a header
// (smtp-session.md §1 rules 4 and 5). Strings here hold one octet per character (command lines are
// decoded as latin1); a character above 0xFF counts as one non-printable unit.

const ECHO_MAX = 100;
const ECHO_KEEP = 97;

function isPrintableAscii(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

function isControl(c: number): boolean {
  return c < 0x20 || c === 0x7f;
}

function replaceWhere(text: string, bad: (c: number) => boolean): string {
  let i = 0;
  // Fast path: most text is clean, and then no new string is built.
  while (i < text.length && !bad(text.charCodeAt(i))) i++;
  if (i === text.length) return text;
  let out = text.slice(0, i);
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += bad(c) ? '?' : text[i];
  }
  return out;
}

/**
 * Rule 4: text echoed back to the client. Every character outside printable ASCII becomes `?`; text
 * longer than 100 characters is cut to its first 97 followed by `...`.
 */
export function sanitizeEcho(text: string): string {
  const cut = text.length > ECHO_MAX ? `${text.slice(0, ECHO_KEEP)}...` : text;
  return replaceWhere(cut, (c) => !isPrintableAscii(c));
}

/** Rule 5: values expanded into replies or headers ($_, $s, ${client_name}): controls become `?`. */
export function sanitizeValue(text: string): string {
  return replaceWhere(text, isControl);
}

/** True when the text holds a control character (below 0x20, or 0x7F). */
export function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return true;
  return false;
}

/** True when the text holds a character above 0x7F. */
export function hasNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return true;
  return false;
}

/**
 * Length in octets: one per character for latin1-decoded text; if the text holds characters above 0xFF
 * it was decoded as UTF-8, and its UTF-8 length is the octet count.
 */
export function octetLength(text: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) return Buffer.byteLength(text, 'utf8');
  }
  return text.length;
}
