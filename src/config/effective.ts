// The effective configuration: what the rest of Postern reads. Produced by load.ts.

import type { Location } from '../util/diagnostics.js';
import type { ListenerSpec } from './daemon-options.js';
import type { FeatureUse } from './features.js';
import type {
  AccessMapSpec,
  ClassFileSpec,
  ImportInfo,
  LocalMailerSpec,
  Located,
  ProgMailerSpec,
} from './layer.js';
import type { OptionName, OptionValues } from './option-table.js';
import type { PrivacyWord } from './privacy.js';

export type OptionSource =
  | { kind: 'default' }
  | { kind: 'file'; file: string; line: number; layer: 'imported' | 'native' }
  | { kind: 'command-line' }
  /** The hardening floor replaced the value an imported file gave. */
  | { kind: 'floor'; importedValue: string; file: string; line: number };

export interface FloorChange {
  option: string;
  imported: string;
  effective: string;
  file: string;
  line: number;
}

export interface ClassEntry {
  word: string;
  /** Undefined for Postern's built-in entries (class t: root, daemon, uucp). */
  at?: Location;
}

export type ConfigProfile = 'postern' | 'sendmail';

export interface EffectiveConfig {
  /** `postern`: hardened defaults and the floor; `sendmail`: sendmail 8.17's defaults, no floor (audit --sendmail). */
  profile: ConfigProfile;
  /** No configuration file (or embedded requested): loopback listener on 2525, ./spool. */
  embedded: boolean;
  options: OptionValues;
  sources: Record<OptionName, OptionSource>;
  /** Each value the hardening floor changed, in the order they were found. */
  floorChanges: FloorChange[];
  /** PrivacyOptions words with where each came from (config show prints them one by one). */
  privacyWords: Array<{ word: PrivacyWord; source: OptionSource }>;
  /** Configured class words (class name without braces: `w`, `R`, `t`, `TrustAuthMech`...). */
  classes: Record<string, ClassEntry[]>;
  /** Class files to read (maps/class-file.ts reads them). */
  classFiles: ClassFileSpec[];
  /** FEATUREs by name, each use in configuration order (dnsbl may be used several times). */
  features: Record<string, FeatureUse[]>;
  /** Every FEATURE use in configuration order (dnsbl and enhdnsbl lists are queried in this order). */
  featureList: FeatureUse[];
  /** Macros: `j` ($j), `Z`, `n`, `S` (smart host), and any other D line. */
  macros: Record<string, Located<string>>;
  listeners: ListenerSpec[];
  listenersSource: OptionSource;
  /** The access map text source, when access_db is on. */
  accessMap?: AccessMapSpec;
  /** The mailertable text source, when FEATURE(mailertable) is on (issue 7). */
  mailertable?: AccessMapSpec;
  /** The imported prog mailer definition (Mprog / FEATURE(smrsh) / MAILER(local)), for display and audit. */
  progMailer?: ProgMailerSpec;
  /** The external local mailer (used only with LocalMailer=external). */
  localMailer?: LocalMailerSpec;
  /** What the imported .mc/.cf said about itself. */
  imported?: ImportInfo & { kind: 'mc' | 'cf'; path: string };
  /** Header templates (only `Received` is used). */
  headers: Record<string, Located<string>>;
  /** Precedence name → class value (P lines). */
  precedence: Record<string, number>;
  /** Texts of the generated rulesets. */
  texts: { rejectMsg: string; relayMsg: string; rcptRejectMsg: string; ednsblRetries: number };
  /** sendmail options that were set but that Postern ignores. */
  ignoredOptions: Array<{ name: string; raw: string; at?: Location }>;
  /** Every configuration file read: postern.conf, the imported file, include()d files. */
  files: string[];
}
