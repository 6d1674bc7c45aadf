// What the queue commands work on: the spool read directly (reader, per-message locks), a spool writer
// for state records, and a queue runner. Two kinds: in process (`sendmail -q`, `postern queue` run by
// the queue owner or root while no daemon answers), and the daemon's own (control socket requests),
// which uses the daemon's runner and its runner writer.

import { resolve } from 'node:path';
import type { EffectiveConfig } from '../../config/effective.js';
import { QueueRuntime } from '../../daemon/queue-runtime.js';
import { buildRuntime } from '../../daemon/runtime.js';
import { spawnAgentService } from '../../deliver/agent-service.js';
import { MessageLocks } from '../../queue/message-lock.js';
import { SpoolReader } from '../../queue/reader.js';
import type { RunFilter, RunSummary } from '../../queue/runner.js';
import type { RunnerLog } from '../../queue/runner-types.js';
import { Spool } from '../../queue/spool.js';
import { formatDiagnostic } from '../../util/diagnostics.js';
import { VERSION } from '../../version.js';

/** The queue cannot be worked on in this process: an unusable configuration or queue directory. */
export class QueueSetupError extends Error {
  override readonly name = 'QueueSetupError';
}

export interface QueueAccess {
  cfg: EffectiveConfig;
  dir: string;
  reader: SpoolReader;
  locks: MessageLocks;
  /** The writer that state records (hold, release, delete) are appended through. */
  writer(): Promise<Spool>;
  /** One queue run, finished (deliveries made and recorded) when it resolves. */
  run(filter: RunFilter): Promise<RunSummary>;
  log: RunnerLog;
  close(): Promise<void>;
}

/**
 * Writer ids for command-line processes. A small fixed set rather than one per pid: compaction never
 * removes the newest segment of a writer, so ids that are never used again would pile up segments.
 */
const CLI_WRITERS = ['cli0', 'cli1', 'cli2', 'cli3'];

async function openCliWriter(cfg: EffectiveConfig, dir: string): Promise<Spool> {
  let last: unknown;
  for (const writerId of CLI_WRITERS) {
    try {
      return await Spool.open({ dir, writerId, fileMode: cfg.options.QueueFileMode });
    } catch (err) {
      // Another command holds this id (or the directory is unusable: then every id fails the same way).
      last = err;
    }
  }
  throw new QueueSetupError(last instanceof Error ? last.message : String(last));
}

export function queueDirectory(cfg: EffectiveConfig): string {
  return resolve(cfg.options.QueueDirectory);
}

/** The queue as this process reaches it by itself. Opens nothing until a writer or a run is needed. */
export function localAccess(cfg: EffectiveConfig, log: RunnerLog): QueueAccess {
  const dir = queueDirectory(cfg);
  let spool: Promise<Spool> | undefined;
  let runtime: Promise<{ qr: QueueRuntime; agents: ReturnType<typeof spawnAgentService> }> | undefined;
  const writer = (): Promise<Spool> => (spool ??= openCliWriter(cfg, dir));
  const build = async (): Promise<{ qr: QueueRuntime; agents: ReturnType<typeof spawnAgentService> }> => {
    const built = await buildRuntime(cfg, VERSION);
    if (built.runtime === undefined) {
      const errors = built.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
      throw new QueueSetupError(errors.join('; ') || 'configuration unusable');
    }
    const s = await writer();
    const agents = spawnAgentService();
    const qr = await QueueRuntime.open(built.runtime, { smtpSpool: s, spool: s, delivery: agents, log });
    if (typeof qr === 'string') {
      await agents.close();
      throw new QueueSetupError(qr);
    }
    return { qr, agents };
  };
  return {
    cfg,
    dir,
    reader: new SpoolReader(dir),
    locks: new MessageLocks(dir),
    writer,
    log,
    async run(filter) {
      runtime ??= build();
      const { qr } = await runtime;
      const summary = await qr.runner.runQueue(filter);
      await qr.runner.whenIdle();
      return summary;
    },
    async close() {
      if (runtime !== undefined) {
        const r = await runtime.catch(() => undefined);
        if (r !== undefined) {
          await r.qr.close(30_000);
          await r.agents.close();
          return;
        }
      }
      if (spool !== undefined) await (await spool.catch(() => undefined))?.close();
    },
  };
}

/** The daemon's queue: its runner, its runner writer, its log. */
export function daemonAccess(cfg: EffectiveConfig, qr: QueueRuntime, log: RunnerLog): QueueAccess {
  const dir = qr.spool.dir;
  return {
    cfg,
    dir,
    reader: new SpoolReader(dir),
    locks: new MessageLocks(dir),
    writer: () => Promise.resolve(qr.spool),
    run: (filter) => qr.runner.runQueue(filter),
    log,
    close: () => Promise.resolve(),
  };
}

