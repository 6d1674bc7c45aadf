// Configuration files (seed: chattr +i; op.me file permissions): config-file-unsafe,
// config-not-immutable, cf-no-feature-markers, hardening-floor-off. The files: the .cf/.mc (and what
// it includes), postern.conf, the alias files, the access map source (and .db), local-host-names,
// relay-domains, trusted-users, /etc/shells.

import type { AuditContext } from '../context.js';
import { readImmutable } from '../immutable.js';
import { judgePath } from '../path-safety.js';
import { describeCode } from '../root-fs.js';

export interface ConfigFileSet {
  /** Files judged by config-file-unsafe (the alias files have alias-file-unsafe). */
  unsafeChecked: string[];
  /** Files that should carry the immutable attribute (no compiled databases). */
  immutable: string[];
}

function aliasTextFiles(ctx: AuditContext): string[] {
  return ctx.cfg.options.AliasFile.map((s) => s.trim().replace(/^(implicit|hash|btree|dbm|cdb):/i, '')).filter((p) => p.startsWith('/') || !p.includes(':'));
}

async function exists(ctx: AuditContext, p: string): Promise<boolean> {
  return (await ctx.fs.statResolved(p)).ok;
}

export async function configFiles(ctx: AuditContext): Promise<ConfigFileSet> {
  const own = ctx.cfg.files.map((f) => ctx.shown(f));
  const side: string[] = [];
  const am = ctx.cfg.accessMap;
  if (am !== undefined) side.push(am.path);
  for (const c of ctx.cfg.classFiles) if (['w', 'R', 't'].includes(c.cls)) side.push(c.path);
  side.push('/etc/shells');
  const present: string[] = [];
  for (const p of [...own, ...side]) if (!present.includes(p) && (await exists(ctx, p))) present.push(p);
  const aliases: string[] = [];
  for (const p of aliasTextFiles(ctx)) if (await exists(ctx, p)) aliases.push(p);
  const db = am !== undefined ? [am.configuredPath ?? `${am.path}.db`] : [];
  const dbPresent: string[] = [];
  for (const p of db) if (await exists(ctx, p)) dbPresent.push(p);
  return { unsafeChecked: [...present, ...dbPresent], immutable: [...present, ...aliases.filter((a) => !present.includes(a))] };
}

async function checkUnsafe(ctx: AuditContext, files: readonly string[]): Promise<void> {
  const owners = await ctx.trustedOwners();
  for (const path of files) {
    const r = await judgePath(ctx.fs, path, { owners, describeOwner: (uid) => ctx.ownerName(uid) });
    if (!r.ok) {
      ctx.skip('config-file-unsafe', `cannot examine ${r.at}: ${describeCode(r.code)}`);
      continue;
    }
    if (r.problems.length > 0) {
      ctx.add('config-file-unsafe', path, `${r.problems.join('; ')}: whoever can write it controls the mail system`, { file: path });
    }
  }
}

async function checkImmutable(ctx: AuditContext, files: readonly string[]): Promise<void> {
  if (process.platform !== 'linux' || files.length === 0) return;
  const mutable: string[] = [];
  const unknown: string[] = [];
  let reason = '';
  for (const path of files) {
    const { fs, path: absolute } = ctx.fs.locate(path);
    const target = await fs.canonical(absolute);
    const answer = await readImmutable(fs.real(target.ok ? target.path : absolute));
    if (!answer.ok) {
      unknown.push(path);
      reason = answer.reason;
    } else if (!answer.immutable) mutable.push(path);
  }
  if (unknown.length > 0) ctx.skip('config-not-immutable', `cannot read the immutable attribute of ${unknown.join(', ')}: ${reason}`);
  if (mutable.length > 0) {
    ctx.add(
      'config-not-immutable',
      mutable.length === 1 ? mutable[0]! : 'configuration files',
      `${mutable.join(', ')} ${mutable.length === 1 ? 'lacks' : 'lack'} the immutable attribute the seed sets with chattr +i; the compiled alias database and the access .db must stay writable for newaliases and makemap`,
      { fix: `chattr +i ${mutable.join(' ')} after the configuration is final` },
    );
  }
}

export async function checkConfigFiles(ctx: AuditContext): Promise<void> {
  const set = await configFiles(ctx);
  await checkUnsafe(ctx, set.unsafeChecked);
  await checkImmutable(ctx, set.immutable);
  if (ctx.mode === 'postern' && !ctx.cfg.options.HardeningFloor) {
    ctx.add('hardening-floor-off', 'HardeningFloor', 'HardeningFloor=False: imported sendmail files can weaken every hardened default', ctx.optionAt('HardeningFloor'));
  }
}
