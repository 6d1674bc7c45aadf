// Stacking the layers (config-formats.md §1): defaults < imported .mc/.cf < postern.conf < command line.

import type { DiagnosticList } from '../util/diagnostics.js';
import { embeddedListeners, msaListener, sendmailDefaultListeners, type ListenerSpec } from './daemon-options.js';
import type { ClassEntry, ConfigProfile, EffectiveConfig, OptionSource } from './effective.js';
import type { FeatureUse } from './features.js';
import type { ClassFileSpec, ConfigLayer, Located, OptionSetting } from './layer.js';
import { OPTION_NAMES, optionDef, type OptionName, type OptionValues } from './option-table.js';
import { privacyUnion, type PrivacyValue } from './privacy.js';

export interface MergeInput {
  profile: ConfigProfile;
  embedded: boolean;
  imported?: { layer: ConfigLayer; kind: 'mc' | 'cf'; path: string };
  native?: ConfigLayer;
  cli?: ConfigLayer;
}

const DEFAULT_PRECEDENCE: Record<string, number> = {
  'first-class': 0,
  'special-delivery': 100,
  list: -30,
  bulk: -60,
  junk: -100,
};

/** The default of an option as text, per profile (sendmail: binary default, or cfhead.m4's for an .mc). */
export function defaultText(name: OptionName, profile: ConfigProfile, importedKind?: 'mc' | 'cf'): string | undefined {
  const d = optionDef(name);
  if (profile === 'postern') return d.def;
  if (importedKind === 'mc' && d.m4d !== undefined) return d.m4d;
  if (d.sd === null) return undefined;
  return d.sd ?? d.def;
}

export function defaultValue(name: OptionName, profile: ConfigProfile, embedded: boolean, importedKind?: 'mc' | 'cf'): unknown {
  const d = optionDef(name);
  if (d.accumulate) return [];
  if (name === 'QueueDirectory' && embedded && profile === 'postern') return './spool';
  const text = defaultText(name, profile, importedKind);
  if (text === undefined) return undefined;
  const r = d.kind.parse(text);
  // Defaults are constants of the table; one that does not parse is a programming error.
  if (!r.ok) throw new Error(`default of ${name} ("${text}"): ${r.message}`);
  return r.value;
}

function sourceOf(layer: ConfigLayer, s: OptionSetting): OptionSource {
  if (layer.kind === 'cli') return { kind: 'command-line' };
  return { kind: 'file', file: s.at?.file ?? '', line: s.at?.line ?? 0, layer: layer.kind };
}

/** The configured PrivacyOptions before command-line additions, and where they came from. */
export interface PrivacyBase {
  source: OptionSource;
  value: PrivacyValue;
}

export interface MergeResult {
  config: EffectiveConfig;
  privacyBase: PrivacyBase;
}

