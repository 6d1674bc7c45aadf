// The master serves the worker files the worker may not read itself (the TLS key, the AUTH password
// file). The worker cannot stat them either when they sit in a directory only root may enter, so the
// file-safety rules (owner, group/world-writable) for the password file are checked here, by root,
// before any worker starts (docs/auth.md).

import type { EffectiveConfig } from '../config/effective.js';
import type { UserEntry } from '../maps/users.js';
import { loadPasswd } from '../maps/users.js';
import { DiagnosticList, formatDiagnostic } from '../util/diagnostics.js';
import { checkFileSafety } from './file-safety.js';

/** The first problem, formatted `file: message`, or undefined when the files are safe. */
export async function unsafeSecretFile(cfg: EffectiveConfig, runAs: UserEntry): Promise<string | undefined> {
  const file = cfg.options.AuthPasswordFile;
  if (file === undefined) return undefined;
  const owners = new Set<number>([0, runAs.uid]);
  const trusted = cfg.options.TrustedUser;
  if (trusted !== undefined && trusted !== '') {
    const u = /^\d+$/.test(trusted) ? { uid: Number(trusted) } : (await loadPasswd()).lookupUser(trusted);
    if (u !== undefined) owners.add(u.uid);
  }
  const diags = new DiagnosticList();
  await checkFileSafety(file, 'map', { owners, dontBlame: new Set(cfg.options.DontBlameSendmail.flags) }, diags);
  const err = diags.items.find((d) => d.severity === 'error');
  return err === undefined ? undefined : formatDiagnostic(err);
}
