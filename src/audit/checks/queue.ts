// Queue (seed: queue directory 0700, QueueFileMode/TempFileMode 0600): queue-dir-writable,
// queue-dir-readable, queue-dir-owner, queue-file-mode, temp-file-mode, queue-files-exposed.

import { basename, dirname } from 'node:path';
import type { Stats } from 'node:fs';
import type { AuditContext } from '../context.js';
import { octal } from '../path-safety.js';
import { describeCode, errnoCode } from '../root-fs.js';

const MAX_FILES = 1000;
/** sendmail's queue file prefixes (queue-and-bounces.md §2.1). */
const SENDMAIL_QUEUE_FILE = /^(qf|df|tf|hf|Qf)/;

/** uids that may own the queue directory, or why that cannot be told. */
async function queueOwners(ctx: AuditContext): Promise<{ ok: true; uids: Set<number>; who: string } | { ok: false; reason: string }> {
  if (ctx.mode === 'sendmail') return { ok: true, uids: new Set([0]), who: 'root' };
  const name = ctx.cfg.options.RunAsUser;
  const uids = new Set<number>();
  // The embedded daemon started by an ordinary user keeps the queue as that user.
  if (ctx.cfg.embedded && typeof process.geteuid === 'function' && ctx.fs.isHost) uids.add(process.geteuid());
  if (name === 'root' || name === '0') return { ok: true, uids: new Set([0]), who: 'root' };
  const u = await ctx.userByNameOrUid(name);
  if (u !== undefined) {
    uids.add(u.uid);
    return { ok: true, uids, who: `the queue owner ${name}` };
  }
  if (uids.size > 0) return { ok: true, uids, who: 'the user running Postern' };
  const users = await ctx.users();
  return { ok: false, reason: users.ok ? `RunAsUser ${name} is not in /etc/passwd` : users.reason };
}

async function queueDirectories(ctx: AuditContext, configured: string): Promise<string[]> {
  if (!configured.endsWith('*')) return [configured];
  const parent = dirname(configured);
  const prefix = basename(configured).slice(0, -1);
  try {
    return (await ctx.fs.readdir(parent)).filter((n) => n.startsWith(prefix)).sort().map((n) => `${parent}/${n}`);
  } catch {
    return [];
  }
}

async function checkFiles(ctx: AuditContext, dir: string): Promise<void> {
  let names: string[];
  try {
    names = (await ctx.fs.readdir(dir)).sort();
  } catch (e) {
    ctx.skip('queue-files-exposed', `cannot list ${dir}: ${describeCode(errnoCode(e))}`);
    return;
  }
  if (ctx.mode === 'sendmail') names = names.filter((n) => SENDMAIL_QUEUE_FILE.test(n));
  const exposed: string[] = [];
  for (const name of names.slice(0, MAX_FILES)) {
    let st: Stats;
    try {
      st = await ctx.fs.lstat(`${dir}/${name}`);
    } catch {
      continue;
    }
    if (st.isFile() && (st.mode & 0o044) !== 0) exposed.push(`${name} (${octal(st.mode)})`);
  }
  if (exposed.length > 0) {
    const shown = exposed.slice(0, 5).join(', ') + (exposed.length > 5 ? `, and ${exposed.length - 5} more` : '');
    const of = names.length > MAX_FILES ? ` of the first ${MAX_FILES} examined` : '';
    ctx.add('queue-files-exposed', dir, `${exposed.length} queue file${exposed.length === 1 ? ' is' : 's are'}${of} readable by group or others: ${shown}`, {
      file: dir,
    });
  }
}

async function checkDirectory(ctx: AuditContext, dir: string): Promise<void> {
  let st: Stats;
  try {
    st = await ctx.fs.lstat(dir);
  } catch (e) {
    const code = errnoCode(e);
    ctx.skip('queue-dir-*', code === 'ENOENT' ? `the queue directory ${dir} does not exist` : `cannot examine ${dir}: ${describeCode(code)}`);
    return;
  }
  if (st.isSymbolicLink()) {
    ctx.add('queue-dir-writable', dir, `the queue directory ${dir} is a symbolic link: whoever controls the link controls the queue`, { file: dir });
    const target = await ctx.fs.statResolved(dir);
    if (!target.ok) return;
    st = target.stats;
  }
  const mode = st.mode;
  if ((mode & 0o022) !== 0) {
    ctx.add('queue-dir-writable', dir, `the queue directory is writable by ${(mode & 0o020) !== 0 ? 'its group' : 'others'} (mode ${octal(mode)}): queued mail can be injected, altered or deleted`, { file: dir });
  } else if ((mode & 0o055) !== 0) {
    const restricted = ctx.cfg.options.PrivacyOptions.flags.has('restrictmailq');
    ctx.add(
      'queue-dir-readable',
      dir,
      restricted
        ? `the queue directory is readable or searchable by group or others (mode ${octal(mode)})`
        : `the queue directory is readable or searchable by group or others (mode ${octal(mode)}); restrictmailq is off, so the listing is public anyway`,
      { file: dir, ...(restricted ? {} : { severity: 'info' as const }) },
    );
  }
  const owners = await queueOwners(ctx);
  if (!owners.ok) ctx.skip('queue-dir-owner', owners.reason);
  else if (!owners.uids.has(st.uid)) {
    ctx.add('queue-dir-owner', dir, `the queue directory is owned by ${await ctx.ownerName(st.uid)}, not by ${owners.who}`, { file: dir });
  }
  await checkFiles(ctx, dir);
}

export async function checkQueue(ctx: AuditContext): Promise<void> {
  const o = ctx.cfg.options;
  for (const [name, id] of [
    ['QueueFileMode', 'queue-file-mode'],
    ['TempFileMode', 'temp-file-mode'],
  ] as const) {
    const mode = o[name];
    if ((mode & 0o077) !== 0) {
      ctx.add(id, name, `${name}=${octal(mode)} grants ${(mode & 0o070) !== 0 ? 'group' : 'other'} access to files that hold whole messages`, ctx.optionAt(name));
    }
  }
  const dirs = await queueDirectories(ctx, o.QueueDirectory);
  if (dirs.length === 0) ctx.skip('queue-dir-*', `no directory matches ${o.QueueDirectory}`);
  for (const d of dirs) await checkDirectory(ctx, d);
}
