// The LocalDirectory the SMTP session consults (policy/local-directory.ts), built from class w, the alias
// files and the user table. Immutable: a reload builds a new one and swaps it in whole.

import type { AliasEntry } from './aliases.js';
import type { UserTable } from './users.js';
import type { ExpandedAddress, LocalDirectory, LocalLookup } from '../policy/local-directory.js';

/** MaxAliasRecursion default; EXPN stops at this depth like delivery does. */
const MAX_DEPTH = 10;

export function normaliseDomain(d: string): string {
  const lower = d.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

export class StaticLocalDirectory implements LocalDirectory {
  private readonly domains: ReadonlySet<string>;

  constructor(
    localDomains: Iterable<string>,
    private readonly aliases: ReadonlyMap<string, AliasEntry>,
    private readonly users: UserTable,
    private readonly maxDepth = MAX_DEPTH,
  ) {
    this.domains = new Set([...localDomains].map(normaliseDomain));
  }

  isLocalDomain(domain: string): boolean {
    return this.domains.has(normaliseDomain(domain));
  }

  get localDomains(): ReadonlySet<string> {
    return this.domains;
  }

  lookup(localPart: string): LocalLookup {
    const name = localPart.toLowerCase();
    const alias = this.aliases.get(name);
    if (alias !== undefined) {
      const only = alias.elements.length === 1 ? alias.elements[0] : undefined;
      if (only !== undefined && only.kind === 'error') {
        return { kind: 'error', error: { code: only.code, ...(only.enh !== undefined ? { enh: only.enh } : {}), text: only.text } };
      }
      return { kind: 'alias', name };
    }
    const user = this.users.lookupUser(name);
    if (user !== undefined) {
      return { kind: 'user', user: { name: user.name, ...(user.gecos !== '' ? { fullName: user.gecos } : {}) } };
    }
    // RFC 5321 §4.5.1: postmaster is always a valid recipient, whatever the alias file says.
    if (name === 'postmaster') return { kind: 'alias', name };
    return { kind: 'unknown' };
  }

  expand(localPart: string): ExpandedAddress[] | undefined {
    const name = localPart.toLowerCase();
    if (!this.aliases.has(name)) {
      const user = this.users.lookupUser(name);
      if (user === undefined) return undefined;
      return [{ address: user.name, local: true, ...(user.gecos !== '' ? { fullName: user.gecos } : {}) }];
    }
    const out: ExpandedAddress[] = [];
    const seen = new Set<string>();
    const add = (e: ExpandedAddress): void => {
      const key = `${e.local ? 'l' : 'r'}:${e.address.toLowerCase()}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push(e);
    };
    const walk = (n: string, depth: number, stack: Set<string>): void => {
      const entry = this.aliases.get(n);
      if (entry === undefined || depth > this.maxDepth || stack.has(n)) return;
      stack.add(n);
      for (const el of entry.elements) {
        switch (el.kind) {
          case 'local': {
            const u = el.user.toLowerCase();
            if (this.aliases.has(u) && !stack.has(u)) walk(u, depth + 1, stack);
            else this.addUser(u, add);
            break;
          }
          case 'user':
            this.addUser(el.user.toLowerCase(), add);
            break;
          case 'remote':
            add({ address: el.address, local: false });
            break;
          // Programs, files and :include: lists are shown as written; an :include: file is never read
          // for EXPN, so its members are not revealed.
          case 'file':
          case 'program':
          case 'include':
            add({ address: el.raw, local: false });
            break;
          case 'error':
            break;
        }
      }
      stack.delete(n);
    };
    walk(name, 0, new Set());
    return out;
  }

  private addUser(name: string, add: (e: ExpandedAddress) => void): void {
    const user = this.users.lookupUser(name);
    add({ address: user?.name ?? name, local: true, ...(user !== undefined && user.gecos !== '' ? { fullName: user.gecos } : {}) });
  }
}
