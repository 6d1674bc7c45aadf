// UserFileAccess as an agent job (delivery-design.md; aliases-forward.md §5.3): a .forward or
// :include: file read as its user, with the facts routing needs to judge it: the file's stat,
// whether the path is a symbolic link and whether the link's directory is writable by others, and
// every directory from / down to the one holding the file (owner and mode).

import { close, constants as fs, fstat, lstat, read, realpath, stat, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, basename } from 'node:path';
import type { ReadJob } from './agent-protocol.js';
import { errCode, reasonOf } from './errors.js';
import type { FileRead, StatInfo } from './shared-types.js';
import { openWithTimeout } from './open-timeout.js';

/** A .forward or an include list larger than this is refused rather than read. */
export const READ_LIMIT = 32 * 1024 * 1024;

const lstatP = promisify(lstat);
const statP = promisify(stat);
const fstatP = promisify(fstat);
const realpathP = promisify(realpath);
const readP = promisify(read);
const closeP = promisify(close);

const MISSING = new Set(['ENOENT', 'ENOTDIR']);
const TRANSIENT = new Set(['EIO', 'ETIMEDOUT', 'EAGAIN', 'ESTALE', 'EINTR', 'ENOMEM', 'ENFILE', 'EMFILE', 'EBUSY']);

function info(st: Stats): StatInfo {
  return { dev: st.dev, ino: st.ino, mode: st.mode, uid: st.uid, gid: st.gid, nlink: st.nlink, size: st.size };
}

function fromError(e: unknown): FileRead {
  const c = errCode(e);
  if (c !== undefined && MISSING.has(c)) return { status: 'missing' };
  if (c !== undefined && TRANSIENT.has(c)) return { status: 'transient', reason: reasonOf(e) };
  return { status: 'denied', reason: reasonOf(e) };
}

/** Every directory from / down to `dir` (which is already a real path). */
async function dirChain(dir: string): Promise<Array<{ path: string; uid: number; mode: number }>> {
  const parts = dir.split('/').filter((p) => p.length > 0);
  const paths = ['/'];
  for (let i = 1; i <= parts.length; i++) paths.push(`/${parts.slice(0, i).join('/')}`);
  const out: Array<{ path: string; uid: number; mode: number }> = [];
  for (const p of paths) {
    const st = await statP(p);
    out.push({ path: p, uid: st.uid, mode: st.mode });
  }
  return out;
}

async function readAll(fd: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(65536);
    const { bytesRead } = await readP(fd, buf, 0, buf.length, null);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > READ_LIMIT) throw Object.assign(new Error('File too large'), { code: 'EFBIG' });
    chunks.push(buf.subarray(0, bytesRead));
  }
  return Buffer.concat(chunks);
}

async function readFacts(path: string, timeoutMs: number): Promise<FileRead> {
  let link: Stats;
  try {
    link = await lstatP(path);
  } catch (e) {
    return fromError(e);
  }
  const symlink = link.isSymbolicLink();
  let dir: string;
  try {
    dir = await realpathP(dirname(path));
  } catch (e) {
    return fromError(e);
  }
  const dirs = await dirChain(dir);
  const linkDirWritableByOthers = symlink && (dirs[dirs.length - 1].mode & 0o002) !== 0;
  let target: Stats;
  try {
    target = symlink ? await statP(path) : link;
  } catch (e) {
    return fromError(e);
  }
  // Not a regular file: the facts are enough to refuse it, and opening a FIFO or a device could hang
  // or have side effects (a tape rewinds when opened).
  if (!target.isFile()) return { status: 'ok', content: '', file: info(target), symlink, linkDirWritableByOthers, dirs };
  if (target.size > READ_LIMIT) return { status: 'denied', reason: 'File too large' };
  const o = await openWithTimeout(path, fs.O_RDONLY | fs.O_NOCTTY | fs.O_NONBLOCK, 0, timeoutMs);
  if (!o.ok) return o.timedOut ? { status: 'transient', reason: 'open timeout' } : fromError(o.error);
  try {
    const st = await fstatP(o.fd);
    if (st.dev !== target.dev || st.ino !== target.ino || !st.isFile()) return { status: 'transient', reason: `${basename(path)} changed while it was opened` };
    const content = await readAll(o.fd);
    return { status: 'ok', content: content.toString('utf8'), file: info(st), symlink, linkDirWritableByOthers, dirs };
  } catch (e) {
    if (errCode(e) === 'EFBIG') return { status: 'denied', reason: 'File too large' };
    return fromError(e);
  } finally {
    await closeP(o.fd).catch(() => undefined);
  }
}

/** The whole read bounded by Timeout.fileopen: a hung file server gives `transient: open timeout`. */
export async function readAsUser(job: ReadJob): Promise<FileRead> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<FileRead>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'transient', reason: 'open timeout' }), job.timeoutMs);
  });
  try {
    return await Promise.race([readFacts(job.path, job.timeoutMs).catch(fromError), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
