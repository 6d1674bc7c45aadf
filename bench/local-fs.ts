// A fresh filesystem for one local-delivery measurement: an ext4 made with mkfs.ext4's defaults (so
// with a journal, as on a mail server) in a sparse image file, loop-mounted for the run and removed
// after it. Each server gets its own, so neither inherits the other's deleted files.
//
// Why: creating a file on ext4 without a journal (the root filesystem of the machines this was first
// measured on) skips every inode freed in the last 5-300 s, reading its way past each of them, so a
// Maildir run that follows the clean-up of another run's thousands of files in the same block group
// spends most of its CPU in the kernel: the same code measured 0.38× to 1.67× against Postfix on
// such a filesystem, depending on which server's files were deleted last (docs/benchmark.md).

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchFs {
  /** Where the run's directory is made: the mount point, or the temporary directory. */
  readonly root: string;
  /** What it is, for the report. */
  readonly describe: string;
  remove(): void;
}

function has(command: string): boolean {
  return spawnSync(command, ['--help'], { stdio: 'ignore' }).error === undefined;
}

/** Why a fresh filesystem cannot be made here, or undefined when it can be tried. */
export function freshFsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  for (const c of ['mkfs.ext4', 'mount', 'umount']) if (!has(c)) return `${c} not found`;
  return undefined;
}

/** A freshly made, mounted ext4 of `sizeMiB` (sparse: only what is written takes space), under `tmp`. */
export function makeFreshFs(tmp: string, sizeMiB: number): BenchFs {
  const base = mkdtempSync(join(tmp, 'postern-bench-fs-'));
  // The servers' unprivileged users (RunAsUser, postfix, the account) must pass through to the mount.
  chmodSync(base, 0o755);
  const image = join(base, 'fs.img');
  const mnt = join(base, 'mnt');
  const fd = openSync(image, 'w', 0o600);
  try {
    ftruncateSync(fd, sizeMiB * 1024 * 1024);
  } finally {
    closeSync(fd);
  }
  let mounted = false;
  try {
    execFileSync('mkfs.ext4', ['-q', '-F', image], { stdio: 'pipe' });
    mkdirSync(mnt);
    execFileSync('mount', ['-o', 'loop', image, mnt], { stdio: 'pipe' });
    mounted = true;
    chmodSync(mnt, 0o755);
  } catch (err) {
    rmSync(base, { recursive: true, force: true });
    throw new Error(`cannot make a fresh filesystem: ${((err as { stderr?: Buffer }).stderr?.toString() ?? (err as Error).message).trim()}`);
  }
  return {
    root: mnt,
    describe: `fresh ext4 (mkfs.ext4 defaults, journal) on a loop device, ${sizeMiB} MiB`,
    remove: () => {
      // The server has stopped, but a delivery agent may still be exiting in there.
      for (let i = 0; mounted && i < 50; i++) {
        if (spawnSync('umount', [mnt], { stdio: 'ignore' }).status === 0) mounted = false;
        else execFileSync('sleep', ['0.1']);
      }
      if (!mounted) rmSync(base, { recursive: true, force: true });
    },
  };
}

/** The temporary directory itself, when no fresh filesystem is asked for or none can be made. */
export function tmpdirFs(tmp: string): BenchFs {
  return { root: tmp, describe: `the temporary directory ${tmp}`, remove: () => undefined };
}
