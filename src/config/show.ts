// `config show` output: every effective option with its value and its source (config-formats.md §1),
// PrivacyOptions expanded (privacy-options.md §2), then listeners, features, classes and files; and the
// same as JSON for tools.

import { formatListener } from './daemon-options.js';
import type { EffectiveConfig, OptionSource } from './effective.js';
import type { JsonValue } from './kinds.js';
import { formatOptionValue, OPTION_NAMES, optionDef, optionValueJson, type OptionName } from './option-table.js';
import { describePrivacyWord, GOAWAY_FLAGS } from './privacy.js';

export function formatSource(s: OptionSource): string {
  switch (s.kind) {
    case 'default':
      return 'default';
    case 'command-line':
      return 'command line';
    case 'file':
      return `${s.file}:${s.line}`;
    case 'floor':
      return `floor (imported value ${s.importedValue} ignored)`;
  }
}

function displayValue(name: OptionName, cfg: EffectiveConfig): string {
  return formatOptionValue(name, cfg.options[name]);
}

/** Options shown: everything Postern implements, plus ignored sendmail options that are set. */
export function shownOptions(cfg: EffectiveConfig): OptionName[] {
  return OPTION_NAMES.filter((n) => optionDef(n).implemented || cfg.options[n] !== undefined).sort((a, b) =>
    a.toLowerCase().localeCompare(b.toLowerCase()),
  );
}

export function renderText(cfg: EffectiveConfig): string {
  const out: string[] = [];
  out.push(`# Postern effective configuration (${cfg.profile === 'postern' ? 'Postern defaults' : 'sendmail defaults'}${cfg.embedded ? ', embedded' : ''})`);
  if (cfg.imported !== undefined) {
    const i = cfg.imported;
    const bits = [`${i.kind === 'mc' ? 'sendmail.mc' : 'sendmail.cf'} ${i.path}`];
    if (i.versionId) bits.push(`VERSIONID ${i.versionId.value}`);
    if (i.osType) bits.push(`OSTYPE ${i.osType.value}`);
    if (i.domain) bits.push(`DOMAIN ${i.domain.value}`);
    if (i.cfLevel) bits.push(`V${i.cfLevel.value}${i.vendor ? `/${i.vendor}` : ''}`);
    out.push(`# imported: ${bits.join(', ')}`);
  }
  if (cfg.files.length > 0) out.push(`# files read: ${cfg.files.join(', ')}`);
  out.push('');
  const rows = shownOptions(cfg).map((name) => ({
    name,
    left: `${name} = ${displayValue(name, cfg)}`,
    right: `${formatSource(cfg.sources[name])}${optionDef(name).implemented ? '' : ' [not implemented]'}`,
  }));
  const width = Math.min(60, Math.max(...rows.map((r) => r.left.length)));
  for (const { name, left, right } of rows) {
    out.push(`${left.padEnd(width)}  # ${right}`);
    if (name === 'PrivacyOptions') {
      for (const w of cfg.privacyWords) out.push(`${`    ${describePrivacyWord(w.word)}`.padEnd(width)}  # ${formatSource(w.source)}`);
    }
  }
  out.push('', 'Listeners:');
  for (const l of cfg.listeners) out.push(`  ${formatListener(l)}`);
  out.push(`  # ${formatSource(cfg.listenersSource)}`);
  out.push('', 'Features:');
  if (cfg.featureList.length === 0) out.push('  (none)');
  for (const f of cfg.featureList) {
    const where = f.layer === 'default' ? 'default' : `${f.file}:${f.line}`;
    const args = f.args.filter((a) => a !== '');
    out.push(`  FEATURE(${[f.name, ...args].join(', ')})  # ${where}`);
  }
  out.push('', 'Classes:');
  for (const [cls, entries] of Object.entries(cfg.classes)) {
    out.push(`  ${cls.length > 1 ? `{${cls}}` : cls}: ${entries.map((e) => e.word).join(' ')}`);
  }
  for (const f of cfg.classFiles) {
    const where = f.isDefault ? 'default' : f.at ? `${f.at.file}:${f.at.line}` : '';
    out.push(`  ${f.cls.length > 1 ? `{${f.cls}}` : f.cls} from file ${f.optional ? '-o ' : ''}${f.path}  # ${where}`);
  }
  const macros = Object.entries(cfg.macros);
  if (macros.length > 0) {
    out.push('', 'Macros:');
    for (const [k, v] of macros) out.push(`  ${k.length > 1 ? `\${${k}}` : `$${k}`} = ${v.value}`);
  }
  out.push('', 'Maps and mailers:');
  out.push(`  access map: ${cfg.accessMap ? cfg.accessMap.path + (cfg.accessMap.optional ? ' (optional)' : '') : '(none)'}`);
  if (cfg.mailertable) out.push(`  mailertable: ${cfg.mailertable.path}${cfg.mailertable.optional ? ' (optional)' : ''}`);
  if (cfg.progMailer) out.push(`  imported prog mailer: P=${cfg.progMailer.path}, A=${cfg.progMailer.argv.join(' ')}`);
  if (cfg.localMailer) out.push(`  external local mailer: P=${cfg.localMailer.path}, A=${cfg.localMailer.argv.join(' ')}`);
  if (cfg.floorChanges.length > 0) {
    out.push('', 'Hardening floor:');
    for (const c of cfg.floorChanges) out.push(`  ${c.option}: ${c.imported} -> ${c.effective}  # ${c.file}:${c.line}`);
  }
  return out.join('\n') + '\n';
}

