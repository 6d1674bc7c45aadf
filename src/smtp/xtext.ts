// xtext (RFC 3461 §4): the encoding of ENVID, ORCPT and AUTH= values. Validation follows sendmail's
// xtextok(): printable ASCII except `+` and `=`, and `+` followed by two hex digits (either case).

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** The decoded text, or undefined when `text` is not valid xtext. Escapes decode to single octets. */
export function decodeXtext(text: string): string | undefined {
  let out: string | undefined;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2b /* + */) {
      const hi = hexValue(text.charCodeAt(i + 1));
      const lo = hexValue(text.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return undefined;
      out = (out ?? '') + text.slice(from, i) + String.fromCharCode(hi * 16 + lo);
      i += 2;
      from = i + 1;
    } else if (c < 0x21 || c > 0x7e || c === 0x3d /* = */) {
      return undefined;
    }
  }
  return out === undefined ? text : out + text.slice(from);
}

export function isXtext(text: string): boolean {
  return decodeXtext(text) !== undefined;
}

const HEX = '0123456789ABCDEF';

/** Encodes octets (one per character, values above 0xFF are taken as UTF-8) as xtext. */
export function encodeXtext(text: string): string {
  const bytes = Buffer.from(text, /[^\x00-\xff]/.test(text) ? 'utf8' : 'latin1');
  let out = '';
  for (const b of bytes) {
    out += b < 0x21 || b > 0x7e || b === 0x2b || b === 0x3d ? `+${HEX[b >> 4]}${HEX[b & 15]}` : String.fromCharCode(b);
  }
  return out;
}