export function mergeLayers(input: MergeInput, diags: DiagnosticList): MergeResult {
  const layers = [input.imported?.layer, input.native, input.cli].filter((l): l is ConfigLayer => l !== undefined);
  const importedKind = input.imported?.kind;

  const imported = input.imported?.layer;
  if (imported !== undefined) {
    const hf = imported.options.get('HardeningFloor');
    if (hf !== undefined) {
      diags.warning('HardeningFloor can only be set in postern.conf or on the command line; ignored', hf.at);
      imported.options.delete('HardeningFloor');
    }
  }

  const values: Record<string, unknown> = {};
  const sources = {} as Record<OptionName, OptionSource>;
  let privacyWords: EffectiveConfig['privacyWords'] = [];
  // Where the configured PrivacyOptions came from before -O added to them (the floor looks at this).
  for (const name of OPTION_NAMES) {
    values[name] = defaultValue(name, input.profile, input.embedded, importedKind);
    sources[name] = { kind: 'default' };
  }
  const initialPrivacy = values['PrivacyOptions'] as PrivacyValue;
  privacyWords = initialPrivacy.words.map((word) => ({ word, source: { kind: 'default' } }));
  let privacyBase: PrivacyBase = { source: { kind: 'default' }, value: initialPrivacy };

  for (const layer of layers) {
    for (const [name, s] of layer.options) {
      const src = sourceOf(layer, s);
      if (name === 'PrivacyOptions' && layer.kind === 'cli') {
        // Command-line flags are added to the configured ones, never removed (privacy-options.md §3).
        const added = s.value as PrivacyValue;
        values[name] = privacyUnion(values[name] as PrivacyValue, added);
        for (const word of added.words) {
          if (word !== 'public' && !privacyWords.some((w) => w.word === word)) privacyWords.push({ word, source: src });
        }
        if (privacyWords.some((w) => w.word !== 'public')) privacyWords = privacyWords.filter((w) => w.word !== 'public');
        sources[name] = src;
        continue;
      }
      values[name] = s.value;
      sources[name] = src;
      if (name === 'PrivacyOptions') {
        privacyWords = (s.value as PrivacyValue).words.map((word) => ({ word, source: src }));
        privacyBase = { source: src, value: s.value as PrivacyValue };
      }
    }
  }

  const featureList = mergeFeatures(layers, input.profile);
  const features: Record<string, FeatureUse[]> = {};
  for (const f of featureList) (features[f.name] ??= []).push(f);

  const { listeners, listenersSource } = mergeListeners(layers, input.embedded, 'no_default_msa' in features);
  values['DaemonPortOptions'] = listeners;
  sources.DaemonPortOptions = listenersSource;

  const config: EffectiveConfig = {
    profile: input.profile,
    embedded: input.embedded,
    options: values as OptionValues,
    sources,
    floorChanges: [],
    privacyWords,
    classes: mergeClasses(layers),
    classFiles: mergeClassFiles(layers, input.profile, importedKind),
    features,
    featureList,
    macros: mergeMaps(layers.map((l) => l.macros)),
    listeners,
    listenersSource,
    headers: mergeMaps(layers.map((l) => l.headers)),
    precedence: mergePrecedence(layers),
    texts: mergeTexts(layers),
    ignoredOptions: layers.flatMap((l) => l.ignoredOptions),
    files: layers.flatMap((l) => l.files),
  };
  const accessMap = lastDefined(layers.map((l) => l.accessMap));
  if (accessMap !== undefined) config.accessMap = accessMap;
  else if (input.profile === 'postern') config.accessMap = { path: '/etc/mail/access', optional: true, flags: [] };
  const mailertable = lastDefined(layers.map((l) => l.mailertable));
  if (mailertable !== undefined) config.mailertable = mailertable;
  const prog = lastDefined(layers.map((l) => l.progMailer));
  if (prog !== undefined) config.progMailer = prog;
  const local = lastDefined(layers.map((l) => l.localMailer));
  if (local !== undefined) config.localMailer = local;
  if (input.imported !== undefined) {
    config.imported = { ...input.imported.layer.info, kind: input.imported.kind, path: input.imported.path };
  }
  return { config, privacyBase };
}

function lastDefined<T>(items: Array<T | undefined>): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (items[i] !== undefined) return items[i];
  return undefined;
}

function mergeMaps<T>(maps: Array<Map<string, Located<T>>>): Record<string, Located<T>> {
  const out: Record<string, Located<T>> = {};
  for (const m of maps) for (const [k, v] of m) out[k] = v;
  return out;
}

/** Postern turns use_cw_file and access_db on by default; a configured use replaces the default one. */
function mergeFeatures(layers: ConfigLayer[], profile: ConfigProfile): FeatureUse[] {
  const configured = layers.flatMap((l) => l.features);
  if (profile !== 'postern') return configured;
  const defaults: FeatureUse[] = ['use_cw_file', 'access_db']
    .filter((name) => !configured.some((f) => f.name === name))
    .map((name) => ({ name, args: [], file: '', line: 0, layer: 'default' }));
  return [...defaults, ...configured];
}

