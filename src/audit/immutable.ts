// The immutable attribute (`chattr +i`) of a file. Linux keeps it in the inode flags read with the
// FS_IOC_GETFLAGS ioctl, which Node cannot issue, so this asks e2fsprogs' lsattr (run with an argv
// array, never through a shell). File systems without the flags (tmpfs, overlayfs...) and a missing
// lsattr are reported as "cannot tell", never as "not immutable".

import { execFile } from 'node:child_process';

export type ImmutableAnswer = { ok: true; immutable: boolean } | { ok: false; reason: string };

const TIMEOUT_MS = 5000;

export function lsattrFlags(stdout: string): string | undefined {
  const first = stdout.split('\n')[0]?.trim() ?? '';
  const flags = first.split(/\s+/)[0];
  return flags !== undefined && /^[-a-zA-Z]+$/.test(flags) ? flags : undefined;
}

export function readImmutable(realPath: string): Promise<ImmutableAnswer> {
  return new Promise((resolve) => {
    execFile('lsattr', ['-d', '--', realPath], { timeout: TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err !== null) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          resolve({ ok: false, reason: 'lsattr (e2fsprogs) is not installed, and Node cannot issue the FS_IOC_GETFLAGS ioctl itself' });
          return;
        }
        const why = stderr.trim().replace(/^lsattr:\s*/, '').split('\n')[0] ?? '';
        resolve({ ok: false, reason: `the file system cannot tell (${why === '' ? err.message : why})` });
        return;
      }
      const flags = lsattrFlags(stdout);
      if (flags === undefined) resolve({ ok: false, reason: `unexpected lsattr output "${stdout.trim()}"` });
      else resolve({ ok: true, immutable: flags.includes('i') });
    });
  });
}
