// `newaliases` / `sendmail -bi` / `postern newaliases` (aliases-forward.md §3, cli.md §3): checks the
// caller and the alias files, parses every line, reports each problem as `<file>: line <n>: <message>`,
// installs `<aliasfile>.db` atomically with the good entries, prints one summary line per file, and
// warns about the dangerous entries of §9. Exit 0, 65 (line errors), 72 (alias file missing),
// 73 (database not written), 77 (caller not trusted), 78 (configuration or unsafe file).

import { readdir, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { EffectiveConfig } from '../config/effective.js';
import { loadConfig } from '../config/load.js';
import { configuredHostName } from '../config/macros.js';
import { hostNames, interfaceAddresses } from '../daemon/host-names.js';
import { dbPathOf } from '../maps/alias-db-format.js';
import { aliasFileFacts, judgeAliasFile } from '../maps/alias-db-safety.js';
import { writeAliasDb } from '../maps/alias-db-write.js';
import { aliasStats, parseAliases, type AliasEntry } from '../maps/aliases.js';
import { readClassFile } from '../maps/class-file.js';
import { normaliseDomain } from '../maps/local-directory.js';
import { loadPasswd, type UserTable } from '../maps/users.js';
import { canonicalize } from '../policy/canonical.js';
import { reasonOf } from '../route/read-facts.js';
import { formatDiagnostic } from '../util/diagnostics.js';
import { parseArgs } from './args.js';
import { aliasWarnings } from './newaliases-warnings.js';
import { EX_OK, EX_USAGE, EX_DATAERR, EX_OSFILE, EX_CANTCREAT, EX_NOPERM, EX_CONFIG } from '../util/sysexits.js';
export { EX_OK, EX_USAGE, EX_DATAERR, EX_OSFILE, EX_CANTCREAT, EX_NOPERM, EX_CONFIG } from '../util/sysexits.js';

export interface NewaliasesIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIO: NewaliasesIO = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};


export const NOT_TRUSTED = 'Permission denied (real uid not trusted)';

const USAGE = `usage: newaliases [-C FILE | --config FILE] [-D NAME=value]... [-O Name=value]... [-o<c><value>]...
  Builds <aliasfile>.db for every AliasFile of the configuration (default: the embedded one).
`;

const PASSWD = '/etc/passwd';

/** A TrustedUser given as a name or as a number. */
function uidOf(name: string | undefined, users: UserTable): number | undefined {
  if (name === undefined || name === '') return undefined;
  if (/^\d+$/.test(name)) return Number(name);
  return users.lookupUser(name)?.uid;
}

async function ownerOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).uid;
  } catch {
    return undefined;
  }
}

/** Class w as the server builds it, without the DNS names of the interfaces (newaliases asks no DNS). */
async function localDomains(cfg: EffectiveConfig, io: NewaliasesIO): Promise<Set<string>> {
  const names = hostNames(configuredHostName(cfg));
  const o = cfg.options;
  const probe = o.DontProbeInterfaces === true ? false : o.DontProbeInterfaces === 'loopback' ? 'loopback' : true;
  const w = new Set<string>(['localhost', names.j, names.w, ...interfaceAddresses(probe).literals].map(normaliseDomain));
  for (const e of cfg.classes['w'] ?? []) w.add(normaliseDomain(e.word));
  for (const spec of cfg.classFiles) {
    if (spec.cls !== 'w') continue;
    const r = await readClassFile({ path: spec.path, optional: spec.optional });
    if (!r.ok) io.stderr(`newaliases: ${formatDiagnostic(r.error)}\n`);
    else for (const word of r.words) w.add(normaliseDomain(word.word));
  }
  return w;
}

async function smrshEntries(cfg: EffectiveConfig): Promise<{ dir: string; entries: ReadonlySet<string> | undefined } | undefined> {
  if (cfg.options.ProgMailer.kind !== 'smrsh') return undefined;
  const dir = cfg.options.SmrshDirectory;
  try {
    return { dir, entries: new Set(await readdir(dir)) };
  } catch {
    return { dir, entries: undefined };
  }
}

function describe(code: string): string {
  return code === 'ENOENT' ? 'No such file or directory' : reasonOf(code);
}

