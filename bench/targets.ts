// The servers a benchmark can run against, behind one shape: Postern or Postfix started and stopped
// by the benchmark itself, or any host:port (optionally spawned with --spawn, optionally measured
// through --server-pid).

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostern } from './postern.js';
import { startPostfix, type PostfixMode } from './postfix.js';
import { spawnServer } from './spawn.js';

export type TargetSpec =
  | { kind: 'postern' }
  | { kind: 'postfix' }
  | { kind: 'address'; host: string; port: number; spawn?: readonly string[]; pids: readonly number[] };

export interface StartContext {
  /** Connections the run will hold at most at once (sizes Postfix's process limit). */
  maxConnections: number;
  localParts: readonly string[];
  aliasTarget: string;
  postfixMode: PostfixMode;
  keep: boolean;
}

export interface RunningTarget {
  /** Short name for the report: postern, postfix or host:port. */
  readonly name: string;
  /** What runs there (version, instance directory...). */
  readonly detail: string;
  readonly host: string;
  readonly port: number;
  /** Roots of the process trees to measure; empty when the server cannot be measured. */
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

export function targetName(spec: TargetSpec): string {
  return spec.kind === 'address' ? `${spec.host}:${spec.port}` : spec.kind;
}

/** True if the server's resources can be measured. */
export function isMeasurable(spec: TargetSpec): boolean {
  return spec.kind !== 'address' || spec.spawn !== undefined || spec.pids.length > 0;
}

/** A TCP port on `host` that nothing listens on right now. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startTarget(spec: TargetSpec, ctx: StartContext): Promise<RunningTarget> {
  const host = spec.kind === 'address' ? spec.host : '127.0.0.1';
  if (spec.kind === 'postern') {
    const port = await freePort(host);
    const p = await startPostern({ host, port, localParts: ctx.localParts, aliasTarget: ctx.aliasTarget, keep: ctx.keep });
    return { name: 'postern', detail: `node dist/src/cli/main.js serve (pid ${p.server.pid}) in ${p.dir}`, host, port, pids: [p.server.pid], stop: () => p.stop() };
  }
  if (spec.kind === 'postfix') {
    const port = await freePort(host);
    const p = await startPostfix({ host, port, processLimit: ctx.maxConnections + 10, mode: ctx.postfixMode, keep: ctx.keep });
    return {
      name: 'postfix',
      detail: `Postfix ${p.version} (${ctx.postfixMode}, master pid ${p.masterPid}) in ${p.dir}`,
      host,
      port,
      pids: [p.masterPid],
      stop: () => p.stop(),
    };
  }
  const name = targetName(spec);
  if (spec.spawn === undefined) {
    return { name, detail: spec.pids.length > 0 ? `measured pids ${spec.pids.join(', ')}` : 'not measured (no --server-pid)', host, port: spec.port, pids: spec.pids, stop: async () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'postern-bench-spawn-'));
  try {
    const server = await spawnServer(spec.spawn, spec.host, spec.port, join(dir, 'server.log'));
    return {
      name,
      detail: `${spec.spawn.join(' ')} (pid ${server.pid}, output in ${join(dir, 'server.log')})`,
      host,
      port: spec.port,
      pids: [server.pid, ...spec.pids],
      stop: async () => {
        await server.stop();
        if (!ctx.keep) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (!ctx.keep) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
