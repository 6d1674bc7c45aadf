// What the policy needs from the access map (relay-and-access.md §2): the four lookup procedures, each
// answering a found action, nothing, or "temporary failure" (the map could not be consulted, which must
// never turn into an acceptance). The map itself lives in src/maps/access*.ts.

export type AccessAction =
  | { kind: 'OK' }
  | { kind: 'RELAY' }
  | { kind: 'REJECT' }
  | { kind: 'DISCARD' }
  | { kind: 'QUARANTINE'; reason: string }
  | { kind: 'ERROR'; code: number; enh?: string; text: string }
  | { kind: 'FRIEND' }
  | { kind: 'HATER' }
  | { kind: 'NUMBER'; value: number };

export type AccessTag = 'Connect' | 'From' | 'To' | 'Spam' | 'GreetPause' | 'ClientRate' | 'ClientConn';

export interface AccessHit {
  key: string;
  action: AccessAction;
}

/** undefined: not found (SKIP included); 'temp': the map cannot be read right now. */
export type AccessAnswer = AccessHit | undefined | 'temp';

export interface AccessView {
  /** Domain lookup (host names from most to least specific; `exact` for relay_hosts_only relay lookups). */
  domain(tag: AccessTag, name: string, opts?: { exact?: boolean }): AccessAnswer;
  /** Address lookup of a ${client_addr} value, by octet (IPv4) or group (IPv6) prefixes. */
  address(tag: AccessTag, clientAddr: string): AccessAnswer;
  /** Full lookup `user@domain` (with the +detail forms). */
  full(tag: AccessTag, user: string, domain: string): AccessAnswer;
  /** User lookup `user@` (with the +detail forms). */
  user(tag: AccessTag, user: string): AccessAnswer;
  /** One exact key with its tag, no fallbacks (`ClientRate:` with an empty key is the default entry). */
  exact(tag: AccessTag, key: string): AccessAnswer;
}

/** No access map (FEATURE(access_db) off, or no source file). */
export const NO_ACCESS: AccessView = {
  domain: () => undefined,
  address: () => undefined,
  full: () => undefined,
  user: () => undefined,
  exact: () => undefined,
};