export async function newaliasesCommand(argv: readonly string[], io: NewaliasesIO = processIO): Promise<number> {
  const args = parseArgs(argv);
  const cliOptions = [...args.cliOptions];
  for (const f of args.flags) {
    // sendmail's -o<c><value> (e.g. -oA/etc/mail/aliases); -v is accepted and has nothing to add.
    if (f.startsWith('-o') && f.length > 2) cliOptions.push({ name: f[2]!, value: f.slice(3) });
    else if (f === '--help') {
      io.stdout(USAGE);
      return EX_OK;
    } else if (f !== '-v') args.errors.push(`unknown flag ${f}`);
  }
  if (args.errors.length > 0 || args.rest.length > 0 || args.values.size > 0) {
    for (const e of args.errors) io.stderr(`newaliases: ${e}\n`);
    if (args.rest.length > 0) io.stderr(`newaliases: unexpected argument ${args.rest[0]!}\n`);
    io.stderr(USAGE);
    return EX_USAGE;
  }

  const loaded = await loadConfig({
    ...(args.config !== undefined ? { path: args.config } : {}),
    defines: args.defines,
    cliOptions,
  });
  if (loaded.config === undefined) {
    for (const d of loaded.diagnostics) if (d.severity === 'error') io.stderr(`newaliases: ${formatDiagnostic(d)}\n`);
    return EX_CONFIG;
  }
  const cfg = loaded.config;
  const o = cfg.options;
  const users = await loadPasswd(PASSWD);

  // Step 1: root, TrustedUser, or (embedded mode) the owner of the queue directory.
  const uid = process.getuid?.() ?? 0;
  const trustedUid = uidOf(o.TrustedUser, users);
  const queueOwner = cfg.embedded ? await ownerOf(resolve(o.QueueDirectory)) : undefined;
  if (uid !== 0 && uid !== trustedUid && uid !== queueOwner) {
    io.stderr(`${NOT_TRUSTED}\n`);
    return EX_NOPERM;
  }

  // Step 2, for every file before any is read: nothing changes unless all are safe.
  const owners = new Set<number>([0]);
  if (trustedUid !== undefined) owners.add(trustedUid);
  if (queueOwner !== undefined) owners.add(queueOwner);
  const dontBlame = new Set(o.DontBlameSendmail.flags);
  let worst = EX_OK;
  for (const file of o.AliasFile) {
    const f = await aliasFileFacts(file);
    if (!f.ok) {
      io.stderr(`${file}: cannot open: ${describe(f.code)}\n`);
      worst = Math.max(worst, f.code === 'ENOENT' ? EX_OSFILE : EX_CONFIG);
      continue;
    }
    const unsafe = judgeAliasFile(f.facts, owners, dontBlame);
    if (unsafe !== undefined) {
      io.stderr(`${file}: unsafe alias file: ${unsafe}\n`);
      worst = EX_CONFIG;
    }
  }
  if (worst !== EX_OK) return worst;

  const w = await localDomains(cfg, io);
  const names = hostNames(configuredHostName(cfg));
  const isLocalDomain = (d: string): boolean => w.has(normaliseDomain(d));
  const classify = (a: string): ReturnType<typeof canonicalize> => canonicalize(a, { isLocalDomain, j: names.j, m: names.m });
  const merged = new Map<string, AliasEntry>();
  let status = EX_OK;
  // [Postern] the daemon reads the database as RunAsUser (its privileges are dropped), so the database's
  // group is that account's group when it exists; otherwise the alias file's group, as the spec says.
  const runAs = o.RunAsUser === 'root' ? undefined : (await loadPasswd()).lookupUser(o.RunAsUser);
  for (const file of o.AliasFile) {
    let text: string;
    let gid: number;
    try {
      text = await readFile(file, 'utf8');
      gid = runAs?.gid ?? (await stat(file)).gid;
    } catch (e) {
      io.stderr(`${file}: cannot open: ${describe((e as NodeJS.ErrnoException).code ?? String(e))}\n`);
      status = Math.max(status, EX_OSFILE);
      continue;
    }
    const parsed = parseAliases(text, file, { isLocalDomain, classify });
    for (const d of parsed.diagnostics) {
      io.stderr(`${file}: line ${d.line ?? 0}: ${d.message}\n`);
      if (d.severity === 'error') status = Math.max(status, EX_DATAERR);
    }
    const db = dbPathOf(file);
    const written = await install(db, file, parsed.aliases, { uid, trustedUid, gid }, io);
    if (!written) {
      status = EX_CANTCREAT;
      continue;
    }
    const s = aliasStats(parsed.aliases);
    io.stdout(`${file}: ${s.count} aliases, longest ${s.longest} bytes, ${s.total} bytes total\n`);
    for (const [k, e] of parsed.aliases) if (!merged.has(k)) merged.set(k, e);
  }
  const smrsh = await smrshEntries(cfg);
  const warnings = aliasWarnings({ aliases: merged, userExists: (n) => users.lookupUser(n) !== undefined, ...(smrsh !== undefined ? { smrsh } : {}) });
  for (const line of warnings) io.stderr(`${line}\n`);
  return status;
}

/**
 * Step 5: owner TrustedUser (else root), group of the alias file. A writer that is not root cannot
 * give files away: it stays the owner, and keeps its own group when the file's is not one of its own.
 */
async function install(
  db: string,
  file: string,
  aliases: ReadonlyMap<string, AliasEntry>,
  who: { uid: number; trustedUid: number | undefined; gid: number },
  io: NewaliasesIO,
): Promise<boolean> {
  const entries = [...aliases.values()].map((e) => ({ name: e.name, value: e.value, line: e.line }));
  const owner = who.uid === 0 ? { uid: who.trustedUid ?? 0, gid: who.gid } : { gid: who.gid };
  try {
    await writeAliasDb(db, file, entries, owner);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    if (code === 'EPERM' && who.uid !== 0) {
      try {
        await writeAliasDb(db, file, entries, {});
        io.stderr(`${db}: Warning: cannot give the database the group ${who.gid} of ${file}; it keeps the writer's group\n`);
        return true;
      } catch (e2) {
        io.stderr(`${db}: cannot write alias database: ${describe((e2 as NodeJS.ErrnoException).code ?? String(e2))}\n`);
        return false;
      }
    }
    io.stderr(`${db}: cannot write alias database: ${describe(code)}\n`);
    return false;
  }
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === new URL(`file://${entry}`).href) {
  newaliasesCommand(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`newaliases: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
