// op.me §4.9.2 / config-formats.md §1: configuration files and the side files they name must be owned
// by root, TrustedUser or the account the daemon runs as, and must not be writable by group or others;
// otherwise the daemon refuses to start, naming the file. DontBlameSendmail relaxes exactly the cases it
// names (a group- or world-writable alias file).

import { stat } from 'node:fs/promises';
import type { DiagnosticList } from '../util/diagnostics.js';

export type SideFileKind = 'config' | 'alias' | 'class' | 'map';

export interface FileSafetyPolicy {
  /** uids allowed to own configuration files */
  owners: ReadonlySet<number>;
  dontBlame: ReadonlySet<string>;
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8)}`;
}

/** Checks one existing file; a missing file is not this check's business (the loaders report it). */
export async function checkFileSafety(path: string, kind: SideFileKind, policy: FileSafetyPolicy, diags: DiagnosticList): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch {
    return;
  }
  if (!policy.owners.has(st.uid)) {
    diags.error(`unsafe ${kind} file: owned by uid ${st.uid}, not by root, TrustedUser or the daemon's user`, { file: path });
    return;
  }
  const worldWritable = (st.mode & 0o002) !== 0;
  const groupWritable = (st.mode & 0o020) !== 0;
  if (kind === 'alias') {
    if (worldWritable && !policy.dontBlame.has('WorldWritableAliasFile')) {
      diags.error(`unsafe alias file: mode ${octal(st.mode)} is writable by others (DontBlameSendmail=WorldWritableAliasFile allows it)`, { file: path });
    } else if (groupWritable && !worldWritable && !policy.dontBlame.has('GroupWritableAliasFile')) {
      diags.error(`unsafe alias file: mode ${octal(st.mode)} is writable by its group (DontBlameSendmail=GroupWritableAliasFile allows it)`, { file: path });
    }
    return;
  }
  if (worldWritable || groupWritable) {
    diags.error(`unsafe ${kind} file: mode ${octal(st.mode)} is writable by ${worldWritable ? 'others' : 'its group'}`, { file: path });
  }
}
