// What a DNS answer looks like to the rest of Postern, and the small interfaces policy code asks for.
// Policy functions take one of these interfaces rather than the resolver class, so each says exactly
// which lookups it makes; `DnsResolver` implements them all.
//
// A failure keeps the DNS outcome apart (relay-and-access.md §6 step 3): NXDOMAIN and NOERROR without
// data mean the name or record does not exist ("none"); SERVFAIL, REFUSED, no answer within the
// configured time and anything unexpected are temporary ("temp"). Only a definite answer is "none":
// policy must never treat a temporary failure as non-existence.

export type DnsFailureStatus =
  /** NXDOMAIN: the name does not exist */
  | 'nxdomain'
  /** NOERROR without records of the asked type */
  | 'nodata'
  /** a name that cannot exist (empty label, too long, control characters); never sent */
  | 'badname'
  | 'servfail'
  | 'refused'
  /** no answer within Timeout.resolver.retrans × retry */
  | 'timeout'
  /** anything else: unreachable server, malformed answer, NOTIMP, cancelled */
  | 'error';

export interface DnsFailure {
  ok: false;
  kind: 'none' | 'temp';
  status: DnsFailureStatus;
  /** the resolver's error code (ENOTFOUND, ESERVFAIL...), for logs */
  code: string;
}

export type Lookup<T> = { ok: true; value: T } | DnsFailure;

/** An answer with its time to live in seconds (the smallest TTL of the records). */
export type TtlLookup<T> = { ok: true; value: T; ttl: number } | DnsFailure;

export interface MxRecord {
  preference: number;
  /** lower case, without the trailing dot; '' for the null MX `.` (RFC 7505) */
  exchange: string;
}

export interface QueryOptions {
  /** resolver tries for this query (EDNSBL_TO for enhdnsbl lists); default Timeout.resolver.retry */
  tries?: number;
}

export interface MxResolver {
  /** MX records sorted by preference. */
  mx(domain: string): Promise<Lookup<MxRecord[]>>;
}

export interface AddressResolver {
  /** A and AAAA addresses (hosts file first); 'none' only when both are definitely empty. */
  addresses(name: string): Promise<Lookup<string[]>>;
}

export interface ReverseResolver {
  /** PTR names of an address (hosts file first). */
  reverse(ip: string): Promise<Lookup<string[]>>;
}

export interface BlocklistResolver {
  /** A records from DNS only (never the hosts file), with their TTL. */
  a(name: string, opts?: QueryOptions): Promise<TtlLookup<string[]>>;
}

/** Everything the DNS-based policy checks use. */
export interface PolicyResolver extends MxResolver, AddressResolver, ReverseResolver, BlocklistResolver {
  /** AAAA records from DNS only, with their TTL. */
  aaaa(name: string, opts?: QueryOptions): Promise<TtlLookup<string[]>>;
}

/** The exchanges of an MX set that are real hosts (the null MX `.` left out). */
export function mxHosts(records: readonly MxRecord[]): string[] {
  return records.filter((r) => r.exchange !== '').map((r) => r.exchange);
}

/** RFC 7505: the domain publishes MX records and none of them names a host. */
export function isNullMx(records: readonly MxRecord[]): boolean {
  return records.length > 0 && mxHosts(records).length === 0;
}
