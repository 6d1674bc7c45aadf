// FEATURE(require_rdns) (relay-and-access.md §5 step 4): a client must have a forward-confirmed PTR
// name, unless its address is in class R. The inputs are the session's ${client_addr} and
// ${client_resolve} (smtp-session.md §2.3); the answer is the connection-stage reply, or undefined
// to accept.

import { reply, REPLIES, type Reply } from '../smtp/replies.js';

/** ${client_resolve} (the same values as the session's ResolveState). */
export type ClientResolve = 'OK' | 'FORGED' | 'FAIL' | 'TEMP';

export interface RdnsFacts {
  /** ${client_addr}: dotted quad or `IPv6:...`; '' for a local submission */
  clientAddr: string;
  resolve: ClientResolve;
  /** the client address matches class R (relay-domains, CR lines) */
  clientInRelayClass: boolean;
}

/**
 * @param addr the address a RCPT reply is about, with delay_checks (the 550 then carries its prefix);
 *   leave out at connection time
 */
export function requireRdns(f: RdnsFacts, addr?: string): Reply | undefined {
  if (f.clientAddr === '' || f.clientInRelayClass) return undefined;
  const vars = { ip: f.clientAddr };
  switch (f.resolve) {
    case 'OK':
      return undefined;
    case 'FAIL':
      return reply(REPLIES.rdnsFail, vars, addr);
    case 'TEMP':
      return reply(REPLIES.rdnsTemp, vars, addr);
    case 'FORGED':
      return reply(REPLIES.rdnsForged, vars, addr);
  }
}
