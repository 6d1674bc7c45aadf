// DontBlameSendmail flag names (aliases-forward.md §7) and the ones the hardening floor drops
// from imported configurations (config-formats.md §6).

import { ok, splitList, type Parsed } from './values.js';

/** Flags Postern implements. */
export const DBS_IMPLEMENTED = [
  'Safe',
  'AssumeSafeChown',
  'FileDeliveryToHardLink',
  'FileDeliveryToSymLink',
  'ForwardFileInGroupWritableDirPath',
  'ForwardFileInUnsafeDirPath',
  'ForwardFileInUnsafeDirPathSafe',
  'DontWarnForwardFileInUnsafeDirPath',
  'GroupWritableAliasFile',
  'GroupWritableDirPathSafe',
  'GroupWritableForwardFile',
  'GroupWritableForwardFileSafe',
  'GroupWritableIncludeFile',
  'GroupWritableIncludeFileSafe',
  'IncludeFileInGroupWritableDirPath',
  'IncludeFileInUnsafeDirPath',
  'IncludeFileInUnsafeDirPathSafe',
  'LinkedAliasFileInWritableDir',
  'LinkedForwardFileInWritableDir',
  'LinkedIncludeFileInWritableDir',
  'MapInUnsafeDirPath',
  'NonRootSafeAddr',
  'RunProgramInUnsafeDirPath',
  'RunWritableProgram',
  'TrustStickyBit',
  'WorldWritableAliasFile',
  'WorldWritableForwardfile',
  'WorldWritableIncludefile',
  'ClassFileInUnsafeDirPath',
  'HelpFileInUnsafeDirPath',
] as const;

/** Other sendmail 8.17 names: accepted with a warning that they have no effect in Postern. */
export const DBS_NO_EFFECT = [
  'ErrorHeaderInUnsafeDirPath',
  'GroupReadableKeyFile',
  'GroupReadableSASLDBFile',
  'GroupReadableDefaultAuthInfoFile',
  'GroupWritableSASLDBFile',
  'InsufficientEntropy',
  'LinkedClassFileInWritableDir',
  'LinkedMapInWritableDir',
  'LinkedServiceSwitchFileInWritableDir',
  'WriteMapToHardLink',
  'WriteMapToSymLink',
  'WriteStatsToHardLink',
  'WriteStatsToSymLink',
  'CertificateInUnsafeDirPath',
] as const;

/** Dropped (with a notice) from imported files while the hardening floor is on. */
export const DBS_FLOOR_DROPPED: readonly string[] = [
  'ForwardFileInUnsafeDirPathSafe',
  'IncludeFileInUnsafeDirPathSafe',
  'GroupWritableForwardFileSafe',
  'GroupWritableIncludeFileSafe',
  'WorldWritableAliasFile',
  'WorldWritableForwardfile',
  'WorldWritableIncludefile',
  'FileDeliveryToSymLink',
  'FileDeliveryToHardLink',
  'RunWritableProgram',
  'NonRootSafeAddr',
];

const CANONICAL = new Map<string, string>(
  [...DBS_IMPLEMENTED, ...DBS_NO_EFFECT].map((n) => [n.toLowerCase(), n] as [string, string]),
);

export interface DontBlameValue {
  /** Canonical spellings, first occurrence order; `Safe` is kept only when it is the only word. */
  flags: readonly string[];
}

export function parseDontBlame(raw: string): Parsed<DontBlameValue> {
  const flags: string[] = [];
  const noEffect: string[] = [];
  const unknown: string[] = [];
  for (const item of splitList(raw)) {
    const canon = CANONICAL.get(item.toLowerCase());
    if (canon === undefined) {
      unknown.push(item);
      continue;
    }
    if ((DBS_NO_EFFECT as readonly string[]).includes(canon)) noEffect.push(canon);
    if (!flags.includes(canon)) flags.push(canon);
  }
  const real = flags.filter((f) => f !== 'Safe');
  const warnings: string[] = [];
  if (noEffect.length > 0) warnings.push(`DontBlameSendmail ${noEffect.join(', ')}: no effect in Postern`);
  // sendmail itself only warns about names it does not know; refusing them would stop a working site.
  if (unknown.length > 0) warnings.push(`DontBlameSendmail: unknown flag ${unknown.join(', ')} ignored`);
  return ok({ flags: real.length > 0 ? real : ['Safe'] }, warnings);
}

export function formatDontBlame(v: DontBlameValue): string {
  return v.flags.join(',');
}
