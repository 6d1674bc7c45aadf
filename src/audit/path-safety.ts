// Ownership and mode of a file and of every directory above it (op.me §4.9.2): the test behind
// alias-file-unsafe, config-file-unsafe and forward-unsafe. Symbolic links are followed inside the
// audit root; both the link's directories and the target's are judged, since either lets its owner
// swap the file.

import type { Stats } from 'node:fs';
import { dirname } from 'node:path';
import { parentDirectories, type RootFs } from './root-fs.js';

export interface SafetyRules {
  /** uids allowed to own the file and its directories. */
  owners: ReadonlySet<number>;
  /** Describes a uid for messages. */
  describeOwner(uid: number): Promise<string>;
  /** Group-writable directories are acceptable (DontBlameSendmail GroupWritableDirPathSafe). */
  groupWritableDirsOk?: boolean;
  /** A sticky world-writable directory counts as safe (DontBlameSendmail TrustStickyBit). */
  trustSticky?: boolean;
}

export type SafetyResult =
  | { ok: true; problems: string[]; target: string; stats: Stats }
  | { ok: false; code: string; at: string };

export function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8)}`;
}

function writableBy(mode: number): string | undefined {
  const group = (mode & 0o020) !== 0;
  const other = (mode & 0o002) !== 0;
  return group && other ? 'group and others' : group ? 'its group' : other ? 'others' : undefined;
}

async function judgeDirectory(fs: RootFs, dir: string, rules: SafetyRules, problems: string[]): Promise<void> {
  let st: Stats;
  try {
    st = await fs.stat(dir);
  } catch {
    return;
  }
  if (!rules.owners.has(st.uid)) problems.push(`directory ${dir} is owned by ${await rules.describeOwner(st.uid)}`);
  let mode = st.mode;
  if (rules.groupWritableDirsOk === true) mode &= ~0o020;
  if (rules.trustSticky === true && (mode & 0o1000) !== 0) mode &= ~0o022;
  const by = writableBy(mode);
  if (by !== undefined) problems.push(`directory ${dir} is writable by ${by} (mode ${octal(st.mode)})`);
}

/** Judges `path` (logical, absolute) and its directories; a missing file is reported as not ok. */
export async function judgePath(root: RootFs, configured: string, rules: SafetyRules): Promise<SafetyResult> {
  const { fs, path } = root.locate(configured);
  const resolved = await fs.statResolved(path);
  if (!resolved.ok) return resolved;
  const problems: string[] = [];
  const dirs = new Set(parentDirectories(resolved.path));
  if (resolved.path !== path) {
    // The directories of the link itself (their own links resolved) count as well.
    const linkDir = await fs.canonical(dirname(path));
    if (linkDir.ok) for (const d of [...parentDirectories(linkDir.path), linkDir.path]) dirs.add(d);
  }
  for (const d of dirs) await judgeDirectory(fs, d, rules, problems);
  const st = resolved.stats;
  const shown = resolved.path === path ? path : `${path} (-> ${resolved.path})`;
  if (!rules.owners.has(st.uid)) problems.push(`${shown} is owned by ${await rules.describeOwner(st.uid)}`);
  const by = writableBy(st.mode);
  if (by !== undefined) problems.push(`${shown} is writable by ${by} (mode ${octal(st.mode)})`);
  return { ok: true, problems, target: resolved.path, stats: st };
}
