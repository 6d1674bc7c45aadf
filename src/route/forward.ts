// A local user's .forward (aliases-forward.md §5): the first ForwardPath candidate that exists and
// passes the safety checks is used; a transient error defers the recipient; no usable file, or one
// without entries, means the mailbox.

import { childBranch, type Branch, type ExpansionHost, type Result } from './branch.js';
import { judgeForward, UNSAFE_DIRECTORY_PATH } from './file-safety.js';
import { forwardCandidates } from './forward-path.js';
import { parseListFile } from './list-file.js';
import { shellIsValid } from './shells.js';
import { STATUS } from './status.js';
import type { Identity } from './types.js';

export async function expandForward(host: ExpansionHost, b: Branch, user: Identity, detail: string | undefined): Promise<Result> {
  const { ctx } = host;
  const o = ctx.options;
  const vars = { home: user.home, user: user.name, w: ctx.w, ...(detail !== undefined ? { detail } : {}) };
  for (const path of forwardCandidates(o.forwardPath, vars)) {
    const read = await ctx.files.read(path, user, o.fileOpenTimeoutMs);
    if (read.status === 'missing') continue;
    if (read.status === 'denied') {
      host.log(b, 'warning', `${path}: ${read.reason}`);
      continue;
    }
    if (read.status === 'transient') {
      host.defer(b, read.timeout === true ? STATUS.forwardTimeout(path) : STATUS.forwardTransient(read.reason), `${user.name}@${ctx.j}`);
      return {};
    }
    const verdict = judgeForward(read, user, { dontBlame: o.dontBlame, unsafeGroupWrites: o.unsafeGroupWrites });
    if (!verdict.use) {
      const quiet = verdict.reason === UNSAFE_DIRECTORY_PATH && o.dontBlame.has('DontWarnForwardFileInUnsafeDirPath');
      host.log(b, quiet ? 'info' : 'warning', `${path}: ${verdict.reason}`);
      continue;
    }
    const parsed = parseListFile(read.content, ctx.canonical);
    for (const e of parsed.errors) host.log(b, 'warning', `${path}: line ${e.line}: ${e.message}`);
    if (parsed.elements.length === 0) {
      host.mailbox(b, user);
      return {};
    }
    // Root's own programs and files run as DefaultUser (program-and-file-delivery.md §3.1).
    const as = user.uid === 0 ? ctx.defaultUser : user;
    const bogus = shellIsValid(user, ctx.shells, ctx.trustedUsers) ? undefined : `${user.name}@${ctx.j}`;
    const ctl = { source: 'forward' as const, as, reader: as, unsafe: verdict.unsafe, ...(bogus !== undefined ? { bogusShell: bogus } : {}) };
    const name = user.name.toLowerCase();
    return host.expandList(parsed.elements, childBranch(b, [name], { parent: name, ctl }, true), `${user.name}@${ctx.j}`);
  }
  host.mailbox(b, user);
  return {};
}
