// The hardening floor (config-formats.md §6): values that came from an imported sendmail.mc or
// sendmail.cf cannot make Postern weaker than its defaults. Also the refusals that hold whatever the
// layer while the floor is on (promiscuous_relay, MatchGECOS, SuperSafe, ProgMailer=shell).

import type { DiagnosticList } from '../util/diagnostics.js';
import { DBS_FLOOR_DROPPED, type DontBlameValue } from './dont-blame.js';
import type { EffectiveConfig, OptionSource } from './effective.js';
import type { PrivacyBase } from './merge.js';
import type { ProgMailerValue } from './kinds.js';
import { formatOptionValue, type OptionName } from './option-table.js';
import { parsePrivacy, privacyUnion, POSTERN_PRIVACY_DEFAULT, samePrivacy, type PrivacyValue } from './privacy.js';

function fromImported(cfg: EffectiveConfig, name: OptionName): { file: string; line: number } | undefined {
  const s = cfg.sources[name];
  return s.kind === 'file' && s.layer === 'imported' ? { file: s.file, line: s.line } : undefined;
}


function record(
  cfg: EffectiveConfig,
  diags: DiagnosticList,
  name: OptionName,
  newValue: unknown,
  where: { file: string; line: number },
  importedValue: unknown = cfg.options[name],
): void {
  const imported = formatOptionValue(name, importedValue);
  const effective = formatOptionValue(name, newValue);
  (cfg.options as Record<string, unknown>)[name] = newValue;
  const source: OptionSource = { kind: 'floor', importedValue: imported, file: where.file, line: where.line };
  cfg.sources[name] = source;
  cfg.floorChanges.push({ option: name, imported, effective, file: where.file, line: where.line });
  diags.notice(`hardening floor: ${name} ${imported} -> ${effective}`, where);
}

const POSTERN_PRIVACY = ((): PrivacyValue => {
  const r = parsePrivacy(POSTERN_PRIVACY_DEFAULT);
  if (!r.ok) throw new Error(r.message);
  return r.value;
})();

function floorImported(cfg: EffectiveConfig, diags: DiagnosticList, privacyBase: PrivacyBase): void {
  const o = cfg.options;
  const pb = privacyBase.source;
  let w: { file: string; line: number } | undefined =
    pb.kind === 'file' && pb.layer === 'imported' ? { file: pb.file, line: pb.line } : undefined;
  if (w !== undefined) {
    const merged = privacyUnion(o.PrivacyOptions, POSTERN_PRIVACY);
    if (!samePrivacy(merged, o.PrivacyOptions)) {
      record(cfg, diags, 'PrivacyOptions', merged, w, privacyBase.value);
      for (const word of merged.words) {
        if (!cfg.privacyWords.some((p) => p.word === word)) {
          cfg.privacyWords.push({ word, source: cfg.sources.PrivacyOptions });
        }
      }
      cfg.privacyWords = cfg.privacyWords.filter((p) => p.word !== 'public' || merged.words.includes('public'));
    }
  }
  for (const name of ['QueueFileMode', 'TempFileMode'] as const) {
    w = fromImported(cfg, name);
    if (w !== undefined && (o[name] & ~0o600) !== 0) record(cfg, diags, name, o[name] & 0o600, w);
  }
  w = fromImported(cfg, 'SafeFileEnvironment');
  if (w !== undefined && o.SafeFileEnvironment === undefined) record(cfg, diags, 'SafeFileEnvironment', '/', w);
  w = fromImported(cfg, 'DontBlameSendmail');
  if (w !== undefined) {
    const kept = o.DontBlameSendmail.flags.filter((f) => !DBS_FLOOR_DROPPED.includes(f));
    if (kept.length !== o.DontBlameSendmail.flags.length) {
      const next: DontBlameValue = { flags: kept.length > 0 ? kept : ['Safe'] };
      record(cfg, diags, 'DontBlameSendmail', next, w);
    }
  }
  for (const name of ['RejectNUL', 'StrictCRLF', 'StrictPipelining'] as const) {
    w = fromImported(cfg, name);
    if (w !== undefined && o[name] === false) record(cfg, diags, name, true, w);
  }
  w = fromImported(cfg, 'ProgMailer');
  if (w !== undefined && o.ProgMailer.kind === 'shell') {
    const path = cfg.progMailer?.path ?? '/bin/sh';
    diags.notice(`prog mailer P=${path} replaced by smrsh (HardeningFloor)`, w);
    const smrsh: ProgMailerValue = { kind: 'smrsh' };
    record(cfg, diags, 'ProgMailer', smrsh, w);
  }
}

function settingAt(cfg: EffectiveConfig, name: OptionName): { file?: string; line?: number } {
  const s = cfg.sources[name];
  return s.kind === 'file' ? { file: s.file, line: s.line } : {};
}

/** Refusals that hold for every layer while the floor is on. */
function refusals(cfg: EffectiveConfig, diags: DiagnosticList): void {
  for (const f of cfg.features['promiscuous_relay'] ?? []) {
    diags.error('promiscuous_relay requires HardeningFloor=False', { file: f.file, line: f.line });
  }
  if (cfg.options.MatchGECOS !== undefined && cfg.options.MatchGECOS === 'True') {
    diags.error('MatchGECOS=True is refused while HardeningFloor is on', settingAt(cfg, 'MatchGECOS'));
  }
  const superSafe = cfg.options.SuperSafe;
  if (superSafe !== undefined && /^[fFnN]/.test(superSafe)) {
    diags.error('SuperSafe=False is refused while HardeningFloor is on', settingAt(cfg, 'SuperSafe'));
  }
  if (cfg.options.ProgMailer.kind === 'shell') {
    diags.error('ProgMailer=shell requires HardeningFloor=False', settingAt(cfg, 'ProgMailer'));
  }
}

/** `privacyBase`: PrivacyOptions as configured before -O additions (merge.ts). */
export function applyHardeningFloor(
  cfg: EffectiveConfig,
  diags: DiagnosticList,
  privacyBase: PrivacyBase = { source: cfg.sources.PrivacyOptions, value: cfg.options.PrivacyOptions },
): void {
  if (cfg.profile !== 'postern') return;
  if (!cfg.options.HardeningFloor) {
    for (const f of cfg.features['promiscuous_relay'] ?? []) {
      diags.warning('FEATURE(promiscuous_relay) with HardeningFloor=False: this server is an open relay', {
        file: f.file,
        line: f.line,
      });
    }
    return;
  }
  floorImported(cfg, diags, privacyBase);
  refusals(cfg, diags);
}

