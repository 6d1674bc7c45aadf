// newaliases' file safety (aliases-forward.md §3 step 2): before an alias file is read, the file and
// every directory of its path must be owned by root or TrustedUser and not writable by group or
// others; DontBlameSendmail relaxes exactly the cases it names. The judgement is a pure function of
// the facts gathered by aliasFileFacts().

import { lstat, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface AliasFileFacts {
  mode: number;
  uid: number;
  symlink: boolean;
  /** The directory holding the link is writable by others. */
  linkDirWritableByOthers: boolean;
  /** Every directory from / down to the file's (for a link: the link's and the target's). */
  dirs: Array<{ path: string; uid: number; mode: number }>;
}

export type FactsResult = { ok: true; facts: AliasFileFacts } | { ok: false; code: string };

function parents(path: string): string[] {
  const out: string[] = [];
  let d = dirname(path);
  for (;;) {
    out.unshift(d);
    const up = dirname(d);
    if (up === d) return out;
    d = up;
  }
}

export async function aliasFileFacts(path: string): Promise<FactsResult> {
  try {
    const l = await lstat(path);
    const symlink = l.isSymbolicLink();
    const st = symlink ? await stat(path) : l;
    const dirPaths = symlink ? [...parents(path), ...parents(await realpath(path))] : parents(path);
    const dirs: AliasFileFacts['dirs'] = [];
    for (const d of new Set(dirPaths)) {
      const ds = await stat(d);
      dirs.push({ path: d, uid: ds.uid, mode: ds.mode });
    }
    const linkDirWritableByOthers = symlink && ((await stat(dirname(path))).mode & 0o002) !== 0;
    return { ok: true, facts: { mode: st.mode, uid: st.uid, symlink, linkDirWritableByOthers, dirs } };
  } catch (e) {
    return { ok: false, code: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8)}`;
}

/** The reason the file is unsafe, or undefined. `owners`: root, TrustedUser (and the caller in embedded mode). */
export function judgeAliasFile(f: AliasFileFacts, owners: ReadonlySet<number>, dontBlame: ReadonlySet<string>): string | undefined {
  for (const d of f.dirs) {
    if (!owners.has(d.uid)) return `directory ${d.path} is owned by uid ${d.uid}`;
    let mode = d.mode;
    if (dontBlame.has('TrustStickyBit') && (mode & 0o1000) !== 0) mode &= ~0o022;
    if (dontBlame.has('GroupWritableDirPathSafe')) mode &= ~0o020;
    if ((mode & 0o022) !== 0) return `directory ${d.path} is writable by ${(mode & 0o002) !== 0 ? 'others' : 'its group'} (mode ${octal(d.mode)})`;
  }
  if ((f.mode & 0o170000) !== 0o100000) return 'not a regular file';
  if (!owners.has(f.uid)) return `owned by uid ${f.uid}, not by root or TrustedUser`;
  if (f.symlink && f.linkDirWritableByOthers && !dontBlame.has('LinkedAliasFileInWritableDir')) {
    return 'symbolic link in a directory writable by others (DontBlameSendmail=LinkedAliasFileInWritableDir allows it)';
  }
  if ((f.mode & 0o002) !== 0) {
    if (!dontBlame.has('WorldWritableAliasFile')) return `mode ${octal(f.mode)} is writable by others (DontBlameSendmail=WorldWritableAliasFile allows it)`;
  } else if ((f.mode & 0o020) !== 0 && !dontBlame.has('GroupWritableAliasFile')) {
    return `mode ${octal(f.mode)} is writable by its group (DontBlameSendmail=GroupWritableAliasFile allows it)`;
  }
  return undefined;
}
