// FEATURE(require_rdns) (relay-and-access.md §5 step 4): a client must have a forward-confirmed PTR
// name, unless its address is in class R. The inputs are the session's ${client_addr} and
// ${client_resolve} (smtp-session.md §2.3); the answer is the connection-stage reply (rendered by the
// caller, with the recipient's prefix under delay_checks), or undefined to accept.

import { policyReply, REPLIES, type PolicyReply } from '../smtp/replies.js';

/** ${client_resolve} (the same values as the session's ResolveState). */
export type ClientResolve = 'OK' | 'FORGED' | 'FAIL' | 'TEMP';

export interface RdnsFacts {
  /** ${client_addr}: dotted quad or `IPv6:...`; '' for a local submission */
  clientAddr: string;
  resolve: ClientResolve;
  /** the client address matches class R (relay-domains, CR lines) */
  clientInRelayClass: boolean;
}

export function requireRdns(f: RdnsFacts): PolicyReply | undefined {
  if (f.clientAddr === '' || f.clientInRelayClass) return undefined;
  const vars = { ip: f.clientAddr };
  switch (f.resolve) {
    case 'OK':
      return undefined;
    case 'FAIL':
      return policyReply(REPLIES.rdnsFail, vars);
    case 'TEMP':
      return policyReply(REPLIES.rdnsTemp, vars);
    case 'FORGED':
      return policyReply(REPLIES.rdnsForged, vars);
  }
}
