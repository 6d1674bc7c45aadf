// The `submit` kind of the control socket: a message from `sendmail` run by any local user. The caller
// is the uid the kernel reported; trust, the sender warning and the option rules are decided here, from
// the daemon's own configuration, never from what the client says about itself.

import { loadPasswd } from '../maps/users.js';
import type { ControlHandler } from '../control/registry.js';
import { SpoolReader } from '../queue/index.js';
import { callerFor, queueOwner } from '../submit/caller.js';
import { EX_TEMPFAIL, waitFirstAttempt } from '../submit/first-attempt.js';
import { decodeSubmitWire } from '../submit/request-wire.js';
import { EX_NOPERM, judgeOptions } from '../submit/run-options.js';
import { submitSettings } from '../submit/settings.js';
import { submitMessage } from '../submit/submit.js';
import type { ControlContext } from './control-handlers.js';
import { PASSWD_FILE } from './runtime.js';
import { EX_USAGE } from '../util/sysexits.js';

/** -odi waits at most this long for the first attempt; then the message counts as deferred (75). */
const FIRST_ATTEMPT_WAIT_MS = 10 * 60_000;

export function submitHandler(ctx: ControlContext): ControlHandler {
  let reader: SpoolReader | undefined;
  return async (req, reply) => {
    const wire = decodeSubmitWire(req.header);
    if (typeof wire === 'string') {
      reply.out('stderr', `sendmail: bad request: ${wire}\n`);
      reply.done(EX_USAGE);
      return;
    }
    const rt = ctx.runtime();
    const cfg = rt.config;
    const users = await loadPasswd(PASSWD_FILE);
    const caller = callerFor(req.peer.uid, cfg, users, await queueOwner(ctx.spool.dir));
    const verdict = judgeOptions(wire.options, wire.request.macros ?? [], caller.trusted);
    if (verdict.refused !== undefined) {
      reply.out('stderr', `${verdict.refused}\n`);
      reply.done(EX_NOPERM);
      return;
    }
    // -C is the command's own business: a request that names one is run by the command itself.
    const { alternateConfig: _ignored, smtputf8, ...rest } = wire.request;
    void _ignored;
    const request = { ...rest, ...(smtputf8 === true && cfg.options.SMTPUTF8 ? { smtputf8: true } : {}) };
    const settings = submitSettings(cfg, rt.names.j, (d) => rt.directory.isLocalDomain(d), verdict.apply);
    const outcome = await submitMessage(settings, caller, request, req.body ?? Buffer.alloc(0), ctx.spool, new Date());
    const env = outcome.envelope;
    if (env !== undefined) {
      ctx.log.info(
        { qid: env.id, from: env.sender === '' ? '<>' : `<${env.sender}>`, size: env.size, nrcpts: env.recipients.length, proto: env.protocol, relay: env.client, uid: caller.uid, stat: 'queued' },
        'message accepted',
      );
    } else {
      ctx.log.info({ uid: caller.uid, relay: `${caller.login}@localhost`, stat: outcome.errors[0] ?? '' }, 'message refused');
    }
    const quiet = wire.errorMode === 'q';
    const errors = outcome.errors.map((l) => `${l}\n`).join('');
    if (!quiet && errors !== '') reply.out('stderr', errors);
    if (env === undefined || wire.deliveryMode !== 'i') {
      reply.done(outcome.exit, env !== undefined ? { qid: env.id } : {});
      return;
    }
    // -odi: the runner attempts a message at once unless the daemon only queues; then it is asked to.
    ctx.queue.runner.arrived(env);
    reader ??= new SpoolReader(ctx.spool.dir);
    const report = await waitFirstAttempt(reader, env.id, FIRST_ATTEMPT_WAIT_MS);
    // -v came through the command's own check; restrictexpand is judged again with the kernel's caller.
    const verbose = wire.verbose === true && (caller.trusted || !cfg.options.PrivacyOptions.flags.has('restrictexpand'));
    if (verbose && report.progress.length > 0) reply.out('stdout', report.progress.map((l) => `${l}\n`).join(''));
    const mailsBack = wire.errorMode === 'm' || wire.errorMode === 'w' || wire.errorMode === 'e';
    if (!quiet && !mailsBack && report.lines.length > 0) reply.out('stderr', report.lines.map((l) => `${l}\n`).join(''));
    const exit = outcome.exit !== 0 ? outcome.exit : mailsBack && report.exit !== EX_TEMPFAIL ? 0 : report.exit;
    reply.done(exit, { qid: env.id });
  };
}
