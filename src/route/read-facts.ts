// Gathers the facts of one .forward or :include: file with the rights of the current process: what
// the delivery agent runs after it has become the user (a `read` job), and what an unprivileged
// Postern runs directly. Opening uses O_NONBLOCK so that a FIFO planted as a .forward cannot hang
// the reader; nothing but a regular file is read.

import { constants, type Stats } from 'node:fs';
import { lstat, open, realpath, stat } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import type { DirFact, FileRead, StatInfo } from './file-access.js';

/** Larger files are refused: a .forward or a mailing list has no business being this big. */
export const MAX_LIST_FILE_BYTES = 16 * 1024 * 1024;

const MISSING = new Set(['ENOENT', 'ENOTDIR']);
const TRANSIENT = new Set(['EIO', 'ETIMEDOUT', 'EAGAIN', 'ESTALE', 'EINTR', 'ENFILE', 'EMFILE', 'ENOMEM']);

/** The C library's text for the usual codes (the spec's `Cannot open <path>: <reason>`). */
const REASONS: Record<string, string> = {
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EIO: 'Input/output error',
  ETIMEDOUT: 'Connection timed out',
  EAGAIN: 'Resource temporarily unavailable',
  ESTALE: 'Stale file handle',
  EINTR: 'Interrupted system call',
  ENFILE: 'Too many open files in system',
  EMFILE: 'Too many open files',
  ENOMEM: 'Cannot allocate memory',
  EISDIR: 'Is a directory',
  EFBIG: 'File too large',
};

export function reasonOf(code: string | undefined): string {
  return code === undefined ? 'unknown error' : (REASONS[code] ?? code);
}

function failure(err: unknown): FileRead {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined && MISSING.has(code)) return { status: 'missing' };
  if (code !== undefined && TRANSIENT.has(code)) return { status: 'transient', reason: reasonOf(code) };
  return { status: 'denied', reason: reasonOf(code) };
}

function info(st: Stats): StatInfo {
  return { dev: st.dev, ino: st.ino, mode: st.mode, uid: st.uid, gid: st.gid, nlink: st.nlink, size: st.size };
}

/** `/a/b/c` → `/`, `/a`, `/a/b`. */
export function parentDirectories(path: string): string[] {
  const out: string[] = [];
  let d = dirname(path);
  for (;;) {
    out.unshift(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return out;
}

async function dirFacts(paths: readonly string[]): Promise<DirFact[]> {
  const seen = new Set<string>();
  const out: DirFact[] = [];
  for (const p of paths) {
    if (seen.has(p)) continue;
    seen.add(p);
    const st = await stat(p);
    out.push({ path: p, uid: st.uid, mode: st.mode });
  }
  return out;
}

async function gather(path: string): Promise<FileRead> {
  if (!path.startsWith(sep)) return { status: 'denied', reason: 'path is not absolute' };
  let link: Stats;
  try {
    link = await lstat(path);
  } catch (e) {
    return failure(e);
  }
  const symlink = link.isSymbolicLink();
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    return failure(e);
  }
  try {
    const st = await fh.stat();
    // The name must still be the file that was examined (no swap between lstat and open).
    if (!symlink && (st.dev !== link.dev || st.ino !== link.ino)) return { status: 'transient', reason: 'File changed after open' };
    let dirs = parentDirectories(path);
    let linkDirWritableByOthers = false;
    if (symlink) {
      linkDirWritableByOthers = ((await stat(dirname(path))).mode & 0o002) !== 0;
      dirs = [...dirs, ...parentDirectories(await realpath(path))];
    }
    let content = '';
    if (st.isFile()) {
      if (st.size > MAX_LIST_FILE_BYTES) return { status: 'denied', reason: reasonOf('EFBIG') };
      content = (await fh.readFile()).toString('utf8');
    }
    return { status: 'ok', content, file: info(st), symlink, linkDirWritableByOthers, dirs: await dirFacts(dirs) };
  } catch (e) {
    return failure(e);
  } finally {
    await fh.close();
  }
}

/**
 * The facts of `path`, or a timeout after `timeoutMs` (Timeout.fileopen). A hung network file system
 * keeps the thread that waits on it; the agent process that runs this is discarded after the job.
 */
export async function readFileFacts(path: string, timeoutMs: number): Promise<FileRead> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<FileRead>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'transient', reason: 'open timeout', timeout: true }), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([gather(path), expired]);
  } finally {
    clearTimeout(timer);
  }
}
