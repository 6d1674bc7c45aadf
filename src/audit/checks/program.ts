// Program delivery and smrsh (seed: use smrsh, keep interpreters out of its directory):
// prog-mailer-shell, prog-mailer-external, smrsh-dir-missing, smrsh-dir-unsafe, smrsh-interpreter,
// smrsh-procmail, smrsh-entry-writable.

import { basename } from 'node:path';
import type { Stats } from 'node:fs';
import { isShellPath, isSmrshPath } from '../../config/mailers.js';
import type { AuditContext } from '../context.js';
import { dangerousProgram, isProcmail } from '../interpreters.js';
import { octal } from '../path-safety.js';
import { describeCode, errnoCode } from '../root-fs.js';

/** sendmail's smrsh directory is compiled in; these are the usual places (§2.1 --smrsh-dir). */
export const SMRSH_DIR_CANDIDATES = ['/etc/mail/smrsh', '/etc/smrsh', '/usr/libexec/sm.bin', '/var/adm/sm.bin', '/usr/adm/sm.bin'];

export type SmrshState =
  | { inUse: false }
  /** `entries` is undefined when the directory is missing or unreadable (nothing can be looked up). */
  | { inUse: true; dir: string; entries?: ReadonlySet<string> };

type Mailer = { kind: 'none' } | { kind: 'smrsh' } | { kind: 'shell'; path: string } | { kind: 'external'; path: string };

function progMailer(ctx: AuditContext): Mailer {
  if (ctx.mode === 'postern') {
    const v = ctx.cfg.options.ProgMailer;
    if (v.kind === 'external') return { kind: 'external', path: v.path };
    if (v.kind === 'shell') return { kind: 'shell', path: ctx.cfg.progMailer?.path ?? '/bin/sh' };
    return { kind: 'smrsh' };
  }
  const spec = ctx.cfg.progMailer;
  // FEATURE(msp) (submit.cf) hands every delivery, programs included, to the MTA over SMTP: P=[IPC].
  if (spec === undefined || spec.path.startsWith('[') || ctx.opts.unsupportedFeatures?.has('msp') === true) return { kind: 'none' };
  if (isSmrshPath(spec.path)) return { kind: 'smrsh' };
  if (isShellPath(spec.path)) return { kind: 'shell', path: spec.path };
  return { kind: 'external', path: spec.path };
}

function mailerSubject(ctx: AuditContext): ReturnType<AuditContext['where']> {
  if (ctx.mode === 'postern') {
    const extra = ctx.optionAt('ProgMailer');
    return { subject: 'ProgMailer', extra };
  }
  return ctx.where(ctx.cfg.progMailer?.at, 'Mprog');
}

async function smrshDirectory(ctx: AuditContext): Promise<string | undefined> {
  if (ctx.mode === 'postern') return ctx.cfg.options.SmrshDirectory;
  if (ctx.opts.smrshDir !== undefined) return ctx.opts.smrshDir;
  for (const d of SMRSH_DIR_CANDIDATES) {
    const r = await ctx.fs.statResolved(d);
    if (r.ok) return d;
  }
  return undefined;
}

async function checkEntry(ctx: AuditContext, dir: string, name: string): Promise<void> {
  const path = `${dir}/${name}`;
  const names = [name];
  let link: Stats;
  try {
    link = await ctx.fs.lstat(path);
  } catch (e) {
    ctx.skip('smrsh-*', `cannot examine ${path}: ${describeCode(errnoCode(e))}`);
    return;
  }
  let described = name;
  if (link.isSymbolicLink()) {
    try {
      const target = await ctx.fs.readlink(path);
      names.push(basename(target));
      described = `${name} -> ${target}`;
    } catch {
      // An unreadable link: judged by its name alone.
    }
  }
  const target = await ctx.fs.statResolved(path);
  if (target.ok && target.path !== path) names.push(basename(target.path));
  const unique = [...new Set(names)];
  const danger = unique.map((n) => ({ n, kind: dangerousProgram(n) })).find((d) => d.kind !== undefined);
  if (danger !== undefined) {
    const what = danger.n === name ? `${name} is ${danger.kind!}` : `${described} runs ${danger.n}, ${danger.kind!}`;
    ctx.add('smrsh-interpreter', path, `${what}: any program alias or .forward can use it to run arbitrary code`, { file: path });
  }
  if (unique.some(isProcmail)) {
    ctx.add(
      'smrsh-procmail',
      path,
      "procmail is allowed: a user's .procmailrc can run any program, which defeats smrsh (smrsh(8)), although the seed suggests adding it",
      { file: path },
    );
  }
  if (!target.ok) return;
  const st = target.stats;
  const problems: string[] = [];
  if (st.uid !== 0) problems.push(`owned by ${await ctx.ownerName(st.uid)}`);
  if ((st.mode & 0o022) !== 0) problems.push(`writable by ${(st.mode & 0o020) !== 0 ? 'its group' : 'others'} (mode ${octal(st.mode)})`);
  if (problems.length > 0) {
    const shown = target.path === path ? path : `${path} -> ${target.path}`;
    ctx.add('smrsh-entry-writable', path, `${shown} is ${problems.join(' and ')}: its owner can make mail run anything`, { file: path });
  }
}

