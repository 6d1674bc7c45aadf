// sendmail.mc (config-formats.md §3): run the m4 subset with the sendmail macros as host macros, then
// interpret what was recorded — confXXX defines (final values), FEATUREs, mailers, listeners, classes
// and the LOCAL_CONFIG / MAILER_DEFINITIONS sections (as cf lines).

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Location } from '../util/diagnostics.js';
import { applyCfLines, foldLines, type CfLine } from './cf-lines.js';
import { parseClassFileArg } from './class-spec.js';
import { applyFeatureEffects, type FeatureContext } from './feature-effects.js';
import type { ConfigLayer } from './layer.js';
import { outputItems, runM4, type OutputChunk, type SourceLoc } from './m4/engine.js';
import { CF_DIVERSIONS, emptyCalls, makeHostMacros, RULES_DIVERSION, type McCalls } from './mc-macros.js';
import { mcDefinition } from './mc-defines.js';
import { progMailerValueOf, splitArgv } from './mailers.js';

export interface McOptions {
  /** -D NAME=value. */
  defines?: Record<string, string>;
}

function at(loc: SourceLoc): Location {
  return { file: loc.file, line: loc.line };
}

export function parseMcFile(text: string, file: string, layer: ConfigLayer, opts: McOptions = {}): void {
  const baseDir = dirname(file);
  const calls = emptyCalls();
  const result = runM4(text, file, {
    defines: opts.defines ?? {},
    hostMacros: makeHostMacros(calls),
    readInclude(path) {
      const full = isAbsolute(path) ? path : resolve(baseDir, path);
      let content: string;
      try {
        content = readFileSync(full, 'latin1');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new Error(`cannot read ${full}: ${(e as Error).message}`);
      }
      layer.files.push(full);
      return { text: content, file: full };
    },
  });
  for (const d of result.diagnostics) layer.diags.items.push(d);

  // Final values of the m4 defines: confXXX options and the other settings of §3.2.
  const settings: FeatureContext = { settingsDir: '/etc/mail/' };
  const defined = new Map<string, { value: string; at: Location }>();
  for (const [name, def] of result.definitions) {
    const value = result.expandMacro(name) ?? def.value;
    defined.set(name, { value, at: at(def.loc) });
  }
  const dir = defined.get('MAIL_SETTINGS_DIR');
  if (dir !== undefined) settings.settingsDir = dir.value.endsWith('/') ? dir.value : `${dir.value}/`;
  for (const [name, d] of defined) mcDefinition(name, d.value, d.at, layer, settings);

  recordCalls(calls, layer, settings);
  applySections(result.output, file, layer);
  mailerDefaults(calls, defined, file, layer);
  if (!layer.hasFeature('nocanonify')) {
    layer.diags.notice('FEATURE(nocanonify) not given: Postern does not canonify host names through DNS in any case', {
      file,
    });
  }
}

function recordCalls(calls: McCalls, layer: ConfigLayer, settings: FeatureContext): void {
  if (calls.versionId) layer.info.versionId = { value: calls.versionId.args[0] ?? '', at: at(calls.versionId.loc) };
  if (calls.osType) {
    const os = (calls.osType.args[0] ?? '').trim();
    layer.info.osType = { value: os, at: at(calls.osType.loc) };
    // ostype/linux.m4 selects procmail as the local mailer and puts smrsh in /usr/sbin.
    if (os === 'linux') {
      settings.ebinDir = settings.ebinDir ?? '/usr/sbin';
      if (layer.localMailer === undefined) {
        layer.localMailer = {
          path: settings.procmailPath ?? '/usr/bin/procmail',
          argv: ['procmail', '-Y', '-a', '$h', '-d', '$u'],
          flags: 'SPfhn9',
          at: at(calls.osType.loc),
        };
      }
    }
  }
  if (calls.domain) layer.info.domain = { value: calls.domain.args[0] ?? '', at: at(calls.domain.loc) };
  for (const f of calls.features) {
    const args = f.args.slice(1);
    if (layer.addFeature(f.args[0]!.trim(), args, at(f.loc))) {
      applyFeatureEffects(layer, layer.features[layer.features.length - 1]!.name, args, at(f.loc), settings);
    }
  }
  for (const d of calls.daemonOptions) {
    layer.setLong('DaemonPortOptions', d.args[0] ?? '', at(d.loc));
    layer.daemonOptionsFromMc = true;
  }
  for (const c of calls.clientOptions) layer.setLong('ClientPortOptions', c.args[0] ?? '', at(c.loc));
  for (const c of calls.classWords) layer.addClassWords(c.cls, c.words, at(c.loc));
  for (const r of calls.relayDomainFiles) {
    const f = parseClassFileArg(r.args.join(' '));
    if (!f.ok) layer.diags.error(`RELAY_DOMAIN_FILE: ${f.message}`, at(r.loc));
    else layer.addClassFile({ cls: 'R', path: f.path, optional: f.optional, at: at(r.loc) });
  }
}

/**
 * The text of LOCAL_CONFIG / MAILER_DEFINITIONS (the diversions those macros switch to, as in
 * sendmail's cfhead.m4) is cf; ruleset sections are ignored (warned once at the macro); any other
 * output text is reported. Going by diversion rather than by marker means a `divert(0)` after a
 * section ends it, exactly as with m4.
 */
function applySections(output: readonly OutputChunk[], file: string, layer: ConfigLayer): void {
  let block: CfLine[] = [];
  const flush = (): void => {
    if (block.length > 0) applyCfLines(foldLines(block), file, layer, { rulesets: 'warn' });
    block = [];
  };
  for (const item of outputItems(output)) {
    if (item.kind === 'marker' || item.divert < 0) continue;
    if (CF_DIVERSIONS.includes(item.divert)) {
      block.push({ text: item.text, line: item.loc.line, file: item.loc.file });
      continue;
    }
    flush();
    if (item.divert === RULES_DIVERSION) continue;
    if (item.text.trim() !== '' && !item.text.trimStart().startsWith('#')) {
      layer.diags.warning(`ignored text in .mc: "${item.text.trim().slice(0, 60)}"`, at(item.loc));
    }
  }
  flush();
}

/** MAILER(local) (which proto.m4 adds if missing) brings the prog mailer: /bin/sh unless smrsh. */
function mailerDefaults(calls: McCalls, defined: Map<string, { value: string; at: Location }>, file: string, layer: ConfigLayer): void {
  if (layer.progMailer === undefined) {
    const local = calls.mailers.find((m) => m.args[0]?.trim() === 'local');
    const where = local ? at(local.loc) : calls.osType ? at(calls.osType.loc) : { file, line: 1 };
    const path = defined.get('LOCAL_SHELL_PATH')?.value ?? '/bin/sh';
    const argv = splitArgv(defined.get('LOCAL_SHELL_ARGS')?.value ?? 'sh -c $u');
    layer.progMailer = { path, argv, at: where };
    layer.setTyped('ProgMailer', progMailerValueOf(layer.progMailer), `P=${path}`, where);
  }
  const localPath = defined.get('LOCAL_MAILER_PATH');
  if (localPath !== undefined && !layer.hasFeature('local_procmail') && !layer.hasFeature('local_lmtp')) {
    layer.localMailer = {
      path: localPath.value,
      argv: splitArgv(defined.get('LOCAL_MAILER_ARGS')?.value ?? 'mail -d $u'),
      flags: defined.get('LOCAL_MAILER_FLAGS')?.value ?? '',
      at: localPath.at,
    };
  }
}
