// One configuration layer (config-formats.md §1): everything one source — an imported .mc or .cf,
// postern.conf, or the command line — says, with the file and line of each statement. Loaders fill a
// layer; merge.ts stacks the layers.

import type { DiagnosticList, Location } from '../util/diagnostics.js';
import { checkFeature, type FeatureUse } from './features.js';
import { stringKind } from './kinds.js';
import { optionDef, resolveLetterOption, resolveLongOption, type OptionAssignment, type OptionName } from './options.js';

export type LayerKind = 'imported' | 'native' | 'cli';

export interface OptionSetting {
  value: unknown;
  /** The text as configured (for display and floor reports). */
  raw: string;
  /** Absent for the command line. */
  at?: Location;
  implied: boolean;
}

export interface ClassWord {
  cls: string;
  word: string;
  at?: Location;
}

export interface ClassFileSpec {
  cls: string;
  path: string;
  optional: boolean;
  /** The scanf pattern of an `F` line (`%[^#]`), if any. */
  pattern?: string;
  at?: Location;
  /** Postern's own default (not configured anywhere). */
  isDefault?: boolean;
}

export interface Located<T> {
  value: T;
  at?: Location;
}

export interface MailerDef {
  name: string;
  /** Field letter → value (`P`, `F`, `A`...). */
  fields: Record<string, string>;
  at?: Location;
}

export interface AccessMapSpec {
  /** The text source Postern reads (the `.db` suffix dropped). */
  path: string;
  /** The path as configured, when it named a `.db` file. */
  configuredPath?: string;
  optional: boolean;
  /** access_db options: skip, lookupdotdomain, relaytofulladdress. */
  flags: string[];
  at?: Location;
}

export interface LocalMailerSpec {
  path: string;
  argv: string[];
  flags: string;
  at?: Location;
}

export interface ProgMailerSpec {
  /** `P=` of the Mprog line, or the smrsh/shell path an .mc implies. */
  path: string;
  /** `A=` words. */
  argv: string[];
  flags?: string;
  at?: Location;
}

/** What an imported file says about itself (config show prints it). */
export interface ImportInfo {
  kind?: 'mc' | 'cf';
  path?: string;
  versionId?: Located<string>;
  osType?: Located<string>;
  domain?: Located<string>;
  /** confCF_VERSION of an .mc (appended to $Z). */
  cfVersion?: Located<string>;
  /** `V10/Berkeley` of a .cf. */
  cfLevel?: Located<number>;
  vendor?: string;
  smartHost?: Located<string>;
}

export class ConfigLayer {
  readonly options = new Map<OptionName, OptionSetting>();
  readonly features: FeatureUse[] = [];
  readonly classWords: ClassWord[] = [];
  readonly classFiles: ClassFileSpec[] = [];
  readonly macros = new Map<string, Located<string>>();
  readonly headers = new Map<string, Located<string>>();
  readonly precedence = new Map<string, Located<number>>();
  /** Texts of the generated rulesets (confREJECT_MSG, confRELAY_MSG, confRCPTREJ_MSG). */
  readonly texts = new Map<string, Located<string>>();
  readonly mailers = new Map<string, MailerDef>();
  /** Options seen that Postern ignores (recorded for show and audit). */
  readonly ignoredOptions: Array<{ name: string; raw: string; at?: Location }> = [];
  accessMap?: AccessMapSpec;
  /** FEATURE(mailertable) / Kmailertable: the text source (the same shape as the access map's). */
  mailertable?: AccessMapSpec;
  progMailer?: ProgMailerSpec;
  localMailer?: LocalMailerSpec;
  /** True when DaemonPortOptions came from DAEMON_OPTIONS() of an .mc (the MSA default is kept). */
  daemonOptionsFromMc = false;
  readonly info: ImportInfo = {};
  /** Every file this layer read (the file itself and its includes). */
  readonly files: string[] = [];

  constructor(
    readonly kind: LayerKind,
    readonly diags: DiagnosticList,
  ) {}

