// What outbound routing decides for one recipient domain: the next hops to try in order, a local
// delivery (mailertable `local:`), or a failure (temporary or permanent) with the status a DSN shows.

import type { NextHop } from '../client/types.js';
import type { StatusText } from '../../route/types.js';

export type { NextHop };

/** The TLS policy of one hop: opportunistic STARTTLS, verified STARTTLS required, or no STARTTLS. */
export type TlsPolicy = NextHop['tls'];

export type RouteDecision =
  /** Relay to these hops, in order; `via` says how they were found (log: relay=..., mailertable, smart host). */
  | { kind: 'hops'; hops: NextHop[]; via: 'mx' | 'implicit-mx' | 'smart-host' | 'mailertable' }
  /** mailertable `local:user` (or `local:` alone: the recipient's own local part). */
  | { kind: 'local'; user: string }
  | { kind: 'temp'; status: StatusText }
  | { kind: 'perm'; status: StatusText };

/** One relay target as written in SMART_HOST or a mailertable value: `[host]` skips the MX lookup. */
export interface RelayTarget {
  host: string;
  /** Written in brackets: connect to the host's own addresses, no MX lookup. */
  literal: boolean;
  port?: number;
}

/** A parsed SMART_HOST or mailertable value. */
export type RouteSpec =
  | { kind: 'relay'; mailer: string; targets: RelayTarget[] }
  | { kind: 'local'; user: string }
  | { kind: 'error'; status: StatusText };
