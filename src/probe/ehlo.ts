// Reading an EHLO reply: the extension keywords and what they give away (audit-and-probe.md §3.2:
// ehlo-facts, starttls-missing, auth-cleartext).

import type { Reply } from './reply.js';

/** The extension lines after the greeting line, as the server wrote them (`SIZE 26214400`, `AUTH PLAIN`). */
export function extensions(r: Reply): string[] {
  return r.lines.slice(1).map((l) => l.slice(4).trim());
}

export function offers(exts: readonly string[], keyword: string): boolean {
  const k = keyword.toUpperCase();
  return exts.some((e) => e.toUpperCase().split(/[\s=]/)[0] === k);
}

/** SASL mechanisms from `AUTH ...` lines (and the old `AUTH=...` form some servers still send). */
export function authMechanisms(exts: readonly string[]): string[] {
  const out: string[] = [];
  for (const e of exts) {
    const m = /^AUTH[\s=](.*)$/i.exec(e);
    if (m === null) continue;
    for (const mech of m[1]!.trim().split(/\s+/)) {
      const u = mech.toUpperCase();
      if (u !== '' && !out.includes(u)) out.push(u);
    }
  }
  return out;
}

/** Mechanisms that carry the password in clear without TLS. */
export function cleartextMechanisms(exts: readonly string[]): string[] {
  return authMechanisms(exts).filter((m) => m === 'PLAIN' || m === 'LOGIN');
}