function mergeListeners(
  layers: ConfigLayer[],
  embedded: boolean,
  noDefaultMsa: boolean,
): { listeners: ListenerSpec[]; listenersSource: OptionSource } {
  let chosen: { layer: ConfigLayer; setting: OptionSetting } | undefined;
  for (const layer of layers) {
    const s = layer.options.get('DaemonPortOptions');
    // Each layer that names listeners names all of them: a higher layer replaces, it does not add.
    if (s !== undefined) chosen = { layer, setting: s };
  }
  if (chosen === undefined) {
    return {
      listeners: embedded ? embeddedListeners() : sendmailDefaultListeners(!noDefaultMsa),
      listenersSource: { kind: 'default' },
    };
  }
  let listeners = chosen.setting.value as ListenerSpec[];
  // DAEMON_OPTIONS() changes the MTA listener; proto.m4 still adds the MSA unless no_default_msa.
  if (chosen.layer.daemonOptionsFromMc && !noDefaultMsa) listeners = [...listeners, msaListener()];
  return { listeners, listenersSource: sourceOf(chosen.layer, chosen.setting) };
}

function mergeClasses(layers: ConfigLayer[]): Record<string, ClassEntry[]> {
  const out: Record<string, ClassEntry[]> = { t: ['root', 'daemon', 'uucp'].map((word) => ({ word })) };
  for (const layer of layers) {
    for (const cw of layer.classWords) {
      const list = (out[cw.cls] ??= []);
      if (list.some((e) => e.word === cw.word)) continue;
      list.push({ word: cw.word, ...(cw.at ? { at: cw.at } : {}) });
    }
  }
  return out;
}

function mergeClassFiles(layers: ConfigLayer[], profile: ConfigProfile, importedKind?: 'mc' | 'cf'): ClassFileSpec[] {
  const configured = layers.flatMap((l) => l.classFiles);
  const defaults: ClassFileSpec[] = [];
  if (profile === 'postern') {
    defaults.push({ cls: 'w', path: '/etc/mail/local-host-names', optional: true, isDefault: true });
  }
  if (profile === 'postern' || importedKind === 'mc') {
    defaults.push({ cls: 'R', path: '/etc/mail/relay-domains', optional: true, isDefault: true });
  }
  const out = defaults.filter((d) => !configured.some((c) => c.cls === d.cls));
  for (const c of configured) {
    if (!out.some((o) => o.cls === c.cls && o.path === c.path)) out.push(c);
  }
  return out;
}

function mergePrecedence(layers: ConfigLayer[]): Record<string, number> {
  const out = { ...DEFAULT_PRECEDENCE };
  for (const l of layers) for (const [k, v] of l.precedence) out[k] = v.value;
  return out;
}

function mergeTexts(layers: ConfigLayer[]): EffectiveConfig['texts'] {
  const texts = { rejectMsg: '550 Access denied', relayMsg: '550 Relaying denied', rcptRejectMsg: '550 Mailbox disabled for this recipient', ednsblRetries: 5 };
  for (const l of layers) {
    const get = (k: string): string | undefined => l.texts.get(k)?.value;
    texts.rejectMsg = get('confREJECT_MSG') ?? texts.rejectMsg;
    texts.relayMsg = get('confRELAY_MSG') ?? texts.relayMsg;
    texts.rcptRejectMsg = get('confRCPTREJ_MSG') ?? texts.rcptRejectMsg;
    const retries = get('EDNSBL_TO');
    if (retries !== undefined) {
      if (/^\d+$/.test(retries)) texts.ednsblRetries = Number(retries);
      else l.diags.error(`EDNSBL_TO: "${retries}" is not a number`, l.texts.get('EDNSBL_TO')?.at);
    }
  }
  return texts;
}
