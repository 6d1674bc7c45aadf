// How one recipient is named in a report: the typed Final-Recipient value of RFC 3464 §2.3.2
// (`RFC822; bob@example.com`, `X-Unix; |/usr/bin/vacation bob`), and the short form the
// human-readable part lists (`<bob@example.com>`, `|/usr/bin/vacation bob`).

import { localPart, oneLine, qualify } from './text.js';
import type { DsnAction, DsnRecipient } from './types.js';

const TYPED = /^([A-Za-z0-9-]+)\s*;\s*(.*)$/s;

export interface TypedAddress {
  type: 'RFC822' | 'X-Unix' | string;
  value: string;
}

/** Splits an already typed value; types a bare one: files and programs are X-Unix, the rest RFC822. */
export function typedFinal(final: string): TypedAddress {
  const v = oneLine(final);
  // A file or program never starts with a type word, so `|cmd;x` or `/a;b` stay whole.
  const m = v.startsWith('|') || v.startsWith('/') ? null : TYPED.exec(v);
  if (m) {
    const t = m[1]!.toLowerCase();
    const type = t === 'rfc822' ? 'RFC822' : t === 'x-unix' ? 'X-Unix' : m[1]!;
    return { type, value: m[2]! };
  }
  return { type: v.startsWith('|') || v.startsWith('/') ? 'X-Unix' : 'RFC822', value: v };
}

/** The line that names the recipient in the human-readable part. */
export function displayName(r: DsnRecipient): string {
  const t = typedFinal(r.final);
  return t.type === 'RFC822' ? `<${t.value}>` : t.value;
}

/** X-Actual-Recipient value, when the delivery went to a different (local) address than the final one. */
export function actualRecipient(r: DsnRecipient, j: string): string | undefined {
  if (r.actual === undefined || r.actual === '') return undefined;
  const bare = oneLine(r.actual);
  const t = typedFinal(r.final);
  if (t.type === 'RFC822') {
    const final = t.value.toLowerCase();
    // The same mailbox named twice is no news: bob@example.com delivered to the local user bob.
    if (final === bare.toLowerCase()) return undefined;
    if (!bare.includes('@') && localPart(final) === bare.toLowerCase()) return undefined;
  }
  return `RFC822; ${qualify(bare, j)}`;
}

const DEFAULT_STATUS: Record<DsnAction, string> = {
  failed: '5.0.0',
  delayed: '4.0.0',
  delivered: '2.0.0',
  relayed: '2.0.0',
  expanded: '2.0.0',
};

/** The enhanced status, or the action's default if what was recorded is not of the form d.d.d. */
export function statusCode(r: DsnRecipient): string {
  return /^[245]\.\d{1,3}\.\d{1,3}$/.test(r.status) ? r.status : DEFAULT_STATUS[r.action];
}

/** Remote-MTA host without the trailing root dot (sendmail drops it too). */
export function remoteHost(r: DsnRecipient): string | undefined {
  if (r.remoteMta === undefined) return undefined;
  const h = oneLine(r.remoteMta).replace(/\.$/, '');
  return h === '' ? undefined : h;
}
