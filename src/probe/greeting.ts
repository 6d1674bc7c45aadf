// What the greeting line tells (audit-and-probe.md §3.1, §3.2): a disclosed software version, and the
// default --domain (the first word with its first label removed).

/** The greeting's text after the code: `220 mx.example.com ESMTP ...` → `mx.example.com ESMTP ...`. */
function textOf(line: string): string {
  return line.replace(/^\d{3}[ -]?/, '');
}

// §3.2: `\d+\.\d+(\.\d+)+`, `Sendmail \S+/`, `Postfix \d`, `Exim \d`; each matched as far as the token goes so
// that the message can quote it whole (`Sendmail 8.17.1.9/8.17.1.9`).
const VERSION_PATTERNS: readonly RegExp[] = [/Sendmail [^\s;/]+\/[^\s;]*/, /Postfix \d[^\s;)]*/, /Exim \d[^\s;)]*/, /\d+\.\d+(?:\.\d+)+/];

/**
 * The first version-like token of the greeting, or undefined. Address literals (`[192.0.2.1]`) are left
 * out: a dotted quad is an address, not a version.
 */
export function versionToken(lines: readonly string[]): string | undefined {
  const text = lines.map(textOf).join('\n').replace(/\[[^\]]*\]/g, ' ');
  for (const re of VERSION_PATTERNS) {
    const m = re.exec(text);
    if (m !== null) return m[0];
  }
  return undefined;
}

/** The server's name: the first word of the greeting (RFC 5321 §4.3.1). */
export function greetingName(lines: readonly string[]): string {
  return (textOf(lines[0] ?? '').trim().split(/\s+/)[0] ?? '').replace(/\.$/, '');
}

/** `mx.example.com` → `example.com`; a name that would be left with one label is kept whole. */
export function domainFromName(name: string): string {
  if (name.startsWith('[')) return name;
  const rest = name.split('.').slice(1);
  return rest.length >= 2 ? rest.join('.') : name;
}
