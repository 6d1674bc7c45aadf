// The queue directory itself: created 0700 when absent, refused when unsafe (queue-and-bounces.md §1),
// fsynced after entries are created, renamed or removed, and asked for its free space.

import { lstat, mkdir, chmod, open, statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { errorCode, SpoolSetupError } from './errors.js';
import { effectiveUid, octalMode } from './file-safety.js';


/**
 * Refuses a queue directory that is a symbolic link, not a directory, not owned by the effective uid
 * (the queue owner), or writable by group or others. Reading or searching by group/others (0750) is
 * allowed here; `postern audit` reports it.
 */
export async function checkQueueDirectory(dir: string): Promise<void> {
  const path = resolve(dir);
  let st;
  try {
    st = await lstat(path);
  } catch (err) {
    const code = errorCode(err);
    const problem = code === 'ENOENT' ? 'does not exist' : `cannot be examined (${code ?? String(err)})`;
    throw new SpoolSetupError(`queue directory ${dir}: ${problem}`);
  }
  if (st.isSymbolicLink()) throw new SpoolSetupError(`queue directory ${dir}: is a symbolic link`);
  if (!st.isDirectory()) throw new SpoolSetupError(`queue directory ${dir}: is not a directory`);
  const owner = effectiveUid();
  if (st.uid !== owner) {
    throw new SpoolSetupError(`queue directory ${dir}: is owned by uid ${st.uid}, not by the queue owner (uid ${owner})`);
  }
  if ((st.mode & 0o022) !== 0) {
    throw new SpoolSetupError(`queue directory ${dir}: is writable by group or others (mode ${octalMode(st.mode)})`);
  }
}

/** Creates the directory with mode 0700 if it does not exist (whatever the umask), then checks it. */
export async function ensureQueueDirectory(dir: string): Promise<void> {
  const path = resolve(dir);
  let exists = true;
  try {
    await lstat(path);
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw new SpoolSetupError(`queue directory ${dir}: cannot be examined (${String(err)})`);
    exists = false;
  }
  if (!exists) {
    try {
      await mkdir(path, { recursive: true, mode: 0o700 });
      await chmod(path, 0o700);
      await fsyncDirectory(dirname(path));
    } catch (err) {
      throw new SpoolSetupError(`queue directory ${dir}: cannot be created (${errorCode(err) ?? String(err)})`);
    }
  }
  await checkQueueDirectory(dir);
}

/** Makes the creation, renaming or removal of entries in `dir` durable. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Space available to the queue owner (not counting blocks reserved for root). */
export async function freeSpace(dir: string): Promise<{ bytes: number; blocks: number; blockSize: number }> {
  const s = await statfs(dir);
  return { bytes: s.bavail * s.bsize, blocks: s.bavail, blockSize: s.bsize };
}
