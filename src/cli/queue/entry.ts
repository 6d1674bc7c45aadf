// The queue half of the sendmail command line (cli.md §4): mailq / -bp, queue runs (-q…, -Q…), and
// `postern queue` for administrators. The sendmail argument parser (src/cli/sendmail/) calls these.
//
// Where the work is done:
// - listing: by this process when it can read the queue directory (root, the queue owner, or an
//   alternate configuration's own queue), else by the daemon over the control socket (kind `mailq`),
//   which judges restrictmailq again with the caller's credentials from the kernel;
// - runs and changes: by the daemon when it answers (kind `qrun`, `queue-admin`: its runner delivers
//   through the root master's agents in the privilege split), else by this process when it owns the
//   queue directory; otherwise exit 71 (EX_OSERR, the daemon cannot be reached).
// With an untrusted -C (alternateConfig) nothing is ever asked of the daemon.

import type { EffectiveConfig } from '../../config/effective.js';
import { localAccess, queueDirectory, QueueSetupError, type QueueAccess } from './access.js';
import { adminRefusal, ADMIN_USAGE, parseAdminArgs, readsOnly, runAdmin } from './admin-cmd.js';
import { parseQueueArgs, parseQueueInterval as parseInterval, type QueueArgs } from './args.js';
import { controlSocketPath } from '../../control/path.js';
import { askDaemon, type DaemonAnswer } from './daemon-client.js';
import { printQueue } from './list-cmd.js';
import { commandRunnerLog, loginOf, streamOutput, type Output } from './output.js';
import { mayListQueue, mayRunQueue, NOT_PERMITTED_MAILQ, NOT_PERMITTED_QRUN, queueOwner, selfCaller, type QueueOwner } from './permission.js';
import { runArgsProblem, runOnce } from './run-cmd.js';
import { EX_CONFIG, EX_IOERR, EX_NOPERM, EX_OK, EX_OSERR, EX_USAGE } from './sysexits.js';

