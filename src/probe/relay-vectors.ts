// The relay vectors of audit-and-probe.md §3.2: the classic ways of dressing a foreign recipient up as a
// local one (%-hack, quoted @, bang paths, source routes) plus plain spellings of the foreign address.

export interface RelayVector {
  /** 1–12, as in the spec's table */
  n: number;
  /** the RCPT argument exactly as sent */
  rcpt: string;
  /**
   * The form names the target's own domain or address, or has no domain at all, so a 2xx may mean the
   * server rewrote it to a local user (impossible to tell from outside): "accepted; verify by hand".
   */
  mayBeLocal: boolean;
}

export interface RelayInputs {
  /** T: --relay-target, `user@domain` */
  relayTarget: string;
  /** D: --domain */
  domain: string;
  /** [ip]: the target's address literal */
  literal: string;
}

export function splitAddress(addr: string): { user: string; domain: string } {
  const at = addr.lastIndexOf('@');
  return at === -1 ? { user: addr, domain: '' } : { user: addr.slice(0, at), domain: addr.slice(at + 1) };
}

export function relayVectors({ relayTarget, domain: d, literal: ip }: RelayInputs): RelayVector[] {
  const { user: u, domain: t } = splitAddress(relayTarget);
  const rows: Array<[string, boolean]> = [
    [`<${u}@${t}>`, false],
    [`<${u}%${t}@${d}>`, true],
    [`<${u}%${t}@${ip}>`, true],
    [`<"${u}@${t}"@${d}>`, true],
    [`<"${u}@${t}">`, true],
    [`<${t}!${u}@${d}>`, true],
    [`<${t}!${u}>`, true],
    [`<@${d}:${u}@${t}>`, true],
    [`<@${ip}:${u}@${t}>`, true],
    [`<${u}@${t}.>`, false],
    [`<${u.toUpperCase()}@${t.toUpperCase()}>`, false],
    [`${u}@${t}`, false],
  ];
  return rows.map(([rcpt, mayBeLocal], i) => ({ n: i + 1, rcpt, mayBeLocal }));
}

/** The three senders every vector is tried with: null, a forged local sender, and --from. */
export function relaySenders(domain: string, from: string): string[] {
  return ['<>', `<postern-probe@${domain}>`, `<${from}>`];
}
