// The control socket's request kinds, in one table. Each handler gets the caller as the kernel knows
// it (req.peer) and decides on its own what that caller may do; the daemon's context gives it the
// configuration in force, the spool, the queue runner and the SMTP engine.

import type { Logger } from 'pino';
import { ControlRegistry, type ControlHandler } from '../control/registry.js';
import { registerQueueHandlers } from '../cli/queue/control.js';
import type { Spool } from '../queue/index.js';
import type { SmtpServer } from '../smtp/server.js';
import type { QueueRuntime } from './queue-runtime.js';
import type { Runtime } from './runtime.js';
import { submitHandler } from './control-submit.js';
import { bsHandler } from './control-bs.js';
import { verifyHandler } from './control-verify.js';

export interface ControlContext {
  /** The runtime in force (replaced on SIGHUP). */
  runtime(): Runtime;
  /** The SMTP server's spool writer: submissions are committed through it, so the runner attempts them at once. */
  spool: Spool;
  queue: QueueRuntime;
  server: SmtpServer;
  log: Logger;
}

/** `whoami`: the caller's credentials as the daemon sees them (for diagnostics and the tests of the hand-off). */
const whoami: ControlHandler = (req, reply) => {
  const { uid, gid, groups } = req.peer;
  reply.done(0, { uid, gid, groups });
};

export function controlRegistry(ctx: ControlContext): ControlRegistry {
  const registry = new ControlRegistry().register('whoami', whoami).register('submit', submitHandler(ctx)).register('bs', bsHandler(ctx)).register('verify', verifyHandler(ctx));
  registerQueueHandlers(registry, ctx);
  return registry;
}
