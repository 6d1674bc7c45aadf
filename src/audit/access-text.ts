// The access map text source as makemap reads it (relay-and-access.md §2): one `key value` per line,
// blank lines and `#` lines ignored, keys folded to lower case. Only as much as the audit needs: the
// tag, the key and the value of each entry, with its line.

/** Tags of sendmail 8.17's access map; anything else before a colon is part of an untagged key. */
const TAGS = [
  'connect',
  'from',
  'to',
  'spam',
  'greetpause',
  'clientrate',
  'clientconn',
  'tls_clt',
  'tls_srv',
  'tls_rcpt',
  'try_tls',
  'srv_features',
  'clt_features',
  'qgrp',
  'compat',
  'authinfo',
];

export interface AccessEntry {
  /** Lower-case tag without the colon (`connect`), or undefined for an untagged key. */
  tag?: string;
  /** The key without its tag, lower case. */
  key: string;
  value: string;
  line: number;
}

export function parseAccessText(text: string): AccessEntry[] {
  const out: AccessEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '' || l.trimStart().startsWith('#')) continue;
    const m = /^\s*(\S+)\s*(.*)$/.exec(l);
    if (m === null) continue;
    const fullKey = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    const colon = fullKey.indexOf(':');
    const tag = colon > 0 ? fullKey.slice(0, colon) : undefined;
    if (tag !== undefined && TAGS.includes(tag)) out.push({ tag, key: fullKey.slice(colon + 1), value, line: i + 1 });
    else out.push({ key: fullKey, value, line: i + 1 });
  }
  return out;
}

/** The tag as written for messages (`Connect:`), or `untagged`. */
export function tagText(e: AccessEntry): string {
  if (e.tag === undefined) return '';
  const canonical: Record<string, string> = { greetpause: 'GreetPause', clientrate: 'ClientRate', clientconn: 'ClientConn', tls_clt: 'TLS_Clt', tls_srv: 'TLS_Srv', tls_rcpt: 'TLS_Rcpt', try_tls: 'Try_TLS', srv_features: 'Srv_Features', clt_features: 'Clt_Features', qgrp: 'QGRP', authinfo: 'AuthInfo' };
  return `${canonical[e.tag] ?? e.tag[0]!.toUpperCase() + e.tag.slice(1)}:`;
}
