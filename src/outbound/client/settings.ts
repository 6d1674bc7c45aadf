// The client's and the pool's settings from the effective configuration (queue-and-bounces.md §7,
// docs/outbound.md): plain values, so the client itself never reads configuration.

import type { EffectiveConfig } from '../../config/effective.js';
import { expandMacros, lookupIn } from '../../smtp/macros.js';
import type { PoolOptions } from '../pool/pool.js';
import type { ClientOptions, ClientTimeouts } from './types.js';

export function clientTimeouts(cfg: EffectiveConfig): ClientTimeouts {
  const o = cfg.options;
  return {
    connect: o['Timeout.connect'],
    initial: o['Timeout.initial'],
    helo: o['Timeout.helo'],
    starttls: o['Timeout.starttls'],
    mail: o['Timeout.mail'],
    rcpt: o['Timeout.rcpt'],
    datainit: o['Timeout.datainit'],
    datablock: o['Timeout.datablock'],
    datafinal: o['Timeout.datafinal'],
    rset: o['Timeout.rset'],
    quit: o['Timeout.quit'],
  };
}

/**
 * The source addresses of ClientPortOptions (`Addr=192.0.2.7, Family=inet`): sendmail has one
 * ClientPortOptions per family; Postern reads the one value and uses Addr for the family it names
 * (inet when absent).
 */
export function clientSourceAddresses(value: string | undefined): { localAddress?: string; localAddress6?: string } {
  if (value === undefined) return {};
  let addr: string | undefined;
  let family = 'inet';
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const k = part.slice(0, eq).trim().toLowerCase();
    const v = part.slice(eq + 1).trim();
    if (k === 'addr' || k === 'a') addr = v.replace(/^\[(.*)\]$/, '$1');
    else if (k === 'family' || k === 'f') family = v.toLowerCase();
  }
  if (addr === undefined || addr === '') return {};
  return family === 'inet6' ? { localAddress6: addr } : { localAddress: addr };
}

/** Everything of ClientOptions that comes from the configuration (not the pool nor the TLS context). */
export function clientSettings(cfg: EffectiveConfig, j: string): Omit<ClientOptions, 'pool' | 'tlsContext'> {
  const o = cfg.options;
  return {
    heloName: expandMacros(o.HeloName, lookupIn({ j })).trim() || j,
    timeouts: clientTimeouts(cfg),
    softBounce: o.SoftBounce,
    eightBitMode: o.EightBitMode,
    tlsFallbackToClear: o.TLSFallbacktoClear,
    ...clientSourceAddresses(o.ClientPortOptions),
  };
}

export function poolSettings(cfg: EffectiveConfig): PoolOptions {
  const o = cfg.options;
  return {
    maxConnections: o.OutboundMaxConnections,
    maxPerDestination: o.OutboundMaxPerDestination,
    cacheSize: o.ConnectionCacheSize,
    idleMs: o.ConnectionCacheTimeout,
    hostStatusMs: o['Timeout.hoststatus'],
    quitMs: o['Timeout.quit'],
  };
}