function sourceJson(s: OptionSource): JsonValue {
  const o: { [key: string]: JsonValue } = { kind: s.kind };
  if (s.kind === 'file') Object.assign(o, { file: s.file, line: s.line, layer: s.layer });
  if (s.kind === 'floor') Object.assign(o, { file: s.file, line: s.line, importedValue: s.importedValue });
  return o;
}

export function renderJson(cfg: EffectiveConfig): JsonValue {
  const options = shownOptions(cfg).map((name) => {
    const d = optionDef(name);
    const v = cfg.options[name];
    const src = cfg.sources[name];
    const o: { [key: string]: JsonValue } = {
      name,
      m4Name: d.m4 ?? null,
      letter: d.letter ?? null,
      value: optionValueJson(name, v),
      display: displayValue(name, cfg),
      source: formatSource(src),
      sourceDetail: sourceJson(src),
      implemented: d.implemented,
    };
    if (src.kind === 'floor') o['importedValue'] = src.importedValue;
    return o;
  });
  const loc = (at?: { file: string; line: number }): JsonValue => (at ? { file: at.file, line: at.line } : null);
  return {
    profile: cfg.profile,
    embedded: cfg.embedded,
    imported:
      cfg.imported === undefined
        ? null
        : {
            kind: cfg.imported.kind,
            path: cfg.imported.path,
            versionId: cfg.imported.versionId?.value ?? null,
            osType: cfg.imported.osType?.value ?? null,
            domain: cfg.imported.domain?.value ?? null,
          },
    files: [...cfg.files],
    options,
    privacyOptions: cfg.privacyWords.map((w) => ({
      word: w.word,
      expandsTo: w.word === 'goaway' ? [...GOAWAY_FLAGS] : null,
      source: formatSource(w.source),
    })),
    listeners: cfg.listeners.map((l) => ({
      name: l.name,
      addr: l.addr,
      port: l.port,
      family: l.family,
      backlog: l.backlog ?? null,
      modifiers: l.modifierLetters,
    })),
    features: cfg.featureList.map((f) => ({
      name: f.name,
      args: [...f.args],
      source: f.layer === 'default' ? 'default' : `${f.file}:${f.line}`,
    })),
    classes: Object.fromEntries(Object.entries(cfg.classes).map(([k, v]) => [k, v.map((e) => e.word)])),
    classFiles: cfg.classFiles.map((f) => ({ class: f.cls, path: f.path, optional: f.optional, at: loc(f.at) })),
    macros: Object.fromEntries(Object.entries(cfg.macros).map(([k, v]) => [k, v.value])),
    accessMap: cfg.accessMap ? { path: cfg.accessMap.path, optional: cfg.accessMap.optional, flags: [...cfg.accessMap.flags] } : null,
    ...(cfg.mailertable ? { mailertable: { path: cfg.mailertable.path, optional: cfg.mailertable.optional } } : {}),
    floorChanges: cfg.floorChanges.map((c) => ({ ...c })),
  };
}
