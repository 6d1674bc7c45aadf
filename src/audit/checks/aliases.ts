// Aliases (seed: remove decode, review program aliases, run newaliases): alias-decode-program,
// alias-decode, alias-program-interpreter, alias-program, alias-program-not-allowed,
// alias-file-target, alias-pseudo-accounts, alias-postmaster-missing, alias-root-unread,
// alias-syntax, alias-db-stale, alias-file-unsafe.

import type { AliasElement, AliasEntry } from '../../maps/aliases.js';
import { parseElements } from '../../maps/aliases.js';
import { readAliasFiles, type AliasFile } from '../alias-files.js';
import type { AuditContext } from '../context.js';
import { judgePath } from '../path-safety.js';
import { describeCode, errnoCode } from '../root-fs.js';
import { judgeProgram } from './program-elements.js';
import type { SmrshState } from './program.js';

/** Pseudo-account aliases the seed deletes (aliases-forward.md §9). */
const PSEUDO_ACCOUNTS = ['games', 'ingres', 'system', 'toor', 'uucp', 'manager', 'dumper', 'operator'];
const MAX_INCLUDE_DEPTH = 10;

function fileTarget(ctx: AuditContext, el: Extract<AliasElement, { kind: 'file' }>, owner: string, file: string, line: number): void {
  const unset = ctx.cfg.options.SafeFileEnvironment === undefined;
  ctx.add(
    'alias-file-target',
    `${file}:${line}`,
    unset
      ? `${owner} writes to the file ${el.path} and SafeFileEnvironment is unset: it may write to devices, FIFOs and files anywhere`
      : `${owner} writes to the file ${el.path}`,
    { file, line, ...(unset ? { severity: 'medium' as const } : {}) },
  );
}

/** The elements of a :include: file, judged like alias elements; nested includes are followed. */
async function checkInclude(ctx: AuditContext, path: string, smrsh: SmrshState, seen: Set<string>, depth: number): Promise<void> {
  if (seen.has(path) || depth > MAX_INCLUDE_DEPTH) return;
  seen.add(path);
  let text: string;
  try {
    text = await ctx.fs.readFile(path);
  } catch (e) {
    const code = errnoCode(e);
    // A missing :include: file fails deliveries (550 5.2.4) but is not a hardening gap.
    if (code !== 'ENOENT' && code !== 'ENOTDIR') ctx.skip('alias-program-interpreter', `cannot read :include: file ${path}: ${describeCode(code)}`);
    return;
  }
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '' || l.startsWith('#')) continue;
    const { elements } = parseElements(l, { isLocalDomain: () => true, allowError: false });
    for (const el of elements) {
      const owner = `the :include: file ${path}`;
      if (el.kind === 'program') judgeProgram(ctx, el.command, { file: path, line: i + 1, owner }, smrsh);
      else if (el.kind === 'file') fileTarget(ctx, el, owner, path, i + 1);
      else if (el.kind === 'include') await checkInclude(ctx, el.path, smrsh, seen, depth + 1);
    }
  }
}

async function checkEntry(ctx: AuditContext, file: AliasFile, entry: AliasEntry, smrsh: SmrshState, seen: Set<string>): Promise<void> {
  const at = { file: file.path, line: entry.line };
  const subject = `${file.path}:${entry.line}`;
  const owner = `alias ${entry.name}`;
  const programs = entry.elements.filter((e): e is Extract<AliasElement, { kind: 'program' }> => e.kind === 'program');
  if (entry.name === 'decode') {
    if (programs.length > 0) {
      ctx.add(
        'alias-decode-program',
        subject,
        `alias decode runs "${programs.map((p) => `|${p.command}`).join(', ')}": anyone can mail a uuencoded file that is written wherever its begin line says`,
        at,
      );
    } else {
      ctx.add('alias-decode', subject, `alias decode exists (${entry.value}); the seed deletes it`, at);
    }
  }
  for (const el of entry.elements) {
    if (el.kind === 'program' && entry.name !== 'decode') judgeProgram(ctx, el.command, { ...at, owner }, smrsh);
    else if (el.kind === 'file') fileTarget(ctx, el, owner, file.path, entry.line);
    else if (el.kind === 'include') await checkInclude(ctx, el.path, smrsh, seen, 1);
  }
}

