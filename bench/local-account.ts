// The account local-delivery benchmarks deliver to: a real user (useradd) with a home directory in
// the benchmark's temporary directory, removed afterwards. Mailbox delivery acts as the user, so it
// cannot be measured without one; creating it needs root.

import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchAccount {
  name: string;
  uid: number;
  gid: number;
  home: string;
  remove(): void;
}

export function createAccount(dir: string): BenchAccount {
  if (process.getuid?.() !== 0) throw new Error('local delivery is measured as root (the benchmark creates the user mail is delivered to)');
  const name = `pt-bench${process.pid}`;
  const home = join(dir, 'home');
  mkdirSync(home, { mode: 0o755 });
  execFileSync('useradd', ['-M', '-d', home, '-s', '/bin/sh', '-U', name]);
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  chownSync(home, uid, gid);
  return {
    name,
    uid,
    gid,
    home,
    remove: () => {
      // A delivery agent kept for reuse may still be exiting: userdel refuses while it runs.
      for (let i = 0; i < 50; i++) {
        try {
          execFileSync('userdel', [name], { stdio: 'pipe' });
          break;
        } catch {
          execFileSync('sleep', ['0.1']);
        }
      }
      try {
        execFileSync('groupdel', [name], { stdio: 'pipe' });
      } catch {
        // userdel removed the user's own group already (USERGROUPS_ENAB).
      }
    },
  };
}

/** How many messages a mailbox holds: mbox `From ` separators, or files in Maildir/new. */
export function mailboxCounter(format: 'mbox' | 'maildir', mboxPath: string, maildir: string): () => number {
  if (format === 'maildir') {
    return () => {
      try {
        return readdirSync(join(maildir, 'new')).length;
      } catch {
        return 0;
      }
    };
  }
  return () => countFromLines(mboxPath);
}

function countFromLines(path: string): number {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch {
    return 0;
  }
  let n = text.subarray(0, 5).toString('latin1') === 'From ' ? 1 : 0;
  for (let i = text.indexOf('\nFrom '); i !== -1; i = text.indexOf('\nFrom ', i + 1)) n++;
  return n;
}
