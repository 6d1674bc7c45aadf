// --forward: every local user's .forward files (all ForwardPath candidates): forward-unsafe for a file
// Postern would ignore or mark unsafe (aliases-forward.md §5.3), and alias-program-interpreter /
// alias-program for the programs they run.

import type { Stats } from 'node:fs';
import { parseElements } from '../../maps/aliases.js';
import type { UserEntry } from '../../maps/users.js';
import type { AuditContext } from '../context.js';
import { judgePath } from '../path-safety.js';
import { describeCode, errnoCode } from '../root-fs.js';
import { judgeProgram } from './program-elements.js';
import type { SmrshState } from './program.js';

/** ForwardPath candidates for one user; those needing `$h` (a +detail) or unknown macros are left out. */
export function forwardCandidates(forwardPath: readonly string[], user: UserEntry, shortHost: string): string[] {
  const out: string[] = [];
  for (const c of forwardPath) {
    if (c.includes('$h')) continue;
    const p = c.replaceAll('$z', user.home).replaceAll('$u', user.name).replaceAll('$w', shortHost);
    if (p.includes('$') || !p.startsWith('/')) continue;
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

async function judgeForward(ctx: AuditContext, user: UserEntry, path: string, smrsh: SmrshState): Promise<void> {
  let link: Stats;
  try {
    link = await ctx.fs.lstat(path);
  } catch (e) {
    const code = errnoCode(e);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') ctx.skip('forward-unsafe', `cannot examine ${path}: ${describeCode(code)}`);
    return;
  }
  const dbs = ctx.cfg.options.DontBlameSendmail.flags;
  const r = await judgePath(ctx.fs, path, {
    owners: new Set([0, user.uid]),
    describeOwner: (uid) => ctx.ownerName(uid),
    groupWritableDirsOk: dbs.includes('GroupWritableDirPathSafe'),
    trustSticky: dbs.includes('TrustStickyBit'),
  });
  if (!r.ok) {
    ctx.skip('forward-unsafe', `cannot examine ${r.at}: ${describeCode(r.code)}`);
    return;
  }
  const problems = [...r.problems];
  if (!r.stats.isFile()) problems.unshift(`${path} is not a regular file`);
  if (problems.length > 0) {
    ctx.add(
      'forward-unsafe',
      path,
      `the .forward of ${user.name}${link.isSymbolicLink() ? ' (a symbolic link)' : ''} would be ignored or its programs and files refused: ${problems.join('; ')}`,
      { file: path },
    );
  }
  if (!r.stats.isFile()) return;
  let text: string;
  try {
    text = await ctx.fs.readFile(r.target);
  } catch (e) {
    ctx.skip('alias-program-interpreter', `cannot read ${path}: ${describeCode(errnoCode(e))}`);
    return;
  }
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '' || l.startsWith('#')) continue;
    for (const el of parseElements(l, { isLocalDomain: () => true, allowError: false }).elements) {
      if (el.kind === 'program') judgeProgram(ctx, el.command, { file: path, line: i + 1, owner: `the .forward of ${user.name}` }, smrsh);
    }
  }
}

export async function checkForwardFiles(ctx: AuditContext, smrsh: SmrshState): Promise<void> {
  if (!ctx.opts.forward) return;
  if (!ctx.opts.privileged) {
    ctx.skip('forward-unsafe, alias-program-interpreter (.forward files)', "other users' .forward files can be read only as root or with --root");
    return;
  }
  const users = await ctx.users();
  if (!users.ok) {
    ctx.skip('forward-unsafe, alias-program-interpreter (.forward files)', users.reason);
    return;
  }
  const shortHost = (await ctx.hostName()).split('.')[0] ?? '';
  const seen = new Set<string>();
  for (const user of users.value.users.values()) {
    if (user.home === '' || !user.home.startsWith('/')) continue;
    for (const path of forwardCandidates(ctx.cfg.options.ForwardPath, user, shortHost)) {
      if (seen.has(path)) continue;
      seen.add(path);
      await judgeForward(ctx, user, path, smrsh);
    }
  }
}
