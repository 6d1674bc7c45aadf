// The `bs` kind of the control socket: `sendmail -bs` run by any local user. The connection becomes a
// session of the daemon's own SMTP engine (same replies, same policy), with the caller's login from the
// kernel's uid as `$_` (smtp-session.md §14).

import type { ControlHandler } from '../control/registry.js';
import { loadPasswd } from '../maps/users.js';
import { callerFor, queueOwner } from '../submit/caller.js';
import type { ControlContext } from './control-handlers.js';
import { PASSWD_FILE } from './runtime.js';

/** After the caller's end of the stream, how often to look whether the session has answered all it read. */
const DRAIN_POLL_MS = 20;

export function bsHandler(ctx: ControlContext): ControlHandler {
  return async (req, reply) => {
    const rt = ctx.runtime();
    const caller = callerFor(req.peer.uid, rt.config, await loadPasswd(PASSWD_FILE), await queueOwner(ctx.spool.dir));
    const login = caller.login;
    if (reply.closed) return;
    const { socket, pending } = reply.takeOver();
    ctx.log.info({ event: 'bs', uid: req.peer.uid, relay: `${login}@localhost` }, 'sendmail -bs session');
    const session = ctx.server.acceptLocal(socket, { login, classT: caller.classT, trusted: caller.trusted });
    if (session === undefined) return;
    if (pending.length > 0) session.onData(pending);
    // End of the caller's input (stdin closed): answer what was read, then close as sendmail -bs does.
    socket.once('end', () => {
      const t = setInterval(() => {
        if (session.closed || session.idle) {
          clearInterval(t);
          socket.end();
        }
      }, DRAIN_POLL_MS);
    });
  };
}
