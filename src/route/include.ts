// A :include: file (aliases-forward.md §4): read with the rights of the controlling user of the file
// that named it, judged by the safety rules, and expanded one level down. Its owner, when not root,
// becomes the controlling user of the programs and files it lists.

import type { AliasElement } from '../maps/aliases.js';
import { childBranch, type Branch, type Control, type ExpansionHost, type Result } from './branch.js';
import { judgeInclude } from './file-safety.js';
import { parseListFile } from './list-file.js';
import { shellIsValid } from './shells.js';
import { STATUS } from './status.js';

const NO_SUCH_FILE = 'No such file or directory';

export async function expandInclude(host: ExpansionHost, b: Branch, path: string, shown: string): Promise<Result> {
  const { ctx } = host;
  const o = ctx.options;
  const name = `:include:${path}`;
  if (b.chain.has(name)) return { loop: name };
  const c = b.ctl;
  if (!host.firstVisit(`${name}|${c.reader.uid}|${c.as.uid}|${c.unsafe}|${c.bogusShell ?? ''}|${c.unknownUid ?? ''}`)) return {};
  const read = await ctx.files.read(path, b.ctl.reader, o.fileOpenTimeoutMs);
  if (read.status === 'missing') return failed(host, b, STATUS.includeOpen(path, NO_SUCH_FILE), shown);
  if (read.status === 'denied') return failed(host, b, STATUS.includeOpen(path, read.reason), shown);
  if (read.status === 'transient') {
    host.defer(b, STATUS.includeOpenTemp(path, read.reason), shown);
    return {};
  }
  const verdict = judgeInclude(read, b.ctl.reader.uid, { dontBlame: o.dontBlame, unsafeGroupWrites: o.unsafeGroupWrites });
  if (!verdict.use) {
    host.log(b, 'warning', `${path}: ${verdict.reason}`);
    return failed(host, b, STATUS.includeOpen(path, verdict.reason), shown);
  }
  const ctl: Control = { ...b.ctl, source: 'include', unsafe: b.ctl.unsafe || verdict.unsafe };
  const ownerUid = read.file.uid;
  if (ownerUid !== 0) {
    const owner = ctx.users.byUid(ownerUid);
    if (owner === undefined) {
      ctl.unknownUid = ownerUid;
      ctl.reader = { name: `#${ownerUid}`, uid: ownerUid, gid: read.file.gid, home: '/', shell: '' };
    } else {
      ctl.as = owner;
      ctl.reader = owner;
      if (ctl.bogusShell === undefined && !shellIsValid(owner, ctx.shells, ctx.trustedUsers)) ctl.bogusShell = `${owner.name}@${ctx.j}`;
    }
  }
  const parsed = parseListFile(read.content, ctx.canonical);
  for (const e of parsed.errors) host.log(b, 'warning', `${path}: line ${e.line}: ${e.message}`);
  if (parsed.elements.length === 0) {
    host.log(b, 'info', `${name}... expanded to no recipients`);
    return {};
  }
  const elements: readonly AliasElement[] = parsed.elements;
  return host.expandList(elements, childBranch(b, [name], { ctl }, true), shown);
}

function failed(host: ExpansionHost, b: Branch, status: Parameters<ExpansionHost['fail']>[1], shown: string): Result {
  host.fail(b, status, shown);
  return {};
}