async function checkDatabase(ctx: AuditContext, file: AliasFile): Promise<void> {
  const dbs = file.mapClass === 'dbm' ? [`${file.path}.pag`] : file.mapClass === 'cdb' ? [`${file.path}.cdb`] : [`${file.path}.db`];
  let textTime: number;
  try {
    textTime = (await ctx.fs.stat(file.path)).mtimeMs;
  } catch (e) {
    ctx.skip('alias-db-stale', `cannot examine ${file.path}: ${describeCode(errnoCode(e))}`);
    return;
  }
  for (const db of dbs) {
    let dbTime: number;
    try {
      dbTime = (await ctx.fs.stat(db)).mtimeMs;
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT') ctx.add('alias-db-stale', file.path, `the alias database ${db} does not exist: the server has no aliases until newaliases runs`, { file: file.path });
      else ctx.skip('alias-db-stale', `cannot examine ${db}: ${describeCode(code)}`);
      continue;
    }
    if (textTime > dbTime) {
      ctx.add('alias-db-stale', file.path, `${file.path} is newer than its database ${db}: the changes are not in force`, { file: file.path });
    }
  }
}

async function checkFileSafety(ctx: AuditContext, file: AliasFile): Promise<void> {
  const owners = await ctx.trustedOwners();
  const r = await judgePath(ctx.fs, file.path, { owners, describeOwner: (uid) => ctx.ownerName(uid) });
  if (!r.ok) {
    if (r.code !== 'ENOENT') ctx.skip('alias-file-unsafe', `cannot examine ${r.at}: ${describeCode(r.code)}`);
    return;
  }
  if (r.problems.length > 0) {
    ctx.add('alias-file-unsafe', file.path, `${r.problems.join('; ')}: whoever can write it can add a program alias`, { file: file.path });
  }
}

async function checkPostmaster(ctx: AuditContext, files: AliasFile[], merged: Map<string, AliasEntry>): Promise<void> {
  if (merged.has('postmaster')) return;
  const users = await ctx.users();
  if (!users.ok) {
    ctx.skip('alias-postmaster-missing', `no postmaster alias, and ${users.reason}`);
    return;
  }
  if (users.value.lookupUser('postmaster') !== undefined) return;
  const first = files[0]?.path ?? 'postmaster';
  ctx.add('alias-postmaster-missing', first, 'there is no postmaster alias and no local user postmaster (RFC 5321 requires one)', {
    ...(files[0] !== undefined ? { file: first } : {}),
  });
}

function checkRoot(ctx: AuditContext, files: AliasFile[], merged: Map<string, AliasEntry>): void {
  const root = merged.get('root');
  const first = files[0]?.path ?? 'root';
  if (root === undefined) {
    ctx.add('alias-root-unread', first, 'root is not aliased to a person: mail to root is usually never read', { ...(files[0] ? { file: first } : {}) });
    return;
  }
  const elsewhere = root.elements.some((e) => !((e.kind === 'local' || e.kind === 'user') && e.user.toLowerCase() === 'root'));
  if (!elsewhere) {
    ctx.add('alias-root-unread', `${root.file}:${root.line}`, `root is aliased only to itself (${root.value}): mail to root is usually never read`, {
      file: root.file,
      line: root.line,
    });
  }
}

export async function checkAliases(ctx: AuditContext, smrsh: SmrshState): Promise<void> {
  const files = await readAliasFiles(ctx);
  const read = files.filter((f) => f.state === 'read');
  const merged = new Map<string, AliasEntry>();
  const seen = new Set<string>();
  for (const file of read) {
    for (const d of file.diagnostics) {
      if (d.severity === 'error') ctx.add('alias-syntax', `${file.path}:${d.line ?? 0}`, d.message, { file: file.path, line: d.line ?? 0 });
    }
    for (const p of file.lenientPrograms) {
      judgeProgram(ctx, p.command, { file: file.path, line: p.line, owner: `alias ${p.name} (a line newaliases rejects)` }, smrsh);
    }
    for (const entry of file.entries.values()) {
      await checkEntry(ctx, file, entry, smrsh, seen);
      if (!merged.has(entry.name)) merged.set(entry.name, entry);
    }
    await checkDatabase(ctx, file);
  }
  for (const file of files) if (file.state !== 'missing') await checkFileSafety(ctx, file);
  const pseudo = PSEUDO_ACCOUNTS.filter((n) => merged.has(n));
  if (pseudo.length > 0) {
    const first = merged.get(pseudo[0]!)!;
    ctx.add('alias-pseudo-accounts', first.file, `aliases the seed deletes are present: ${pseudo.join(', ')}`, { file: first.file });
  }
  // Without a readable alias file there is nothing to say about postmaster and root but "skipped".
  if (files.some((f) => f.state === 'unreadable')) return;
  await checkPostmaster(ctx, files, merged);
  checkRoot(ctx, files, merged);
}
