// The allowlist directory and its entries (program-and-file-delivery.md §2.2, §2.3 step 4), checked
// by the agent after it has become the delivering user (so "executable" means executable for them).

import { accessSync, constants, statSync } from 'node:fs';
import { notAvailable, type EntryCheck } from './smrsh-parse.js';
import { errCode } from './errors.js';

const PATH_MAX = 4096;

/** Why the directory may not be used at all, or undefined. A directory that is missing is not refused here: its entries are. */
export function smrshDirectoryProblem(dir: string): string | undefined {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return undefined;
  }
  if (!st.isDirectory()) return `smrsh: ${dir} is not a directory`;
  if (st.uid !== 0) return `smrsh: ${dir} is not owned by root`;
  if ((st.mode & 0o022) !== 0) return `smrsh: ${dir} is writable by group or others`;
  return undefined;
}

/**
 * The lookup of one name. `log` receives the reason behind a refusal that the transcript states only
 * as "(stat failed)" (an unsafe entry is refused like a missing one).
 */
export function entryCheck(dir: string, runWritableProgram: boolean, log: (line: string) => void): EntryCheck {
  return (name) => {
    const path = `${dir}/${name}`;
    if (Buffer.byteLength(path) >= PATH_MAX) return notAvailable(name, 'filename too long');
    let st;
    try {
      st = statSync(path);
    } catch (e) {
      if (errCode(e) === 'ENAMETOOLONG') return notAvailable(name, 'filename too long');
      return notAvailable(name, 'stat failed');
    }
    if (!st.isFile()) return notAvailable(name, 'not a file');
    if (!runWritableProgram && (st.uid !== 0 || (st.mode & 0o022) !== 0)) {
      log(`smrsh: ${path} refused: ${st.uid !== 0 ? 'not owned by root' : 'writable by group or others'} (DontBlameSendmail RunWritableProgram allows it)`);
      return notAvailable(name, 'stat failed');
    }
    try {
      accessSync(path, constants.X_OK);
    } catch {
      return notAvailable(name);
    }
    return undefined;
  };
}
