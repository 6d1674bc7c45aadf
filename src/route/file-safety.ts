// The safety rules for .forward and :include: files (aliases-forward.md §4, §5.3, §7) as pure
// functions of the facts a reader gathered (route/file-access.ts) and of DontBlameSendmail: a file is
// either not used (with the reason that is logged or put in the failure text) or used, possibly with
// its entries marked *unsafe* (no programs, no files).

import type { DirFact, FileRead } from './file-access.js';

export interface SafetyRules {
  /** DontBlameSendmail flags in their canonical spelling. */
  dontBlame: ReadonlySet<string>;
  /** UnsafeGroupWrites: entries of a group-writable file that is read at all are unsafe. */
  unsafeGroupWrites: boolean;
}

export type Verdict = { use: true; unsafe: boolean } | { use: false; reason: string };

type OkRead = Extract<FileRead, { status: 'ok' }>;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const STICKY = 0o1000;

export const UNSAFE_DIRECTORY_PATH = 'unsafe directory path';

/**
 * The worst problem on the directory path: `any` (a directory owned by someone else or writable by
 * others), `group` (only group-writable directories), or none.
 */
export function directoryPathProblem(dirs: readonly DirFact[], owners: ReadonlySet<number>, rules: SafetyRules): 'any' | 'group' | undefined {
  let worst: 'any' | 'group' | undefined;
  for (const d of dirs) {
    if (!owners.has(d.uid)) return 'any';
    let mode = d.mode;
    if (rules.dontBlame.has('TrustStickyBit') && (mode & STICKY) !== 0) mode &= ~0o022;
    if (rules.dontBlame.has('GroupWritableDirPathSafe')) mode &= ~0o020;
    if ((mode & 0o002) !== 0) return 'any';
    if ((mode & 0o020) !== 0) worst = 'group';
  }
  return worst;
}

interface Flags {
  groupDirs: string;
  unsafeDirs: string;
  unsafeDirsSafe: string;
  linked: string;
  groupFile: string;
  groupFileSafe: string;
  worldFile: string;
}

const FORWARD: Flags = {
  groupDirs: 'ForwardFileInGroupWritableDirPath',
  unsafeDirs: 'ForwardFileInUnsafeDirPath',
  unsafeDirsSafe: 'ForwardFileInUnsafeDirPathSafe',
  linked: 'LinkedForwardFileInWritableDir',
  groupFile: 'GroupWritableForwardFile',
  groupFileSafe: 'GroupWritableForwardFileSafe',
  worldFile: 'WorldWritableForwardfile',
};

const INCLUDE: Flags = {
  groupDirs: 'IncludeFileInGroupWritableDirPath',
  unsafeDirs: 'IncludeFileInUnsafeDirPath',
  unsafeDirsSafe: 'IncludeFileInUnsafeDirPathSafe',
  linked: 'LinkedIncludeFileInWritableDir',
  groupFile: 'GroupWritableIncludeFile',
  groupFileSafe: 'GroupWritableIncludeFileSafe',
  worldFile: 'WorldWritableIncludefile',
};

function judge(read: OkRead, owners: ReadonlySet<number>, fileOwnerOk: (uid: number) => string | undefined, rules: SafetyRules, f: Flags): Verdict {
  const has = (flag: string): boolean => rules.dontBlame.has(flag);
  let unsafe = false;
  const dirs = directoryPathProblem(read.dirs, owners, rules);
  if (dirs !== undefined) {
    const relaxed = has(f.unsafeDirs) || (dirs === 'group' && has(f.groupDirs));
    if (!relaxed) return { use: false, reason: UNSAFE_DIRECTORY_PATH };
    if (!has(f.unsafeDirsSafe)) unsafe = true;
  }
  if ((read.file.mode & S_IFMT) !== S_IFREG) return { use: false, reason: 'not a regular file' };
  const owner = fileOwnerOk(read.file.uid);
  if (owner !== undefined) return { use: false, reason: owner };
  if (read.symlink && read.linkDirWritableByOthers && !has(f.linked)) return { use: false, reason: 'symbolic link in a writable directory' };
  if ((read.file.mode & 0o002) !== 0) {
    if (!has(f.worldFile)) return { use: false, reason: 'world writable file' };
    unsafe = true;
  } else if ((read.file.mode & 0o020) !== 0) {
    if (!has(f.groupFile)) return { use: false, reason: 'group writable file' };
    if (!has(f.groupFileSafe) && rules.unsafeGroupWrites) unsafe = true;
  }
  return { use: true, unsafe };
}

/** §5.3 checks 1–5 for the .forward of the user `uid` (check 6, the shell, is made by the caller). */
export function judgeForward(read: OkRead, user: { name: string; uid: number }, rules: SafetyRules): Verdict {
  const owners = new Set([0, user.uid]);
  const ownerOk = (uid: number): string | undefined => (owners.has(uid) ? undefined : `owned by uid ${uid}, not by ${user.name} or root`);
  return judge(read, owners, ownerOk, rules, FORWARD);
}

/**
 * §4 for a :include: file read as `readerUid`: its directories may belong to root, the file's owner or
 * the reader; the file may belong to anyone (its owner becomes the controlling user).
 */
export function judgeInclude(read: OkRead, readerUid: number, rules: SafetyRules): Verdict {
  return judge(read, new Set([0, read.file.uid, readerUid]), () => undefined, rules, INCLUDE);
}
