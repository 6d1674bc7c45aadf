// Shared steps of the probe tests: running `postern probe` in-process against a loopback server with a
// fast connection pace, and a Postern test server with a DNS that knows the probe's domains.

import type { Finding } from '../../src/audit/findings.js';
import { probeCommand, type ProbeIO } from '../../src/cli/probe-cmd.js';
import type { TestDns } from '../helpers/dns-server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The probe's EHLO name in the tests; the DNS below gives it an address so its sender domain resolves. */
export const HELO = 'probe.example.net';
/** Postern grants relaying to 127.0.0.1 (this host); the probe comes from another loopback address. */
export const SOURCE = '127.0.0.2';
/** Connections in the tests are paced at 10 ms instead of the default second. */
export const FAST_MS = 10;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Tuning {
  port: number;
  /** the probe's source address; default SOURCE, null: let the system choose */
  localAddress?: string | null;
  connectIntervalMs?: number;
}

/** Runs `postern probe` in-process; the target's port counts as an MX port (starttls-missing applies). */
export async function probe(argv: readonly string[], t: Tuning): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: ProbeIO = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    tuning: {
      connectIntervalMs: t.connectIntervalMs ?? FAST_MS,
      ...(t.localAddress === null ? {} : { localAddress: t.localAddress ?? SOURCE }),
      starttlsPorts: [t.port],
    },
  };
  const code = await probeCommand(argv, io);
  return { code, stdout, stderr };
}

/** The usual arguments: the target on loopback, our HELO name, a short timeout. */
export function args(port: number, ...more: string[]): string[] {
  return [`127.0.0.1:${port}`, '--helo', HELO, '--timeout', '5', ...more];
}

export interface JsonReport {
  tool: string;
  findings: Finding[];
  counts: Record<string, number>;
  sessions: Array<{ check: string; transcript: string[] }>;
}

export async function probeJson(port: number, t: Partial<Tuning> = {}, ...more: string[]): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const r = await probe([...args(port, '--json'), ...more], { port, ...t });
  return { code: r.code, report: JSON.parse(r.stdout) as JsonReport, stderr: r.stderr };
}

export function ids(findings: readonly Finding[], severity?: string): string[] {
  return [...new Set(findings.filter((f) => severity === undefined || f.severity === severity).map((f) => f.id))].sort();
}

export const above = (findings: readonly Finding[], floor: 'low' | 'info'): Finding[] =>
  findings.filter((f) => !(floor === 'low' ? ['low', 'info'] : ['info']).includes(f.severity));

export interface Postern {
  srv: TestServer;
  dns: TestDns;
  close(): Promise<void>;
}

/** A Postern test server whose DNS resolves the sender domains the probe uses. */
export async function startPostern(conf: string[] = []): Promise<Postern> {
  // The test server owns its DNS server, so a refused configuration leaves nothing running.
  const srv = await startTestServer({ dns: { A: { [HELO]: ['192.0.2.10'], 'example.com': ['192.0.2.11'], 'mx.example.com': ['127.0.0.1'] } }, conf });
  return { srv, dns: srv.dns, close: () => srv.close() };
}
