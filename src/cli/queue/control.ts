// The daemon's side of the queue commands: control socket kinds `mailq`, `qrun` and `queue-admin`.
// The caller is the kernel's (SO_PEERCRED and SO_PEERGROUPS), and restrictmailq / restrictqrun are
// judged again here with the daemon's configuration: the command's own check only saves a round trip.

import type { Logger } from 'pino';
import type { ControlReply, ControlRegistry, ControlRequest } from '../../control/registry.js';
import type { QueueRuntime } from '../../daemon/queue-runtime.js';
import type { Runtime } from '../../daemon/runtime.js';
import type { RunnerLog } from '../../queue/runner-types.js';
import { daemonAccess, queueDirectory, type QueueAccess } from './access.js';
import { adminRefusal, parseAdminArgs, runAdmin } from './admin-cmd.js';
import { parseQueueArgs, type QueueArgs } from './args.js';
import { printQueue } from './list-cmd.js';
import { loginOf, type Output } from './output.js';
import { isQueueAdmin, mayListQueue, mayRunQueue, NOT_PERMITTED_MAILQ, NOT_PERMITTED_QRUN, queueOwner, type Caller } from './permission.js';
import { runArgsProblem, runOnce } from './run-cmd.js';
import { EX_NOPERM, EX_USAGE } from './sysexits.js';

export interface QueueControlContext {
  runtime(): Runtime;
  queue: QueueRuntime;
  log: Logger;
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

function replyOutput(reply: ControlReply): Output {
  return { out: (t) => reply.out('stdout', t), err: (t) => reply.out('stderr', t) };
}

function runnerLog(log: Logger): RunnerLog {
  return {
    info: (f, m) => log.info(f, m),
    warn: (f, m) => log.warn(f, m),
    error: (f, m) => log.error(f, m),
  };
}

interface Prepared {
  access: QueueAccess;
  caller: Caller;
  out: Output;
  owner: Awaited<ReturnType<typeof queueOwner>>;
}

async function prepare(ctx: QueueControlContext, req: ControlRequest, reply: ControlReply): Promise<Prepared> {
  const cfg = ctx.runtime().config;
  const owner = await queueOwner(queueDirectory(cfg));
  return { access: daemonAccess(cfg, ctx.queue, runnerLog(ctx.log)), caller: { uid: req.peer.uid, gid: req.peer.gid, groups: req.peer.groups }, out: replyOutput(reply), owner };
}

function refuse(ctx: QueueControlContext, reply: ControlReply, req: ControlRequest, text: string): void {
  ctx.log.warn({ event: 'control-refused', kind: req.kind, uid: req.peer.uid }, `user ${req.peer.uid} attempted ${req.kind}: ${text}`);
  reply.out('stderr', `${text}\n`);
  reply.done(EX_NOPERM);
}

function badRequest(reply: ControlReply, text: string): void {
  reply.out('stderr', `${text}\n`);
  reply.done(EX_USAGE);
}

async function mailq(ctx: QueueControlContext, req: ControlRequest, reply: ControlReply): Promise<void> {
  const argv = strings(req.header['args']);
  if (argv === undefined) return badRequest(reply, 'mailq: args must be a list of strings');
  const parsed = parseQueueArgs(argv);
  if (!parsed.ok) return badRequest(reply, parsed.error);
  const p = await prepare(ctx, req, reply);
  if (!mayListQueue(p.access.cfg, p.caller, p.owner)) return refuse(ctx, reply, req, NOT_PERMITTED_MAILQ);
  reply.done(await printQueue(p.access, parsed.args, p.out));
}

async function qrun(ctx: QueueControlContext, req: ControlRequest, reply: ControlReply): Promise<void> {
  const argv = strings(req.header['args']);
  if (argv === undefined) return badRequest(reply, 'qrun: args must be a list of strings');
  const parsed = parseQueueArgs(argv);
  if (!parsed.ok) return badRequest(reply, parsed.error);
  const p = await prepare(ctx, req, reply);
  if (!mayRunQueue(p.access.cfg, p.caller, p.owner)) return refuse(ctx, reply, req, NOT_PERMITTED_QRUN);
  const problem = runArgsProblem(parsed.args);
  if (problem !== undefined) return badRequest(reply, problem);
  const expireNow = req.header['expireNow'] === true;
  // Timeout.queuereturn is not a safe option (cli.md §6): only a trusted caller may return mail early.
  if (expireNow && !isQueueAdmin(p.caller, p.owner)) return refuse(ctx, reply, req, 'Timeout.queuereturn: option is restricted to trusted users');
  const by = { uid: p.caller.uid, login: await loginOf(p.caller.uid) };
  // A -q<time> loop is the command's: the daemon does one run per request.
  const args: QueueArgs = { ...parsed.args };
  delete args.interval;
  reply.done(await runOnce(p.access, args, { expireNow, by }, p.out));
}

async function queueAdmin(ctx: QueueControlContext, req: ControlRequest, reply: ControlReply): Promise<void> {
  const argv = strings(req.header['argv']);
  if (argv === undefined) return badRequest(reply, 'queue-admin: argv must be a list of strings');
  const parsed = parseAdminArgs(argv);
  if (!parsed.ok) return badRequest(reply, `postern queue: ${parsed.error}`);
  const p = await prepare(ctx, req, reply);
  const refusal = adminRefusal(p.access.cfg, p.caller, p.owner, parsed.req);
  if (refusal !== undefined) return refuse(ctx, reply, req, refusal);
  const by = { uid: p.caller.uid, login: await loginOf(p.caller.uid) };
  reply.done(await runAdmin(p.access, parsed.req, by, p.out));
}

export function registerQueueHandlers(registry: ControlRegistry, ctx: QueueControlContext): void {
  registry.register('mailq', (req, reply) => mailq(ctx, req, reply));
  registry.register('qrun', (req, reply) => qrun(ctx, req, reply));
  registry.register('queue-admin', (req, reply) => queueAdmin(ctx, req, reply));
}
