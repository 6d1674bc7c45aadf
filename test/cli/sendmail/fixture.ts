// Postern installed as `sendmail` in a temporary prefix, the way docs/cli.md describes: <prefix>/sbin/
// sendmail, mailq and newaliases are symlinks to bin/, and <prefix>/etc/postern/postern.conf is the
// daemon's configuration, so the commands find the daemon's control socket without -C. Commands run as
// real accounts (setpriv with the account's groups), with a real daemon.

import { chmod, chown, copyFile, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Identity } from '../../../src/route/types.js';
import { TestAccounts } from '../../deliver/helpers.js';
import { REPO_ROOT, asUser, removeDir, run, tempDaemonDir, type CommandResult } from '../../helpers/daemon.js';

export const COMMANDS = ['sendmail', 'mailq', 'newaliases'] as const;

/**
 * A daemon directory its accounts can reach (0755, with home/ in it) and the test's accounts, both
 * removed after the test (the accounts first). `user(name)` makes an account whose home is home/<name>,
 * made and owned by it when `withHome`.
 */
export async function accountsSite(t: { after(f: () => Promise<void>): void }): Promise<{
  dir: string;
  accounts: TestAccounts;
  user(name: string, withHome?: boolean): Promise<Identity>;
}> {
  const dir = await tempDaemonDir();
  await chmod(dir, 0o755);
  const accounts = new TestAccounts();
  t.after(async () => {
    try {
      await accounts.cleanup();
    } finally {
      await removeDir(dir);
    }
  });
  await mkdir(join(dir, 'home'), { mode: 0o755 });
  return {
    dir,
    accounts,
    user: async (name, withHome = false) => {
      const home = join(dir, 'home', name);
      const u = accounts.user(home);
      if (withHome) {
        await mkdir(home, { mode: 0o755 });
        await chown(home, u.uid, u.gid);
      }
      return u;
    },
  };
}

/** Makes <dir>/prefix with sbin/ symlinks and etc/postern/postern.conf (a copy of `conf`); returns the prefix. */
export async function installPrefix(dir: string, conf: string): Promise<string> {
  const prefix = join(dir, 'prefix');
  await mkdir(join(prefix, 'sbin'), { recursive: true, mode: 0o755 });
  await mkdir(join(prefix, 'etc', 'postern'), { recursive: true, mode: 0o755 });
  for (const c of COMMANDS) await symlink(join(REPO_ROOT, 'bin', `${c}.js`), join(prefix, 'sbin', c));
  await copyFile(conf, join(prefix, 'etc', 'postern', 'postern.conf'));
  await chmod(join(prefix, 'etc', 'postern', 'postern.conf'), 0o644);
  return prefix;
}

export interface RunOptions {
  input?: string | Buffer;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs argv as `user` (with the account's groups) or, without one, as this process; collects the output. */
export function runAs(user: Identity | undefined, argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  const [cmd, args] = asUser(user, argv);
  return run(cmd, args, {
    cwd: opts.cwd ?? '/',
    env: { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', ...(user !== undefined ? { HOME: user.home, USER: user.name, LOGNAME: user.name } : {}), ...opts.env },
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
}

/** The header of a stored message as `name: value` lines (unfolded), and its body. */
export function parseStored(data: Buffer): { header: string[]; body: string } {
  const text = data.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end + 4);
  return { header: head.replace(/\r\n[ \t]/g, ' ').split('\r\n'), body };
}
