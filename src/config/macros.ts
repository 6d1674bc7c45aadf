// The configuration's contribution to sendmail macros (smtp-session.md §11): `$j`, `$n`, `$Z` and the
// smart host. Run-time macros ($b, $_, ...) belong to the session, not here.

import type { EffectiveConfig } from './effective.js';

/** `$j` as configured (confDOMAIN_NAME / Dj), or undefined: the server then asks the resolver. */
export function configuredHostName(cfg: EffectiveConfig): string | undefined {
  const j = cfg.macros['j']?.value.trim();
  return j === undefined || j === '' ? undefined : j;
}

/** `$n`: the name used for internal mail (confMAILER_NAME / Dn), default MAILER-DAEMON. */
export function mailerName(cfg: EffectiveConfig): string {
  const n = cfg.macros['n']?.value.trim();
  return n === undefined || n === '' ? 'MAILER-DAEMON' : n;
}

/**
 * `$Z`: the DZ line of an imported .cf; for an imported .mc the cf version (Postern's own version,
 * since Postern generates nothing from sendmail's cf tree) plus `/` + confCF_VERSION; else `$v`.
 */
export function configVersion(cfg: EffectiveConfig, posternVersion: string): string {
  const z = cfg.macros['Z']?.value.trim();
  if (z !== undefined && z !== '') return z;
  const suffix = cfg.imported?.cfVersion?.value.trim();
  return suffix !== undefined && suffix !== '' ? `${posternVersion}/${suffix}` : posternVersion;
}

/** The smart host (the SmartHost option [Postern], else SMART_HOST / DS), e.g. `relay.example.net`, `[10.0.0.1]` or `esmtp:host`. */
export function smartHost(cfg: EffectiveConfig): string | undefined {
  const native = cfg.options.SmartHost?.trim();
  if (native !== undefined && native !== '') return native;
  const s = cfg.macros['S']?.value.trim();
  return s === undefined || s === '' ? undefined : s;
}
