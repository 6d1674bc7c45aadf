// `postern passwd [-f FILE | --config FILE] [--stdin] [-d] USER` (docs/auth.md): adds a user to the AUTH
// password file, changes their password, or deletes them (-d). The file is AuthPasswordFile of the
// configuration unless -f names one. It is rewritten atomically (a temporary file in the same
// directory, fsync, rename) keeping its owner and mode; a new file is created 0600.
// Exit: 0 done, 64 usage, 65 bad password input, 67 no such user (-d), 73 cannot write, 75 file busy,
// 78 configuration error.

import { chown, link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { formatDiagnostic } from '../util/diagnostics.js';
import { validUserName, withUser } from '../maps/password-file.js';
import { hashPassword } from '../maps/password-hash.js';
import { passwordFromStdin, passwordFromTty } from './passwd-read.js';
import { EX_USAGE, EX_DATAERR, EX_NOUSER, EX_CANTCREAT, EX_TEMPFAIL, EX_CONFIG } from '../util/sysexits.js';


const USAGE = `usage: postern passwd [-f FILE | --config FILE] [--stdin] [-d] USER
  Sets USER's AUTH password in the password file (AuthPasswordFile of the configuration, or FILE),
  adding the user if needed; -d deletes the user. The password is read from the terminal without
  echo, twice, or with --stdin from the first line of standard input.`;

interface PasswdArgs {
  file?: string;
  config?: string;
  stdin: boolean;
  del: boolean;
  user?: string;
  errors: string[];
}

function parse(argv: readonly string[]): PasswdArgs {
  const out: PasswdArgs = { stdin: false, del: false, errors: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-f' || a === '--file' || a === '-C' || a === '--config') {
      const v = argv[++i];
      if (v === undefined) out.errors.push(`${a} needs a value`);
      else if (a === '-f' || a === '--file') out.file = v;
      else out.config = v;
    } else if (a === '--stdin') out.stdin = true;
    else if (a === '-d' || a === '--delete') out.del = true;
    else if (a.startsWith('-')) out.errors.push(`unknown option ${a}`);
    else if (out.user === undefined) out.user = a;
    else out.errors.push(`unexpected argument ${a}`);
  }
  if (out.user === undefined && out.errors.length === 0) out.errors.push('USER is required');
  return out;
}

async function fileFromConfig(config: string | undefined): Promise<string | { error: string }> {
  const loaded = await loadConfig(config !== undefined ? { path: config } : {});
  if (loaded.config === undefined) {
    return { error: loaded.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n') };
  }
  const f = loaded.config.options.AuthPasswordFile;
  return f ?? { error: 'no password file: set AuthPasswordFile in the configuration or give -f FILE' };
}

async function askPassword(fromStdin: boolean): Promise<string | { error: string; code: number }> {
  if (fromStdin) return passwordFromStdin();
  const first = await passwordFromTty('New password: ');
  if (first === undefined) return { error: 'no terminal to read the password from (use --stdin)', code: EX_USAGE };
  const again = await passwordFromTty('Retype new password: ');
  if (again !== first) return { error: 'the passwords do not match; nothing changed', code: EX_DATAERR };
  return first;
}

/** Replaces `file` with `content`: same directory, same owner and mode, never half written. */
async function writeAtomically(file: string, content: string): Promise<void> {
  let mode = 0o600;
  let owner: { uid: number; gid: number } | undefined;
  try {
    const st = await stat(file);
    mode = st.mode & 0o777;
    owner = { uid: st.uid, gid: st.gid };
  } catch {
    // a new file
  }
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(content);
    await fh.chmod(mode);
    if (owner !== undefined) await chown(tmp, owner.uid, owner.gid).catch(() => undefined);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** A lock next to the file, so two admins changing passwords at once do not lose one change. */
async function withLock<T>(file: string, work: () => Promise<T>): Promise<T | 'busy'> {
  const lock = `${file}.lock`;
  const tmp = `${lock}.${process.pid}`;
  const fh = await open(tmp, 'w', 0o600);
  await fh.close();
  try {
    await link(tmp, lock);
  } catch {
    await unlink(tmp).catch(() => undefined);
    return 'busy';
  }
  await unlink(tmp).catch(() => undefined);
  try {
    return await work();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

export async function passwdCommand(argv: readonly string[]): Promise<number> {
  const args = parse(argv);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.errors.length > 0) {
    for (const e of args.errors) process.stderr.write(`postern passwd: ${e}\n`);
    process.stderr.write(`${USAGE}\n`);
    return EX_USAGE;
  }
  const user = args.user!;
  if (!validUserName(user)) {
    process.stderr.write(`postern passwd: bad user name "${user.replace(/[^\x20-\x7e]/g, '?')}" (printable ASCII without ":", "#" or spaces)\n`);
    return EX_USAGE;
  }
  const file = args.file ?? (await fileFromConfig(args.config));
  if (typeof file !== 'string') {
    process.stderr.write(`postern passwd: ${file.error}\n`);
    return EX_CONFIG;
  }
  let hash: string | undefined;
  if (!args.del) {
    const pw = await askPassword(args.stdin);
    if (typeof pw !== 'string') {
      process.stderr.write(`postern passwd: ${pw.error}\n`);
      return pw.code;
    }
    if (pw === '') {
      process.stderr.write('postern passwd: empty password refused\n');
      return EX_DATAERR;
    }
    hash = await hashPassword(pw);
  }
  let result: number | 'busy';
  try {
    result = await withLock(file, async () => {
      let old = '';
      try {
        old = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      const next = withUser(old, user, hash);
      if (args.del && !next.found) {
        process.stderr.write(`postern passwd: ${user}: no such user in ${file}\n`);
        return EX_NOUSER;
      }
      await writeAtomically(file, next.text);
      process.stdout.write(`${file}: ${args.del ? 'deleted' : next.found ? 'changed' : 'added'} ${user}\n`);
      return 0;
    });
  } catch (err) {
    process.stderr.write(`postern passwd: ${file}: ${(err as Error).message}\n`);
    return EX_CANTCREAT;
  }
  if (result === 'busy') {
    process.stderr.write(`postern passwd: ${file}.lock exists: another postern passwd is running (or remove a stale lock)\n`);
    return EX_TEMPFAIL;
  }
  return result;
}
