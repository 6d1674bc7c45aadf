// EightBitMode=mimefy (sendmail's mime8to7): an 8-bit message for a peer without 8BITMIME is turned into
// 7-bit MIME. Every leaf part whose body has 8-bit octets is re-encoded — text/* as quoted-printable,
// anything else as base64 — multiparts and message/rfc822 are walked into, and a message without MIME
// headers becomes `text/plain; charset=unknown-8bit` (sendmail's DefaultCharSet). Headers themselves are
// left as they are: sendmail does not encode them either. Work is on latin1 strings, one char per octet.

const CRLF = '\r\n';

interface Entity {
  /** header fields, each ending in CR LF ('' = none) */
  header: string;
  body: string;
}

function split(text: string): Entity {
  if (text.startsWith(CRLF)) return { header: '', body: text.slice(2) };
  const at = text.indexOf('\r\n\r\n');
  if (at === -1) return { header: text.endsWith(CRLF) ? text : text + CRLF, body: '' };
  return { header: text.slice(0, at + 2), body: text.slice(at + 4) };
}

function join(e: Entity): string {
  return `${e.header}${CRLF}${e.body}`;
}

function fieldPattern(name: string): RegExp {
  return new RegExp(`^${name}:[^\\r\\n]*(?:\\r\\n[ \\t][^\\r\\n]*)*\\r\\n`, 'gim');
}

/** The first field's value, unfolded, or undefined. */
function field(header: string, name: string): string | undefined {
  const m = fieldPattern(name).exec(header);
  if (m === null) return undefined;
  return m[0]
    .slice(name.length + 1)
    .replace(/\r\n/g, '')
    .trim();
}

function withField(header: string, name: string, value: string): string {
  return header.replace(fieldPattern(name), '') + `${name}: ${value}${CRLF}`;
}

function mediaType(ct: string | undefined, fallback: string): string {
  const t = ct?.split(';')[0]?.trim().toLowerCase();
  return t !== undefined && /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/.test(t) ? t : fallback;
}

function boundaryOf(ct: string): string | undefined {
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(ct);
  return m?.[1] ?? m?.[2];
}

const EIGHT_BIT = /[\x80-\xff]/;

/** Quoted-printable (RFC 2045 §6.7): hard line breaks kept, soft breaks under 76 characters. */
export function quotedPrintable(text: string): string {
  const lines = text.split(/\r?\n/);
  const trailing = lines.length > 1 && lines[lines.length - 1] === '';
  if (trailing) lines.pop();
  const out = lines.map((line) => {
    let enc = '';
    let width = 0;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      const last = i === line.length - 1;
      const literal = (c >= 33 && c <= 126 && c !== 61) || ((c === 32 || c === 9) && !last);
      const piece = literal ? line.charAt(i) : `=${c.toString(16).toUpperCase().padStart(2, '0')}`;
      if (width + piece.length > 75) {
        enc += `=${CRLF}`;
        width = 0;
      }
      enc += piece;
      width += piece.length;
    }
    return enc;
  });
  return out.join(CRLF) + (trailing ? CRLF : '');
}

function base64Lines(text: string): string {
  const b = Buffer.from(text, 'latin1').toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += 76) lines.push(b.slice(i, i + 76));
  return lines.join(CRLF);
}

function convert(e: Entity, defaultType: string): Entity {
  const ct = field(e.header, 'Content-Type');
  const type = mediaType(ct, defaultType);
  if (!EIGHT_BIT.test(e.body)) return e;
  if (type.startsWith('multipart/') && ct !== undefined) {
    const boundary = boundaryOf(ct);
    if (boundary !== undefined) return { header: sevenBitCte(e.header), body: convertMultipart(e.body, boundary, type === 'multipart/digest' ? 'message/rfc822' : 'text/plain') };
  }
  if (type === 'message/rfc822') return { header: sevenBitCte(e.header), body: convertText(e.body, 'text/plain') };
  const text = type.startsWith('text/');
  const cte = text ? 'quoted-printable' : 'base64';
  return { header: withField(e.header, 'Content-Transfer-Encoding', cte), body: text ? quotedPrintable(e.body) : base64Lines(e.body) };
}

/** An entity's text converted; untouched (not even re-joined) when it has no 8-bit octet at all. */
function convertText(text: string, defaultType: string): string {
  return EIGHT_BIT.test(text) ? join(convert(split(text), defaultType)) : text;
}

/** A composite entity's own encoding may only be 7bit once its parts are. */
function sevenBitCte(header: string): string {
  return field(header, 'Content-Transfer-Encoding') === undefined ? header : withField(header, 'Content-Transfer-Encoding', '7bit');
}

function convertMultipart(body: string, boundary: string, partType: string): string {
  // RFC 2046 §5.1.1: the CR LF before a delimiter belongs to the delimiter, not to the part before it.
  const delimiter = new RegExp(`(?:^|\\r\\n)--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(--)?[ \\t]*(?=\\r\\n|$)`, 'g');
  let out = '';
  let from = 0;
  let inPart = false;
  for (const m of body.matchAll(delimiter)) {
    const before = body.slice(from, m.index);
    out += inPart ? convertText(before, partType) : before;
    out += m[0];
    from = m.index + m[0].length;
    if (m[1] !== undefined) return out + body.slice(from);
    if (body.startsWith(CRLF, from)) {
      out += CRLF;
      from += 2;
    }
    inPart = true;
  }
  // No closing delimiter: what follows the last one is still a part.
  return out + (inPart ? convertText(body.slice(from), partType) : body.slice(from));
}

/**
 * The message as 7-bit MIME, or the same buffer when its body has no 8-bit octets (8-bit in headers
 * alone cannot be fixed here and goes as it is).
 */
export function mimefy(message: Buffer): Buffer {
  const text = message.toString('latin1');
  const e = split(text);
  if (!EIGHT_BIT.test(e.body)) return message;
  let header = e.header;
  if (field(header, 'MIME-Version') === undefined) {
    header = withField(header, 'MIME-Version', '1.0');
    if (field(header, 'Content-Type') === undefined) header = withField(header, 'Content-Type', 'text/plain; charset=unknown-8bit');
  }
  return Buffer.from(join(convert({ header, body: e.body }, 'text/plain')), 'latin1');
}
