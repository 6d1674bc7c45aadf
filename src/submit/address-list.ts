// Address lists as found in To:/Cc:/Bcc: fields and in sendmail's arguments (RFC 5322 §3.4): commas
// separate, `Name <addr>` gives addr, comments and quoted strings are respected, and a group
// (`team: a, b;`, `undisclosed-recipients:;`) gives its members.

/** Removes (comments), keeping quoted strings intact. */
function stripComments(s: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      if (depth === 0) out += c + s[i + 1]!;
      i++;
      continue;
    }
    if (quoted) {
      out += c;
      if (c === '"') quoted = false;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0) {
      if (c === '"') quoted = true;
      out += c;
    }
  }
  return out;
}

/** One mailbox (`Name <addr>` or `addr`) → the address as typed, or '' for an empty element. */
function mailboxAddress(element: string): string {
  const s = stripComments(element).trim();
  let quoted = false;
  let open = -1;
  let close = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') open = i;
    else if (!quoted && c === '>' && open >= 0) close = i;
  }
  if (open >= 0 && close > open) return s.slice(open + 1, close).trim();
  return s;
}

/**
 * Splits at top-level commas, returning the elements' addresses. `groups` (header fields) also reads
 * group syntax; arguments are not read so, or `:include:/file` would look like a group.
 */
export function parseAddressList(value: string, groups = true): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let depth = 0;
  let angle = 0;
  const flush = (): void => {
    const a = mailboxAddress(cur);
    if (a !== '') out.push(a);
    cur = '';
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      cur += c + value[i + 1]!;
      i++;
      continue;
    }
    if (quoted) {
      if (c === '"') quoted = false;
      cur += c;
      continue;
    }
    if (depth > 0) {
      if (c === '(') depth++;
      else if (c === ')') depth--;
      cur += c;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === '(') depth++;
    else if (c === '<') angle++;
    else if (c === '>' && angle > 0) angle--;
    else if (angle === 0 && c === ',') {
      flush();
      continue;
    } else if (groups && angle === 0 && c === ':' && !cur.includes('@')) {
      // A group's display name: the members follow.
      cur = '';
      continue;
    } else if (groups && angle === 0 && c === ';') {
      flush();
      continue;
    }
    cur += c;
  }
  flush();
  return out;
}
