// /etc/hosts, consulted before DNS for host names and loopback PTRs (config-formats.md §5.2 DnsServers).

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

export interface HostsTable {
  /** address → first name listed for it (the canonical name) */
  byAddress: Map<string, string>;
  /** lower-cased name → addresses */
  byName: Map<string, string[]>;
}

export function parseHosts(text: string): HostsTable {
  const byAddress = new Map<string, string>();
  const byName = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [addr, ...names] = line.split(/\s+/);
    if (addr === undefined || isIP(addr) === 0 || names.length === 0) continue;
    const first = names[0];
    if (first !== undefined && !byAddress.has(addr)) byAddress.set(addr, first);
    for (const n of names) {
      const key = n.toLowerCase();
      const list = byName.get(key);
      if (list === undefined) byName.set(key, [addr]);
      else if (!list.includes(addr)) list.push(addr);
    }
  }
  return { byAddress, byName };
}

export function loadHosts(path = '/etc/hosts'): HostsTable {
  try {
    return parseHosts(readFileSync(path, 'utf8'));
  } catch {
    return { byAddress: new Map(), byName: new Map() };
  }
}
