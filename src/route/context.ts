// What expandRecipients() needs besides the envelope: the maps, the reader of user files, and the
// options of aliases-forward.md §1 in the engine's units. routeSettings() derives the option part
// from the effective configuration; the runner adds the maps and identities it holds.

import type { EffectiveConfig } from '../config/effective.js';
import type { AliasEntry } from '../maps/aliases.js';
import type { CanonicalOptions, SpecialMode } from '../policy/canonical.js';
import type { UserFileAccess } from './file-access.js';
import type { ShellList } from './shells.js';
import type { Identity } from './types.js';
import type { UserLookup } from './users.js';

export interface AliasLookup {
  /** The entry for `name` (already folded to lower case), searched through the AliasFile list in order. */
  lookup(name: string): AliasEntry | undefined;
  /** The database that has no completeness marker after AliasWait: every local recipient is deferred. */
  unavailable(): string | undefined;
}

export interface RouteOptions {
  maxAliasRecursion: number;
  meToo: boolean;
  forwardPath: readonly string[];
  /** DontBlameSendmail, canonical spellings. */
  dontBlame: ReadonlySet<string>;
  unsafeGroupWrites: boolean;
  /** Timeout.fileopen, ms. */
  fileOpenTimeoutMs: number;
  /** FEATURE(redirect): `user@new.domain.REDIRECT` fails with 551 User has moved. */
  redirect: boolean;
}

export interface RouteLogEvent {
  level: 'info' | 'warning';
  message: string;
  /** The envelope recipient being expanded. */
  recipient: number;
}

export interface ExpandContext {
  /** $j: qualifies local addresses (`user@<j>`) and is the host in the shell texts. */
  j: string;
  /** $w: the short host name, for ForwardPath. */
  w: string;
  /** Class w, the canonical address form and FEATURE(nopercenthack/nouucp). */
  canonical: CanonicalOptions;
  aliases: AliasLookup;
  users: UserLookup;
  files: UserFileAccess;
  shells: ShellList;
  /** Class t: their shells are always valid (§6). */
  trustedUsers: ReadonlySet<string>;
  /** Programs and files of the system alias files and of root's .forward run as this (never root). */
  defaultUser: Identity;
  options: RouteOptions;
  /** sendmail -n: no aliasing and no .forward for this message. */
  noAliasing?: boolean;
  /** The .forward files, :include: files and "expanded to no recipients" of §5–§8 are logged here. */
  log?: (e: RouteLogEvent) => void;
}

function feature(cfg: EffectiveConfig, name: string): boolean {
  return (cfg.features[name]?.length ?? 0) > 0;
}

function special(cfg: EffectiveConfig, name: string): SpecialMode | undefined {
  const uses = cfg.features[name];
  if (uses === undefined || uses.length === 0) return undefined;
  const a = uses[uses.length - 1]!.args[0]?.trim().toLowerCase();
  return a === 'reject' ? 'reject' : a === 'nospecial' ? 'nospecial' : 'on';
}

/** The options of §1 and the canonicalisation features, from the effective configuration. */
export function routeSettings(cfg: EffectiveConfig): { options: RouteOptions; canonical: Pick<CanonicalOptions, 'nopercenthack' | 'nouucp'> } {
  const o = cfg.options;
  const percent = special(cfg, 'nopercenthack');
  const uucp = special(cfg, 'nouucp');
  const canonical: Pick<CanonicalOptions, 'nopercenthack' | 'nouucp'> = {
    ...(percent !== undefined ? { nopercenthack: percent } : {}),
    ...(uucp !== undefined ? { nouucp: uucp } : {}),
  };
  return {
    options: {
      maxAliasRecursion: o.MaxAliasRecursion,
      meToo: o.MeToo,
      forwardPath: o.ForwardPath,
      dontBlame: new Set(o.DontBlameSendmail.flags),
      unsafeGroupWrites: o.UnsafeGroupWrites,
      fileOpenTimeoutMs: o['Timeout.fileopen'],
      redirect: feature(cfg, 'redirect'),
    },
    canonical,
  };
}

/** Class t words configured directly (root, daemon, uucp and T/confTRUSTED_USERS); class files are the caller's. */
export function trustedUserWords(cfg: EffectiveConfig): string[] {
  return (cfg.classes['t'] ?? []).map((e) => e.word);
}