export interface QueueCommandContext {
  config: EffectiveConfig; // loaded, with the run's -O/-o options already applied
  configPath: string | undefined; // -C file or the default
  alternateConfig: boolean; // -C given by an untrusted caller: own rights only, never the daemon
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export function parseQueueInterval(arg: string): number | undefined {
  return parseInterval(arg);
}

const euid = (): number => process.geteuid?.() ?? -1;

/** This process can read every queue file itself. */
function canRead(owner: QueueOwner | undefined): boolean {
  return owner === undefined || euid() === 0 || euid() === owner.uid;
}

/** This process can write state records the readers trust (segments must belong to the queue owner). */
function canWrite(owner: QueueOwner | undefined): boolean {
  return owner === undefined ? euid() === 0 : euid() === owner.uid;
}

/**
 * Whether this process may deliver by itself. Not when it is the privilege split's RunAsUser: the
 * daemon's worker delivers through the root master, which acts as each recipient; agents started by
 * that account itself could only act as it, and would fail (or bounce) other users' mail.
 */
async function canDeliver(cfg: EffectiveConfig): Promise<boolean> {
  if (euid() === 0) return true;
  // RunAsUser may be `user`, `user:group` or a uid.
  const runAs = cfg.options.RunAsUser.split(':')[0]?.trim() ?? '';
  return runAs !== String(euid()) && runAs !== (await loginOf(euid()));
}

/**
 * -OTimeout.queuereturn=now on this command line: every message the run takes is returned. (A
 * configuration that says `now` itself needs no flag: the daemon's runner reads its own.)
 */
function expireNow(cfg: EffectiveConfig): boolean {
  return cfg.options['Timeout.queuereturn.normal'] === 0 && cfg.sources['Timeout.queuereturn.normal'].kind === 'command-line';
}

function unreachable(out: Output, dir: string, answer: Extract<DaemonAnswer, { reached: false }>): number {
  out.err(`cannot work on ${dir} without the Postern daemon, and it does not answer: ${answer.why}\n`);
  return EX_OSERR;
}

async function withLocal(ctx: QueueCommandContext, out: Output, verbose: boolean, fn: (a: QueueAccess) => Promise<number>): Promise<number> {
  const access = localAccess(ctx.config, commandRunnerLog(out, verbose));
  try {
    return await fn(access);
  } catch (err) {
    out.err(`${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof QueueSetupError ? EX_CONFIG : EX_IOERR;
  } finally {
    await access.close().catch(() => undefined);
  }
}

export async function mailqMain(ctx: QueueCommandContext, args: readonly string[]): Promise<number> {
  const out = streamOutput(ctx.stdout, ctx.stderr);
  const parsed = parseQueueArgs(args);
  if (!parsed.ok) {
    out.err(`${parsed.error}\n`);
    return EX_USAGE;
  }
  const dir = queueDirectory(ctx.config);
  const owner = await queueOwner(dir);
  if (!mayListQueue(ctx.config, selfCaller(), owner)) {
    out.err(`${NOT_PERMITTED_MAILQ}\n`);
    return EX_NOPERM;
  }
  if (ctx.alternateConfig || canRead(owner)) return withLocal(ctx, out, false, (a) => printQueue(a, parsed.args, out));
  const answer = await askDaemon(ctx.config, { kind: 'mailq', args: [...args] }, out);
  return answer.reached ? answer.exit : unreachable(out, dir, answer);
}

function waitOrStop(ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const stop = (): void => finish(false);
    const timer = setTimeout(() => finish(true), ms);
    function finish(again: boolean): void {
      clearTimeout(timer);
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(again);
    }
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

export async function queueRunMain(ctx: QueueCommandContext, args: readonly string[]): Promise<number> {
  const out = streamOutput(ctx.stdout, ctx.stderr);
  const parsed = parseQueueArgs(args);
  if (!parsed.ok) {
    out.err(`${parsed.error}\n`);
    return EX_USAGE;
  }
  const a: QueueArgs = parsed.args;
  const dir = queueDirectory(ctx.config);
  const owner = await queueOwner(dir);
  const caller = selfCaller();
  if (!mayRunQueue(ctx.config, caller, owner)) {
    out.err(`${NOT_PERMITTED_QRUN}\n`);
    return EX_NOPERM;
  }
  const problem = runArgsProblem(a);
  if (problem !== undefined) {
    out.err(`${problem}\n`);
    return EX_USAGE;
  }
  const by = { uid: caller.uid, login: await loginOf(caller.uid) };
  const expire = expireNow(ctx.config);
  const once = async (local: QueueAccess | undefined): Promise<number> => {
    if (local !== undefined) return runOnce(local, a, { expireNow: expire, by }, out);
    const answer = await askDaemon(ctx.config, { kind: 'qrun', args: [...args], expireNow: expire }, out);
    return answer.reached ? answer.exit : unreachable(out, dir, answer);
  };
  // The daemon first: its runner delivers with the privileges this process may not have.
  const viaDaemon = async (): Promise<number | undefined> => {
    if (ctx.alternateConfig) return undefined;
    const answer = await askDaemon(ctx.config, { kind: 'qrun', args: [...args], expireNow: expire }, out);
    return answer.reached ? answer.exit : undefined;
  };
  const loop = async (first: () => Promise<number>, again: () => Promise<number>): Promise<number> => {
    let code = await first();
    // -q<time> alone: a queue runner that runs every <time> until it is told to stop (cli.md §4.2).
    while (a.interval !== undefined && a.interval > 0 && (await waitOrStop(a.interval))) code = await again();
    return code;
  };
  const first = await viaDaemon();
  if (first !== undefined) return loop(async () => first, () => once(undefined));
  // No queue directory yet: nothing to run or change, and nothing should be created by running it.
  if (owner === undefined && a.interval === undefined) return EX_OK;
  if (!canWrite(owner)) return unreachable(out, dir, { reached: false, why: 'no answer on the control socket' });
  const delivers = a.quarantine === undefined && !a.quarantined;
  if (delivers && !(await canDeliver(ctx.config))) {
    return unreachable(out, dir, { reached: false, why: `no answer on ${controlSocketPath(ctx.config)}; ${ctx.config.options.RunAsUser} delivers only through it` });
  }
  return withLocal(ctx, out, a.verbose, (local) => loop(() => once(local), () => once(local)));
}

export async function queueAdminMain(ctx: QueueCommandContext, argv: readonly string[]): Promise<number> {
  const out = streamOutput(ctx.stdout, ctx.stderr);
  const parsed = parseAdminArgs(argv);
  if (!parsed.ok) {
    out.err(`postern queue: ${parsed.error}\n${ADMIN_USAGE}\n`);
    return EX_USAGE;
  }
  const req = parsed.req;
  const dir = queueDirectory(ctx.config);
  const owner = await queueOwner(dir);
  const caller = selfCaller();
  const refusal = adminRefusal(ctx.config, caller, owner, req);
  if (refusal !== undefined) {
    out.err(`${refusal}\n`);
    return EX_NOPERM;
  }
  const by = { uid: caller.uid, login: await loginOf(caller.uid) };
  const local = (): Promise<number> => withLocal(ctx, out, false, (acc) => runAdmin(acc, req, by, out));
  if (ctx.alternateConfig) return local();
  if (readsOnly(req) && canRead(owner)) return local();
  const answer = await askDaemon(ctx.config, { kind: 'queue-admin', argv: [...argv] }, out);
  if (answer.reached) return answer.exit;
  if (readsOnly(req) && canRead(owner)) return local();
  if (canWrite(owner) && (req.action !== 'requeue' || (await canDeliver(ctx.config)))) return local();
  return unreachable(out, dir, answer);
}