async function checkSmrshDirectory(ctx: AuditContext): Promise<SmrshState> {
  const dir = await smrshDirectory(ctx);
  if (dir === undefined) {
    ctx.add(
      'smrsh-dir-missing',
      SMRSH_DIR_CANDIDATES[0]!,
      `smrsh is in use but none of ${SMRSH_DIR_CANDIDATES.join(', ')} exists (give --smrsh-dir if it is elsewhere): no program can run, and program aliases fail`,
    );
    return { inUse: true, dir: SMRSH_DIR_CANDIDATES[0]! };
  }
  const st = await ctx.fs.statResolved(dir);
  if (!st.ok) {
    if (st.code === 'ENOENT' || st.code === 'ENOTDIR') {
      ctx.add('smrsh-dir-missing', dir, `the smrsh directory ${dir} does not exist: no program can run, and program aliases fail`);
    } else {
      ctx.skip('smrsh-*', `cannot examine ${dir}: ${describeCode(st.code)}`);
    }
    return { inUse: true, dir };
  }
  if (!st.stats.isDirectory()) {
    ctx.add('smrsh-dir-missing', dir, `the smrsh directory ${dir} is not a directory: no program can run, and program aliases fail`);
    return { inUse: true, dir };
  }
  const problems: string[] = [];
  if (st.stats.uid !== 0) problems.push(`owned by ${await ctx.ownerName(st.stats.uid)}`);
  if ((st.stats.mode & 0o022) !== 0) {
    problems.push(`writable by ${(st.stats.mode & 0o020) !== 0 ? 'its group' : 'others'} (mode ${octal(st.stats.mode)})`);
  }
  if (problems.length > 0) {
    ctx.add('smrsh-dir-unsafe', dir, `the smrsh directory is ${problems.join(' and ')}: its owner can allow any program`, { file: dir });
  }
  let names: string[];
  try {
    names = (await ctx.fs.readdir(dir)).sort();
  } catch (e) {
    ctx.skip('smrsh-interpreter, smrsh-procmail, smrsh-entry-writable', `cannot list ${dir}: ${describeCode(errnoCode(e))}`);
    return { inUse: true, dir };
  }
  for (const name of names) await checkEntry(ctx, dir, name);
  return { inUse: true, dir, entries: new Set(names) };
}

export async function checkProgramDelivery(ctx: AuditContext): Promise<SmrshState> {
  const mailer = progMailer(ctx);
  const { subject, extra } = mailerSubject(ctx);
  switch (mailer.kind) {
    case 'none':
      return { inUse: false };
    case 'shell':
      ctx.add(
        'prog-mailer-shell',
        subject,
        ctx.mode === 'postern'
          ? 'ProgMailer=shell runs every program element with /bin/sh -c: any alias, .forward or :include: can run any command'
          : `the prog mailer runs ${mailer.path}: any alias, .forward or :include: can run any command`,
        extra,
      );
      return { inUse: false };
    case 'external':
      ctx.add('prog-mailer-external', subject, `the prog mailer runs ${mailer.path}, which is neither smrsh nor a shell: no allowlist restricts program deliveries`, extra);
      return { inUse: false };
    case 'smrsh':
      return checkSmrshDirectory(ctx);
  }
}
