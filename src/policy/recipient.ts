// The recipient decision of the receive spine (smtp-session.md §7 steps 7–8, relay-and-access.md §7.4
// default policy): mail for our own domains is checked against local users and aliases; anything else
// is relayed only for the host itself. The full relay policy (class R, access map, FEATUREs) extends
// this function; its inputs are plain values so it is tested without a socket.

import type { LocalDirectory, LocalLookup } from './local-directory.js';

export interface RecipientFacts {
  /** canonical local part (relay-and-access.md §3) */
  local: string;
  /** canonical domain, lower case without trailing dot; undefined for an unqualified recipient */
  domain: string | undefined;
  /** ${client_addr}; '' for local submission */
  clientAddr: string;
  /** the client connects from one of this host's own (non-loopback) addresses */
  clientIsOwnAddress: boolean;
}

export type RecipientVerdict =
  | { kind: 'local'; lookup: LocalLookup; user: string }
  | { kind: 'relay' }
  | { kind: 'denied' };

/** sendmail's exact list of client addresses that are "this host" for relaying (§7.3 step 1). */
const LOCAL_CLIENTS = new Set(['', '0', '127.0.0.1', 'IPv6:::1']);

export function clientMayRelay(clientAddr: string, clientIsOwnAddress: boolean): boolean {
  return LOCAL_CLIENTS.has(clientAddr) || clientIsOwnAddress;
}

export function decideRecipient(f: RecipientFacts, dir: LocalDirectory): RecipientVerdict {
  if (f.domain === undefined || dir.isLocalDomain(f.domain)) {
    const user = f.local.toLowerCase();
    return { kind: 'local', lookup: dir.lookup(user), user };
  }
  return clientMayRelay(f.clientAddr, f.clientIsOwnAddress) ? { kind: 'relay' } : { kind: 'denied' };
}
