// What a relay entry (a class R word, or the key of an access RELAY entry) covers
// (relay-and-access.md §1: host names match every subdomain, IPv4 entries are octet prefixes, IPv6
// entries group prefixes).

export type RelayEntryKind =
  /** A TLD, a one-octet IPv4 prefix (other than 127 and 10), an IPv6 prefix of fewer than 3 groups. */
  | { kind: 'broad'; why: string }
  /** 10, 172.16–172.31, 192.168, fc00::/7. */
  | { kind: 'private'; why: string }
  | { kind: 'host' }
  | { kind: 'address' };

export function classifyRelayEntry(word: string): RelayEntryKind {
  const w = word.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (w.startsWith('ipv6:')) {
    const groups = w.slice(5).split(':').filter((g) => g !== '');
    const first = groups[0] ?? '';
    if (/^f[cd][0-9a-f]{0,2}$/.test(first)) return { kind: 'private', why: 'an IPv6 unique local network (fc00::/7)' };
    if (groups.length < 3 && !w.includes('::')) return { kind: 'broad', why: `an IPv6 prefix of ${groups.length} group${groups.length === 1 ? '' : 's'}` };
    return { kind: 'address' };
  }
  if (/^\d{1,3}(\.\d{1,3}){0,3}$/.test(w)) {
    const octets = w.split('.').map(Number);
    const [a, b] = octets;
    if (a === 127) return { kind: 'address' };
    if (a === 10) return { kind: 'private', why: 'the private network 10/8' };
    if (a === 172 && b !== undefined && b >= 16 && b <= 31) return { kind: 'private', why: `the private network 172.${b}` };
    if (a === 192 && b === 168) return { kind: 'private', why: 'the private network 192.168/16' };
    if (octets.length === 1) return { kind: 'broad', why: `the one-octet prefix ${w} (${w}.0.0.0/8)` };
    return { kind: 'address' };
  }
  if (!w.includes('.') && w !== 'localhost' && w !== '') return { kind: 'broad', why: `the single-label domain ${w} (a top-level domain)` };
  return { kind: 'host' };
}
