// The header of a submitted message as a list of fields (name and raw lines), so fields can be looked
// at, removed (Bcc:) and added without touching the bytes of the others.

export interface HeaderField {
  /** the name as written */
  name: string;
  /** the whole field, continuation lines included, with its CR LF line ends */
  raw: Buffer;
}

export interface SplitMessage {
  fields: HeaderField[];
  /** everything after the header: the empty separator line and the body ('' when there is none) */
  rest: Buffer;
}

const FIELD_NAME = /^([!-9;-~]+)[ \t]*:/;

/** Splits CR LF text into its header fields and the rest. A first line that is no field starts the body. */
export function splitMessage(data: Buffer): SplitMessage {
  const fields: HeaderField[] = [];
  let pos = 0;
  while (pos < data.length) {
    const eol = data.indexOf('\r\n', pos, 'latin1');
    const end = eol === -1 ? data.length : eol + 2;
    const line = data.subarray(pos, eol === -1 ? data.length : eol).toString('latin1');
    const cont = line.length > 0 && (line[0] === ' ' || line[0] === '\t');
    if (cont && fields.length > 0) {
      const last = fields[fields.length - 1]!;
      last.raw = Buffer.concat([last.raw, data.subarray(pos, end)]);
      pos = end;
      continue;
    }
    const m = FIELD_NAME.exec(line);
    if (m === null) break;
    fields.push({ name: m[1]!, raw: Buffer.from(data.subarray(pos, end)) });
    pos = end;
  }
  let rest = data.subarray(pos);
  // A body that does not start with the empty line (no header at all, or a line that is no field)
  // gets one, so the stored message keeps header and body apart.
  if (rest.length > 0 && !rest.subarray(0, 2).equals(Buffer.from('\r\n'))) rest = Buffer.concat([Buffer.from('\r\n'), rest]);
  return { fields, rest };
}

/** The unfolded value of a field (after the colon, without the line ends). */
export function fieldValue(f: HeaderField): string {
  const text = f.raw.toString('latin1');
  const colon = text.indexOf(':');
  return text
    .slice(colon + 1)
    .replace(/\r\n(?=[ \t])/g, '')
    .replace(/\r\n$/, '')
    .trim();
}

export function hasField(fields: readonly HeaderField[], name: string): boolean {
  const lower = name.toLowerCase();
  return fields.some((f) => f.name.toLowerCase() === lower);
}

export function fieldsNamed(fields: readonly HeaderField[], names: readonly string[]): HeaderField[] {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  return fields.filter((f) => wanted.has(f.name.toLowerCase()));
}

export function newField(name: string, value: string): HeaderField {
  return { name, raw: Buffer.from(`${name}: ${value}\r\n`, 'latin1') };
}
