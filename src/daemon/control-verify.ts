// The `verify` kind of the control socket: `sendmail -bv` (cli.md §5.3) run by the daemon with the
// runner's own routing. With restrictexpand, a caller who is neither root nor TrustedUser does not get
// .forward or :include: files opened that the caller could not read with their own rights.

import { stat } from 'node:fs/promises';
import type { ControlHandler } from '../control/registry.js';
import type { PeerCredentials } from '../control/peer.js';
import { loadPasswd } from '../maps/users.js';
import type { FileRead, UserFileAccess } from '../route/file-access.js';
import { expandRecipients } from '../route/expand.js';
import { parseAddress } from '../smtp/address.js';
import { callerFor, queueOwner } from '../submit/caller.js';
import { replyForCommandLine } from '../submit/submit.js';
import { EX_DATAERR, verifyLines } from '../submit/verify-lines.js';
import type { ControlContext } from './control-handlers.js';
import { PASSWD_FILE } from './runtime.js';
import { EX_USAGE, EX_SOFTWARE } from '../util/sysexits.js';


/** Whether the caller may read `path` by its mode bits (owner, group incl. supplementary, others). */
async function callerMayRead(path: string, peer: PeerCredentials): Promise<boolean> {
  try {
    const st = await stat(path);
    if (st.uid === peer.uid) return (st.mode & 0o400) !== 0;
    if (st.gid === peer.gid || peer.groups.includes(st.gid)) return (st.mode & 0o040) !== 0;
    return (st.mode & 0o004) !== 0;
  } catch {
    return false;
  }
}

/** restrictexpand: a file the caller could not read is treated as absent (the user is shown as local). */
function callerLimited(base: UserFileAccess, peer: PeerCredentials): UserFileAccess {
  return {
    async read(path, as, timeoutMs): Promise<FileRead> {
      if (as.uid !== peer.uid && !(await callerMayRead(path, peer))) return { status: 'missing' };
      return base.read(path, as, timeoutMs);
    },
  };
}

export function verifyHandler(ctx: ControlContext): ControlHandler {
  return async (req, reply) => {
    const addresses = req.header['addresses'];
    if (!Array.isArray(addresses) || !addresses.every((a) => typeof a === 'string') || addresses.length === 0) {
      reply.out('stderr', 'Recipient names must be specified\n');
      reply.done(EX_USAGE);
      return;
    }
    const rt = ctx.runtime();
    const caller = callerFor(req.peer.uid, rt.config, await loadPasswd(PASSWD_FILE), await queueOwner(ctx.spool.dir));
    const restricted = !caller.trusted && rt.config.options.PrivacyOptions.flags.has('restrictexpand');
    const ectx = await ctx.queue.expandContext(restricted ? (base) => callerLimited(base, req.peer) : undefined);
    if (typeof ectx === 'string') {
      reply.out('stderr', `sendmail: ${ectx}\n`);
      reply.done(EX_SOFTWARE);
      return;
    }
    let exit = 0;
    const out: string[] = [];
    const typed: string[] = [];
    const recipients: Array<{ address: string; primary: boolean }> = [];
    for (const t of addresses as string[]) {
      const a = parseAddress(t, { role: 'RCPT', smtputf8Offered: true, smtputf8Requested: /[^\x00-\x7f]/.test(t) });
      if (!a.ok) {
        out.push(replyForCommandLine(a.reply));
        exit = EX_DATAERR;
        continue;
      }
      typed.push(t);
      recipients.push({ address: a.address.includes('@') ? a.address : `${a.address}@${rt.names.j}`, primary: true });
    }
    if (recipients.length > 0) {
      const expanded = await expandRecipients({ sender: '', recipients, protocol: 'local' }, ectx);
      const r = verifyLines(typed, expanded, rt.names.j);
      out.push(...r.lines);
      if (exit === 0) exit = r.exit;
    }
    if (out.length > 0) reply.out('stdout', out.map((l) => `${l}\n`).join(''));
    reply.done(exit);
  };
}
