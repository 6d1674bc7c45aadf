// The statuses outbound routing gives a recipient (queue-and-bounces.md §6.7, §7), in sendmail's words.

import type { StatusText } from '../../route/types.js';

function status(code: number, enh: string, text: string): StatusText {
  return { code, enh, text };
}

export const ROUTE_STATUS = {
  /** NXDOMAIN for the recipient domain, or a host without addresses. */
  hostUnknown: (addr: string, name: string): StatusText => status(550, '5.1.2', `<${addr}>... Host unknown (Name server: ${name}: host not found)`),
  /** RFC 7505 */
  nullMx: (addr: string): StatusText => status(556, '5.1.10', `<${addr}>... Host does not accept mail: MX 0 .`),
  /** Every MX host left after the own names (and those behind them) are skipped: none. */
  loopsBack: (j: string): StatusText => status(553, '5.3.5', `${j}. config error: mail loops back to me (MX problem?)`),
  /** SERVFAIL, REFUSED, no answer: try again later. */
  lookupFailure: (name: string): StatusText => status(451, '4.4.3', `Name server: ${name}: host name lookup failure`),
  /** A recipient address without a domain reached remote delivery (should not happen). */
  noDomain: (addr: string): StatusText => status(553, '5.1.3', `<${addr}>... Host unknown (no domain part)`),
} as const;
