// Outbound routing's part of the runtime (issue 7, docs/outbound.md): the smart host parsed, the
// mailertable and the TLS policy map opened from their text files (read again when they change), and
// the runner's RemoteService built from them, the resolver, class w and the SMTP client.

import type { EffectiveConfig } from '../config/effective.js';
import { smartHost } from '../config/macros.js';
import type { DnsResolver } from '../dns/resolver.js';
import { DomainMapSource, type DomainMapEvent } from '../maps/domain-map-source.js';
import { RemoteDispatcher, type SendFn } from '../outbound/route/dispatch.js';
import { parseMailertable, parseTlsPolicyMap } from '../outbound/route/maps.js';
import { parseRouteSpec } from '../outbound/route/relay-spec.js';
import { Router } from '../outbound/route/router.js';
import { CachingResolver } from '../outbound/route/dns-cache.js';
import type { RouteSpec, TlsPolicy } from '../outbound/route/types.js';
import type { RemoteService } from '../queue/runner-types.js';
import type { DiagnosticList } from '../util/diagnostics.js';

export interface OutboundMaps {
  smartHost?: RouteSpec;
  mailertable?: DomainMapSource<RouteSpec>;
  tlsPolicy?: DomainMapSource<TlsPolicy>;
}

/** Opens what the configuration names; errors (a bad smart host, a map with errors) stop the start. */
export async function openOutbound(cfg: EffectiveConfig, diags: DiagnosticList, onEvent?: (e: DomainMapEvent) => void): Promise<OutboundMaps> {
  const out: OutboundMaps = {};
  const sh = smartHost(cfg);
  if (sh !== undefined) {
    const r = parseRouteSpec(sh);
    if (!r.ok) diags.error(`smart host "${sh}": ${r.message}`);
    else if (r.spec.kind !== 'relay') diags.error(`smart host "${sh}": only a host (relay) can be a smart host`);
    else out.smartHost = r.spec;
  }
  const events = onEvent !== undefined ? { onEvent } : {};
  if (cfg.mailertable !== undefined) {
    const r = await DomainMapSource.open<RouteSpec>({ path: cfg.mailertable.path, what: 'mailertable', optional: cfg.mailertable.optional, parse: parseMailertable, ...events });
    diags.items.push(...r.diagnostics);
    if (r.ok) out.mailertable = r.source;
  }
  const tlsFile = cfg.options.TLSPolicyFile?.trim();
  if (tlsFile !== undefined && tlsFile !== '') {
    const r = await DomainMapSource.open<TlsPolicy>({ path: tlsFile, what: 'TLS policy map', optional: false, parse: parseTlsPolicyMap, ...events });
    diags.items.push(...r.diagnostics);
    if (r.ok) out.tlsPolicy = r.source;
  }
  return out;
}

export interface RemoteServiceInput {
  config: EffectiveConfig;
  maps: OutboundMaps;
  dns: DnsResolver;
  j: string;
  isLocalDomain(d: string): boolean;
  send: SendFn;
}

/** How long routing reuses a definite DNS answer (docs/outbound.md "DNS answers"). */
export const ROUTE_DNS_CACHE_MS = 30_000;

export function remoteService(i: RemoteServiceInput): RemoteService {
  const { mailertable, tlsPolicy, smartHost: sh } = i.maps;
  const router = new Router({
    dns: new CachingResolver(i.dns, ROUTE_DNS_CACHE_MS),
    isOwnName: (n) => i.isLocalDomain(n),
    j: i.j,
    port: i.config.options.OutboundPort,
    ...(sh !== undefined ? { smartHost: sh } : {}),
    ...(mailertable !== undefined ? { mailertable: () => mailertable.current() } : {}),
    ...(tlsPolicy !== undefined ? { tlsPolicy: () => tlsPolicy.current() } : {}),
  });
  return new RemoteDispatcher({ router, send: i.send, softBounce: i.config.options.SoftBounce });
}