  /** `Name=value` with a long name (case-insensitive); `verbatim` keeps surrounding spaces (quoted values). */
  setLong(name: string, raw: string, at?: Location, verbatim = false): void {
    const r = resolveLongOption(name, raw);
    if (!r.ok) {
      this.diags.error(r.message, at);
      return;
    }
    this.apply(r.assignments, at, verbatim);
  }

  /** `O<c>value` / `-o<c>value`. */
  setLetter(letter: string, raw: string, at?: Location): void {
    const r = resolveLetterOption(letter, raw);
    if (!r.ok) {
      this.diags.error(r.message, at);
      return;
    }
    this.apply(r.assignments, at);
  }

  apply(assignments: OptionAssignment[], at?: Location, verbatim = false): void {
    for (const a of assignments) this.setOne(a.name, a.raw, a.implied, at, verbatim);
  }

  /** Sets an already typed value (a loader translating a construct such as Mprog into an option). */
  setTyped(name: OptionName, value: unknown, raw: string, at?: Location): void {
    this.options.set(name, { value, raw, implied: false, ...(at ? { at } : {}) });
  }

  private setOne(name: OptionName, raw: string, implied: boolean, at: Location | undefined, verbatim: boolean): void {
    const def = optionDef(name);
    const text = verbatim ? raw : raw.trim();
    if (!def.implemented) {
      this.diags.warning(`option ${name} is not implemented by Postern; ignored`, at);
      this.ignoredOptions.push({ name, raw: text, ...(at ? { at } : {}) });
    }
    let value: unknown;
    if (text === '' && def.unsettable) {
      value = undefined;
    } else if (text === '' && def.kind === stringKind) {
      this.diags.error(`${name}: empty value`, at);
      return;
    } else {
      const parsed = def.kind.parse(text);
      if (!parsed.ok) {
        this.diags.error(parsed.message.startsWith(name) ? parsed.message : `${name}: ${parsed.message}`, at);
        return;
      }
      for (const w of parsed.warnings ?? []) this.diags.warning(w, at);
      value = parsed.value;
    }
    const previous = this.options.get(name);
    if (def.accumulate) {
      const list = previous && Array.isArray(previous.value) ? (previous.value as unknown[]) : [];
      value = [...list, ...(value as unknown[])];
      raw = previous ? `${previous.raw} | ${text}` : text;
    } else if (previous && !previous.implied && !implied) {
      const where = previous.at ? ` (first set at ${previous.at.file}:${previous.at.line})` : '';
      this.diags.warning(`option ${name} set more than once${where}; the later value wins`, at);
    }
    this.options.set(name, { value, raw: def.accumulate ? raw : text, implied, ...(at ? { at } : {}) });
  }

  /** Records a FEATURE after checking it; returns false when it was refused. */
  addFeature(name: string, args: string[], at: Location): boolean {
    const v = checkFeature(name, args);
    for (const e of v.errors) this.diags.error(e, at);
    for (const w of v.warnings) this.diags.warning(w, at);
    if (v.errors.length > 0) return false;
    // Only the DNS blocklists may be listed several times; for the others the later use counts.
    if (v.name !== 'dnsbl' && v.name !== 'enhdnsbl') {
      const i = this.features.findIndex((f) => f.name === v.name);
      if (i >= 0) this.features.splice(i, 1);
    }
    this.features.push({ name: v.name, args, file: at.file, line: at.line, layer: this.kind === 'imported' ? 'imported' : 'native' });
    return true;
  }

  hasFeature(name: string): boolean {
    return this.features.some((f) => f.name === name);
  }

  addClassWords(cls: string, words: string[], at?: Location): void {
    for (const word of words) this.classWords.push({ cls, word, ...(at ? { at } : {}) });
  }

  addClassFile(spec: ClassFileSpec): void {
    this.classFiles.push(spec);
  }

  setMacro(name: string, value: string, at?: Location): void {
    this.macros.set(name, { value, ...(at ? { at } : {}) });
  }
}
