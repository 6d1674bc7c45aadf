// Stand-in for cli-queue's entry (mailq, queue runs, `postern queue`): the same signatures, each says
// it is not there yet and exits 69. The lead takes cli-queue's file when the branches meet.

import type { EffectiveConfig } from '../../config/effective.js';

export interface QueueCommandContext {
  config: EffectiveConfig; // loaded, with the run's -O/-o options already applied
  configPath: string | undefined; // -C file or the default
  alternateConfig: boolean; // -C given by an untrusted caller: own rights only, never the daemon
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

function notYet(ctx: QueueCommandContext, what: string): Promise<number> {
  ctx.stderr.write(`${what}: not yet available in this build\n`);
  return Promise.resolve(69);
}

/** mailq / -bp: args are the -q…/-Q…/-v/--json arguments exactly as given, in order */
export function mailqMain(ctx: QueueCommandContext, args: readonly string[]): Promise<number> {
  void args;
  return notYet(ctx, 'mailq');
}

/** -q… / -Q… without -bp (also with -bd: then it only returns the interval); args as given */
export function queueRunMain(ctx: QueueCommandContext, args: readonly string[]): Promise<number> {
  void args;
  return notYet(ctx, 'sendmail -q');
}

export function parseQueueInterval(arg: string): number | undefined {
  const m = /^-q(?:p)?((?:\d+[smhdw]?)+)$/.exec(arg);
  if (m === null) return undefined;
  let ms = 0;
  for (const part of m[1]!.match(/\d+[smhdw]?/g) ?? []) {
    const n = Number.parseInt(part, 10);
    const unit = part.slice(-1);
    const mult = unit === 's' ? 1 : unit === 'h' ? 3600 : unit === 'd' ? 86400 : unit === 'w' ? 604800 : 60;
    ms += n * mult * 1000;
  }
  return ms;
}

/** postern queue …: argv after "queue" */
export function queueAdminMain(ctx: QueueCommandContext, argv: readonly string[]): Promise<number> {
  void argv;
  return notYet(ctx, 'postern queue');
}
