// Test helpers for the delivery agents: real users and groups (useradd/groupadd, removed afterwards),
// a temporary directory every test user may enter, and the agent service exactly as the runner uses it.

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { chown, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageMeta } from '../../src/deliver/agent-protocol.js';
import type { Identity } from '../../src/deliver/shared-types.js';

let counter = 0;

function uniqueName(kind: string): string {
  // useradd names: lower case, at most 32 characters; the pid keeps parallel test files apart.
  return `pt-agent-${kind}${process.pid}-${++counter}`;
}

function idOf(flag: '-u' | '-g', name: string): number {
  return Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
}

/**
 * The delivery fixtures' mail users: an account for each name, with its home <dir>/home/<name> (0755,
 * made with <dir>/home if need be) owned by it.
 */
export async function usersWithHomes(accounts: TestAccounts, dir: string, names: readonly string[]): Promise<Identity[]> {
  const out: Identity[] = [];
  for (const name of names) {
    const home = join(dir, 'home', name);
    await mkdir(home, { recursive: true, mode: 0o755 });
    const u = accounts.user(home);
    await chown(home, u.uid, u.gid);
    out.push(u);
  }
  return out;
}

/** Users and groups made for one test file; `cleanup()` removes them all. */
export class TestAccounts {
  private readonly users: string[] = [];
  private readonly groups: string[] = [];

  constructor() {
    if (process.getuid?.() !== 0) throw new Error('the delivery tests create users and must run as root (as CI does)');
  }

  user(home: string, opts: { shell?: string; groups?: string[] } = {}): Identity {
    const name = uniqueName('u');
    const args = ['-M', '-d', home, '-s', opts.shell ?? '/bin/sh', '-U'];
    if (opts.groups !== undefined && opts.groups.length > 0) args.push('-G', opts.groups.join(','));
    execFileSync('useradd', [...args, name]);
    this.users.push(name);
    return { name, uid: idOf('-u', name), gid: idOf('-g', name), home, shell: opts.shell ?? '/bin/sh' };
  }

  group(): { name: string; gid: number } {
    const name = uniqueName('g');
    execFileSync('groupadd', [name]);
    this.groups.push(name);
    const line = execFileSync('getent', ['group', name], { encoding: 'utf8' });
    return { name, gid: Number(line.split(':')[2]) };
  }

  /** Removes a user now (a user who vanished before delivery). */
  remove(user: Identity): void {
    execFileSync('userdel', [user.name]);
    this.users.splice(this.users.indexOf(user.name), 1);
  }

  /**
   * Removes every user and group made here. userdel refuses a user who still has a process (an agent
   * kept for reuse that is just exiting), so it is retried for a moment; a user left behind is an error.
   */
  async cleanup(): Promise<void> {
    const left: string[] = [];
    for (const u of this.users.splice(0)) {
      if (!(await retry(() => execFileSync('userdel', [u], { stdio: 'pipe' })))) left.push(u);
      // userdel removes the user's own group only where USERGROUPS_ENAB is on (Debian's default).
      else if (groupExists(u)) this.groups.push(u);
    }
    for (const g of this.groups.splice(0)) if (!(await retry(() => execFileSync('groupdel', [g], { stdio: 'pipe' })))) left.push(g);
    if (left.length > 0) throw new Error(`test accounts left behind: ${left.join(', ')}`);
  }
}

function groupExists(name: string): boolean {
  try {
    execFileSync('getent', ['group', name], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

async function retry(fn: () => unknown): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    try {
      fn();
      return true;
    } catch {
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  return false;
}

/** A fresh temporary directory, mode 0755 so that the agents (other users) can enter it. */
export function tempRoot(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'postern-deliver-'));
  chmodSync(dir, 0o755);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function meta(sender = 'alice@example.com', recipient = 'bob@example.com'): MessageMeta {
  return { id: 'T1', sender, recipient, created: Date.now() };
}

/** A message as the queue holds it: CR LF line ends. */
export function crlf(...lines: string[]): Buffer {
  return Buffer.from(lines.map((l) => `${l}\r\n`).join(''));
}

export const MESSAGE = crlf('From: alice@example.com', 'To: bob@example.com', 'Subject: test', '', 'Hello Bob,', 'From the start, this works.', 'bye');

/**
 * Another mail program holding an fcntl lock on `path` (Python's fcntl.lockf is fcntl F_SETLKW, as
 * procmail, mutt and mail.local use): resolves once the lock is held; release() lets it go.
 */
export async function holdFcntlLock(path: string): Promise<{ release(): Promise<void> }> {
  const py = [
    'import fcntl, sys',
    `f = open(sys.argv[1], 'a')`,
    'fcntl.lockf(f, fcntl.LOCK_EX)',
    `sys.stdout.write('locked\\n'); sys.stdout.flush()`,
    'sys.stdin.read()',
  ].join('\n');
  const child = spawn('python3', ['-c', py, path], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
  });
  return {
    release: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}
