// What one probe run needs to know: the command-line choices of audit-and-probe.md §3.1 with their
// defaults applied, plus the tuning that tests change (connection pace, source address, which ports
// must offer STARTTLS).

import { hostname } from 'node:os';
import { canonicalHostName } from '../daemon/host-names.js';
import { loadHosts } from '../dns/hosts.js';
import { DEFAULT_CONNECT_INTERVAL_MS } from './pacer.js';
import type { Target } from './target.js';

export type TlsMode = 'auto' | 'force' | 'off';

export const DEFAULT_RELAY_TARGET = 'relaytest@relay-probe.invalid';
export const DEFAULT_TIMEOUT_MS = 30_000;
/** starttls-missing applies to the MX and submission ports only (§3.2). */
export const STARTTLS_PORTS: readonly number[] = [25, 587];

export interface ProbeSettings {
  target: Target;
  helo: string;
  from: string;
  /** a local domain of the target; undefined: derived from the greeting */
  domain?: string;
  relayTarget: string;
  rcptLocal?: string;
  /** auto: STARTTLS checks when STARTTLS is listed; force: try it even when not listed; off: none */
  tls: TlsMode;
  smuggling: boolean;
  timeoutMs: number;
  connectIntervalMs: number;
  localAddress?: string;
  starttlsPorts: readonly number[];
  /** every transcript line as it happens (-v) */
  onTranscriptLine?: (line: string) => void;
}

/** This host's fully qualified name, the default EHLO argument. */
export function defaultHelo(): string {
  return canonicalHostName(hostname(), loadHosts());
}

export interface SettingsInput {
  target: Target;
  helo?: string;
  from?: string;
  domain?: string;
  relayTarget?: string;
  rcptLocal?: string;
  tls?: TlsMode;
  smuggling?: boolean;
  timeoutMs?: number;
  connectIntervalMs?: number;
  localAddress?: string;
  starttlsPorts?: readonly number[];
  onTranscriptLine?: (line: string) => void;
}

export function probeSettings(input: SettingsInput): ProbeSettings {
  const helo = input.helo ?? defaultHelo();
  return {
    target: input.target,
    helo,
    from: input.from ?? `postern-probe@${helo}`,
    ...(input.domain !== undefined ? { domain: input.domain } : {}),
    relayTarget: input.relayTarget ?? DEFAULT_RELAY_TARGET,
    ...(input.rcptLocal !== undefined ? { rcptLocal: input.rcptLocal } : {}),
    tls: input.tls ?? 'auto',
    smuggling: input.smuggling ?? false,
    timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    connectIntervalMs: input.connectIntervalMs ?? DEFAULT_CONNECT_INTERVAL_MS,
    ...(input.localAddress !== undefined ? { localAddress: input.localAddress } : {}),
    starttlsPorts: input.starttlsPorts ?? STARTTLS_PORTS,
    ...(input.onTranscriptLine !== undefined ? { onTranscriptLine: input.onTranscriptLine } : {}),
  };
}
