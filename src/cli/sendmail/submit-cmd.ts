// `sendmail [-t] [-i] [-f addr] ... addr...` (cli.md §5): reads the message, then hands it to the running
// daemon over the control socket, which knows the caller from the kernel and writes the queue. Without a
// daemon, root and the owner of the queue directory write the queue themselves (the daemon's recovery and
// queue runs pick the message up); anyone else gets exit 71 and nothing is queued. An untrusted caller's
// -C configuration is run entirely with the caller's own rights, never through the daemon.

import { resolve } from 'node:path';
import { callControl, ControlProtocolError, ControlUnavailable } from '../../control/client.js';
import { controlSocketPath } from '../../control/path.js';
import { configuredHostName } from '../../config/macros.js';
import { hostNames } from '../../daemon/host-names.js';
import { Spool, SpoolSetupError } from '../../queue/index.js';
import { readMessageText } from '../../submit/message-text.js';
import type { SubmitWire } from '../../submit/request-wire.js';
import { submitSettings } from '../../submit/settings.js';
import { submitMessage, type SubmitRequest } from '../../submit/submit.js';
import type { SendmailArgs } from './argv.js';
import type { CommandContext } from './context.js';
import { dsnFlags } from './flag-values.js';
import { readAll } from './stdin.js';
import { EX_USAGE, EX_OSERR, EX_CANTCREAT, EX_TEMPFAIL, EX_DATAERR } from '../../util/sysexits.js';
export { EX_USAGE, EX_OSERR, EX_CANTCREAT, EX_TEMPFAIL } from '../../util/sysexits.js';


/** Input beyond MaxMessageSize is counted, not kept: the size check needs only to know it was exceeded. */
function readLimit(max: number): number {
  return max > 0 ? max + 1 : Number.MAX_SAFE_INTEGER;
}


function isLocalDomainFor(ctx: CommandContext, j: string): (d: string) => boolean {
  const words = new Set([j, 'localhost', ...(ctx.config.classes['w'] ?? []).map((e) => e.word)].map((w) => w.toLowerCase().replace(/\.$/, '')));
  return (d) => words.has(d.toLowerCase().replace(/\.$/, ''));
}

/** Writes the queue with this process's own rights (root, the queue owner, or an own -C configuration). */
async function submitDirectly(ctx: CommandContext, req: SubmitRequest, data: Buffer, wire: SubmitWire): Promise<number> {
  const cfg = ctx.config;
  const j = hostNames(configuredHostName(cfg)).j;
  const settings = submitSettings(cfg, j, isLocalDomainFor(ctx, j), wire.options);
  let spool: Spool;
  try {
    spool = await Spool.open({ dir: resolve(cfg.options.QueueDirectory), writerId: `cli-${process.pid}`, fileMode: cfg.options.QueueFileMode });
  } catch (err) {
    const why = err instanceof SpoolSetupError ? err.message : `queue directory ${cfg.options.QueueDirectory}: ${(err as Error).message}`;
    ctx.stderr.write(`sendmail: cannot write the queue: ${why}\n`);
    return EX_CANTCREAT;
  }
  try {
    const out = await submitMessage(settings, ctx.caller, req, data, spool, new Date());
    if (wire.errorMode !== 'q') for (const l of out.errors) ctx.stderr.write(`${l}\n`);
    // -odi without a daemon: nothing here delivers, the message waits for the daemon (deferred).
    if (out.envelope !== undefined && out.exit === 0 && wire.deliveryMode === 'i') return EX_TEMPFAIL;
    return out.exit;
  } finally {
    await spool.close();
  }
}

export async function submitCommand(ctx: CommandContext, a: SendmailArgs): Promise<number> {
  const dsn = dsnFlags(a);
  if ('error' in dsn) {
    ctx.stderr.write(`${dsn.error}\n`);
    return EX_USAGE;
  }
  if (!a.readTo && a.addresses.length === 0) {
    ctx.stderr.write('Recipient names must be specified\n');
    return EX_USAGE;
  }
  const max = ctx.config.options.MaxMessageSize;
  const input = await readAll(ctx.stdin, readLimit(max));
  if (max > 0 && input.total > max) {
    ctx.stderr.write(`Message exceeds maximum fixed size (${max})\n`);
    return EX_DATAERR;
  }
  const text = readMessageText(input.data, a.ignoreDots || ctx.config.options.IgnoreDots);
  const req: SubmitRequest = {
    addresses: a.addresses,
    readTo: a.readTo,
    ...dsn,
    ...(a.from !== undefined ? { from: a.from } : {}),
    ...(a.fullName !== undefined ? { fullName: a.fullName } : {}),
    // -U means something only where the configuration offers SMTPUTF8 (cli.md §3).
    ...(a.smtputf8 && ctx.config.options.SMTPUTF8 ? { smtputf8: true } : {}),
    ...(a.proto !== undefined ? { proto: a.proto } : {}),
    ...(a.hops !== undefined ? { hops: Number(a.hops) } : {}),
    ...(a.noAlias ? { noAliasing: true } : {}),
    ...(a.macros.length > 0 ? { macros: a.macros } : {}),
    ...(text.fromLine !== undefined ? { fromLine: text.fromLine } : {}),
    ...(ctx.alternateConfig && ctx.configPath !== undefined ? { alternateConfig: ctx.configPath } : {}),
  };
  // -v runs the delivery at once (interactive), unless restrictexpand hides it from this caller.
  const verbose = a.verbose && (ctx.caller.trusted || !ctx.config.options.PrivacyOptions.flags.has('restrictexpand'));
  const deliveryMode = verbose ? 'i' : a.deliveryMode === 'd' ? 'q' : a.deliveryMode;
  const wire: SubmitWire = {
    kind: 'submit',
    request: req,
    ...(deliveryMode !== undefined ? { deliveryMode } : {}),
    ...(a.errorMode !== undefined ? { errorMode: a.errorMode } : {}),
    ...(verbose ? { verbose: true } : {}),
    options: ctx.options,
  };
  const data = text.data;
  if (ctx.alternateConfig || (ctx.caller.trusted && (ctx.configPath !== ctx.defaultConfigPath || ctx.unsafeOptions))) {
    return submitDirectly(ctx, req, data, wire);
  }
  const path = controlSocketPath(ctx.config);
  try {
    const done = await callControl(path, { ...wire }, data, { stdout: ctx.stdout, stderr: ctx.stderr });
    return done.exit;
  } catch (err) {
    if (err instanceof ControlUnavailable && ctx.mayWriteQueue) return submitDirectly(ctx, req, data, wire);
    const why = err instanceof ControlUnavailable || err instanceof ControlProtocolError ? err.message : String(err);
    ctx.stderr.write(`sendmail: cannot submit the message: the mail daemon cannot be reached (${why}); nothing was queued\n`);
    return EX_OSERR;
  }
}
