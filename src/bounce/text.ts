// Small text rules every part of a report follows: values from the outside (remote replies, addresses,
// ENVID) become one line without control characters, so nothing can end a header field or a MIME part
// early; lines stay far below RFC 5322's 998 octets (sendmail cuts its DSN values at 800 as well).

const MAX_VALUE = 800;

/**
 * One line: line breaks (with the blanks around them) are unfolded to one space, a TAB becomes a
 * space, other controls `?`; cut to `max` characters.
 */
export function oneLine(value: string, max = MAX_VALUE): string {
  let out = '';
  for (const ch of value.replace(/[ \t]*[\r\n]+[ \t]*/g, ' ')) {
    const c = ch.codePointAt(0)!;
    if (c === 0x09) out += ' ';
    else if (c < 0x20 || c === 0x7f) out += '?';
    else out += ch;
  }
  out = out.trim();
  const chars = [...out];
  return chars.length > max ? chars.slice(0, max).join('') : out;
}

/** An address with a domain: a bare local part (`postmaster`) is qualified with `@<j>`. */
export function qualify(address: string, j: string): string {
  return address.includes('@') ? address : `${address}@${j}`;
}

/** The local part of an address (everything before the last `@`). */
export function localPart(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : address.slice(0, at);
}

export function hasEightBit(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! > 0x7f) return true;
  return false;
}

export function isEightBitText(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return true;
  return false;
}
