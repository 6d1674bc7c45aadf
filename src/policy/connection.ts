// Connection checks (relay-and-access.md §5, sendmail's check_relay): rate and connection limits, the
// access map's Connect: entries, DNS blocklists, require_rdns. The verdict decides between a normal
// session and a null session (smtp-session.md §4). With delay_checks the access/DNSBL/rDNS part runs at
// RCPT instead (§9); the limits always run here.

import { REPLIES, policyReply } from '../smtp/replies.js';
import { fromAccess, NONE, type Outcome } from './outcome.js';
import type { PolicyConfig } from './policy-config.js';
import type { PolicyDns } from './policy-dns.js';
import { requireRdns } from './require-rdns.js';

export interface ClientFacts {
  /** ${client_addr} ('' for local submission) */
  addr: string;
  /** ${client_name}: the PTR name when forward-confirmed, else `[addr]` */
  name: string;
  resolve: 'OK' | 'FORGED' | 'FAIL' | 'TEMP';
  /** the bare IP */
  ip: string;
}

export interface ConnectionCounts {
  /** connections from this address within ConnectionRateWindowSize, this one included */
  recent: number;
  /** open connections from this address, this one included */
  open: number;
}

function limitOf(cfg: PolicyConfig, tag: 'ClientRate' | 'ClientConn', addr: string): number {
  const a = cfg.access.address(tag, addr);
  const hit = a === undefined ? cfg.access.exact(tag, '') : a;
  return hit !== undefined && hit !== 'temp' && hit.action.kind === 'NUMBER' ? hit.action.value : 0;
}

/** §5 step 5: ratecontrol / conncontrol. */
export function connectionLimits(cfg: PolicyConfig, c: ClientFacts, counts: ConnectionCounts): Outcome {
  const f = cfg.features;
  if (f.ratecontrol !== false) {
    const max = limitOf(cfg, 'ClientRate', c.addr);
    if (max > 0 && counts.recent > max) {
      return { kind: 'reject', reply: policyReply(f.ratecontrol.terminate ? REPLIES.connectionRate : REPLIES.connectionRateTemp) };
    }
  }
  if (f.conncontrol !== false) {
    const max = limitOf(cfg, 'ClientConn', c.addr);
    if (max > 0 && counts.open > max) {
      return { kind: 'reject', reply: policyReply(f.conncontrol.terminate ? REPLIES.tooManyOpen : REPLIES.tooManyOpenTemp) };
    }
  }
  return NONE;
}

/** §5 step 4: require_rdns. */
function rdns(cfg: PolicyConfig, c: ClientFacts): Outcome {
  if (!cfg.features.requireRdns) return NONE;
  const r = requireRdns({ clientAddr: c.addr, resolve: c.resolve, clientInRelayClass: cfg.relayClass.matchesAddress(c.addr) });
  return r === undefined ? NONE : { kind: 'reject', reply: r };
}

/**
 * §5 steps 2–4: the part that delay_checks moves to RCPT. Synchronous unless a DNS blocklist has to be
 * asked, so an ordinary connection costs no promise.
 */
export function connectionChecks(cfg: PolicyConfig, dns: PolicyDns, c: ClientFacts): Outcome | Promise<Outcome> {
  // Step 2: names before addresses; OK and RELAY skip the DNSBLs (local networks are exempted this way).
  const byName = cfg.access.domain('Connect', c.name);
  const found = fromAccess(byName !== undefined ? byName : cfg.access.address('Connect', c.addr), cfg.texts.reject);
  if (found.kind !== 'none') return found;
  if (!dns.hasDnsbl) return rdns(cfg, c);
  // Step 3: the lists in configuration order; step 4 only if none lists the client.
  return dns.dnsbl(c).then((listed) => (listed.kind !== 'none' ? listed : rdns(cfg, c)));
}

/** The whole connection verdict at connect time (the limits first with `nodelay`, else last). */
export function connectionVerdict(
  cfg: PolicyConfig,
  dns: PolicyDns,
  c: ClientFacts,
  counts: ConnectionCounts,
): Outcome | Promise<Outcome> {
  const f = cfg.features;
  const early = (f.ratecontrol !== false && f.ratecontrol.nodelay) || (f.conncontrol !== false && f.conncontrol.nodelay);
  if (early) {
    const limits = connectionLimits(cfg, c, counts);
    if (limits.kind !== 'none') return limits;
  }
  const then = (checks: Outcome): Outcome => {
    if (checks.kind !== 'none' || early) return checks;
    return connectionLimits(cfg, c, counts);
  };
  if (f.delayChecks !== false) return then(NONE);
  const checks = connectionChecks(cfg, dns, c);
  return checks instanceof Promise ? checks.then(then) : then(checks);
}
