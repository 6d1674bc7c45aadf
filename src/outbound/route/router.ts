// Where mail for a remote address goes (queue-and-bounces.md §7 and the mailertable / SMART_HOST of
// issue 7), in sendmail's order: the mailertable entry for the domain (exact, .parents, `.`), else the
// smart host, else the domain's MX records. A domain literal (`user@[192.0.2.1]`) goes to that
// address. The TLS policy map names the domains whose hops must present a verified certificate (or
// must not be asked for STARTTLS); the default is opportunistic STARTTLS.

import type { DomainMap } from '../../maps/domain-map.js';
import { mxHops, targetHops, type HopOptions, type HopResolver } from './mx.js';
import { ROUTE_STATUS } from './status.js';
import type { RouteDecision, RouteSpec, TlsPolicy } from './types.js';

export interface RouterOptions {
  dns: HopResolver;
  /** Class w. */
  isOwnName(name: string): boolean;
  /** $j */
  j: string;
  /** OutboundPort [Postern]: the port of hosts that do not name one (25). */
  port: number;
  /** SMART_HOST / DS / SmartHost, parsed; undefined = none. */
  smartHost?: RouteSpec;
  /** The mailertable in service (read again when it changes); undefined = FEATURE(mailertable) off. */
  mailertable?: () => DomainMap<RouteSpec>;
  /** The TLS policy map in service; undefined = opportunistic everywhere. */
  tlsPolicy?: () => DomainMap<TlsPolicy>;
  random?: () => number;
}

/** The domain of an address, lower case, without a trailing dot; '' when there is none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase().replace(/\.$/, '');
}

export class Router {
  constructor(private readonly o: RouterOptions) {}

  tlsFor(domain: string): TlsPolicy {
    return this.o.tlsPolicy?.().lookup(domain)?.value ?? 'opportunistic';
  }

  /** Where mail to `address` goes now. */
  async route(address: string): Promise<RouteDecision> {
    const domain = domainOf(address);
    if (domain === '') return { kind: 'perm', status: ROUTE_STATUS.noDomain(address) };
    const hop: HopOptions = {
      dns: this.o.dns,
      port: this.o.port,
      tls: this.tlsFor(domain),
      isOwnName: (n) => this.o.isOwnName(n),
      j: this.o.j,
      ...(this.o.random !== undefined ? { random: this.o.random } : {}),
    };
    if (domain.startsWith('[') && domain.endsWith(']')) {
      const inner = domain.slice(1, -1).replace(/^ipv6:/i, '');
      const d = await targetHops({ host: inner, literal: true }, address, hop);
      return d.kind === 'hops' ? { ...d, via: 'mx' } : d;
    }
    const entry = this.o.mailertable?.().lookup(domain);
    if (entry !== undefined) return this.#follow(entry.value, address, hop, 'mailertable');
    if (this.o.smartHost !== undefined) return this.#follow(this.o.smartHost, address, hop, 'smart-host');
    return mxHops(domain, address, hop);
  }

  async #follow(spec: RouteSpec, address: string, hop: HopOptions, via: 'mailertable' | 'smart-host'): Promise<RouteDecision> {
    if (spec.kind === 'error') return { kind: spec.status.code >= 500 ? 'perm' : 'temp', status: spec.status };
    if (spec.kind === 'local') {
      const at = address.lastIndexOf('@');
      return { kind: 'local', user: spec.user !== '' ? spec.user : address.slice(0, at) };
    }
    // sendmail's host list: each target in turn; hops of all that resolve, in the order written.
    const results = await Promise.all(spec.targets.map((t) => targetHops(t, address, hop)));
    const hops = results.flatMap((r) => (r.kind === 'hops' ? r.hops : []));
    if (hops.length > 0) return { kind: 'hops', hops, via };
    return results.find((r) => r.kind === 'temp') ?? results[0]!;
  }
}
