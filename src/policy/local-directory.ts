// The view of local recipients the SMTP session needs at RCPT, VRFY and EXPN time: which domains are
// ours (class w) and which local parts exist (users and alias keys). Alias expansion for delivery is
// not here; EXPN expands aliases only and never reads .forward or :include: files.

export interface LocalUserInfo {
  name: string;
  /** Full name from GECOS, when known. */
  fullName?: string;
}

export interface AliasError {
  code: number;
  enh?: string;
  text: string;
}

export type LocalLookup =
  | { kind: 'user'; user: LocalUserInfo }
  | { kind: 'alias'; name: string }
  | { kind: 'error'; error: AliasError }
  | { kind: 'unknown' }
  /** The directory could not be consulted (e.g. alias file unreadable after a reload): accept and queue. */
  | { kind: 'tempfail' };

export interface ExpandedAddress {
  address: string;
  fullName?: string;
  local: boolean;
}

export interface LocalDirectory {
  /** Class w membership: exact, case-insensitive, trailing dot ignored. */
  isLocalDomain(domain: string): boolean;
  lookup(localPart: string): LocalLookup;
  /** EXPN: final addresses of an alias expansion (aliases only), duplicates removed; undefined if unknown. */
  expand(localPart: string): ExpandedAddress[] | undefined;
}
