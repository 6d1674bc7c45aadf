// The configuration as the audit sees it. The same layers, parsers, merge and hardening floor as the
// daemon's loader (config/load.ts), with three differences that an audit needs:
//   - files are read under `--root`;
//   - some errors do not stop the audit but become findings: a removed FEATURE(rbl) (the audit still
//     completes, §2.4), promiscuous_relay refused by the floor (reported as relay-promiscuous), and,
//     for a real sendmail (`--sendmail`), constructs that sendmail runs but Postern v1 does not
//     implement (milters, other mailers, masquerading...): sendmail's configuration is valid, only
//     Postern could not run it;
//   - side files are not checked here (the checks read them, under the root).
// The configuration keeps host paths for the files it read (cfg.files, locations); the checks turn
// them back into logical paths for their findings.

import { extname } from 'node:path';
import { parseCfFile } from '../config/cf-file.js';
import type { ConfigProfile, EffectiveConfig } from '../config/effective.js';
import { applyHardeningFloor } from '../config/floor.js';
import { ConfigLayer } from '../config/layer.js';
import { parseMcFile } from '../config/mc-file.js';
import { mergeLayers, type MergeInput } from '../config/merge.js';
import { parseNativeFile } from '../config/native-file.js';
import { DiagnosticList, type Diagnostic, type Location } from '../util/diagnostics.js';
import { describeCode, errnoCode, type RootFs } from './root-fs.js';

export interface AuditLoadRequest {
  /** postern.conf, or an .mc/.cf; absent: the embedded default (as `postern serve` without --config). */
  path?: string;
  profile: ConfigProfile;
  defines?: Record<string, string>;
  cliOptions?: Array<{ name: string; value: string }>;
  fs: RootFs;
}

/** An error that does not stop the audit, and why. */
export interface ToleratedError {
  kind: 'rbl' | 'promiscuous-floor' | 'unsupported';
  diagnostic: Diagnostic;
}

export type AuditLoadResult =
  /** The file named on the command line cannot be read (exit 66). */
  | { kind: 'unreadable'; path: string; reason: string }
  /** Parse errors (exit 78). */
  | { kind: 'errors'; diagnostics: Diagnostic[] }
  | { kind: 'ok'; config: EffectiveConfig; diagnostics: Diagnostic[]; tolerated: ToleratedError[] };

type ImportKind = 'mc' | 'cf';

function importKind(path: string): ImportKind | undefined {
  const ext = extname(path).toLowerCase();
  return ext === '.mc' ? 'mc' : ext === '.cf' ? 'cf' : undefined;
}

async function readConfigText(fs: RootFs, path: string, encoding: BufferEncoding): Promise<{ text: string; real: string } | { reason: string }> {
  const where = fs.locate(path);
  const real = where.fs.real(where.path);
  try {
    return { text: await where.fs.readFile(where.path, encoding), real };
  } catch (e) {
    return { reason: describeCode(errnoCode(e)) };
  }
}

function importedLayer(kind: ImportKind, text: string, real: string, defines: Record<string, string> | undefined, diags: DiagnosticList): ConfigLayer {
  const layer = new ConfigLayer('imported', diags);
  layer.files.push(real);
  if (kind === 'mc') parseMcFile(text, real, layer, defines ? { defines } : {});
  else parseCfFile(text, real, layer);
  return layer;
}

function cliLayer(options: Array<{ name: string; value: string }>, diags: DiagnosticList): ConfigLayer {
  const own = new DiagnosticList();
  const layer = new ConfigLayer('cli', own);
  for (const o of options) {
    const before = own.items.length;
    if (o.name.length === 1) layer.setLetter(o.name, o.value);
    else layer.setLong(o.name, o.value);
    for (const d of own.items.slice(before)) {
      const flag = o.name.length === 1 ? `-o${o.name}${o.value}` : `-O ${o.name}=${o.value}`;
      diags.items.push({ ...d, message: `command line ${flag}: ${d.message}` });
    }
  }
  return layer;
}

const UNSUPPORTED = /not supported|is supported in Postern v1/;

function tolerance(d: Diagnostic, profile: ConfigProfile): ToleratedError['kind'] | undefined {
  if (d.message.startsWith('FEATURE(rbl) no longer exists')) return 'rbl';
  if (d.message === 'promiscuous_relay requires HardeningFloor=False') return 'promiscuous-floor';
  if (profile === 'sendmail' && UNSUPPORTED.test(d.message)) return 'unsupported';
  return undefined;
}

export async function loadAuditConfig(req: AuditLoadRequest): Promise<AuditLoadResult> {
  const diags = new DiagnosticList();
  const input: MergeInput = { profile: req.profile, embedded: req.path === undefined };
  let sawMc = false;
  if (req.path !== undefined) {
    const kind = importKind(req.path);
    const read = await readConfigText(req.fs, req.path, kind === undefined ? 'utf8' : 'latin1');
    if ('reason' in read) return { kind: 'unreadable', path: req.path, reason: read.reason };
    if (kind !== undefined) {
      sawMc = kind === 'mc';
      input.imported = { layer: importedLayer(kind, read.text, read.real, req.defines, diags), kind, path: read.real };
    } else {
      const native = new ConfigLayer('native', diags);
      native.files.push(read.real);
      const r = parseNativeFile(read.text, read.real, native);
      input.native = native;
      if (r.importPath !== undefined) {
        const at: Partial<Location> = r.importPath.at;
        const ik = importKind(r.importPath.path);
        if (ik === undefined) {
          diags.error(`Import ${r.importPath.path}: the file name must end in .mc or .cf`, at);
        } else {
          const imported = await readConfigText(req.fs, r.importPath.path, 'latin1');
          if ('reason' in imported) {
            diags.error(`cannot read configuration file ${r.importPath.path}: ${imported.reason}`, at);
          } else {
            sawMc = ik === 'mc';
            input.imported = { layer: importedLayer(ik, imported.text, imported.real, req.defines, diags), kind: ik, path: imported.real };
          }
        }
      }
    }
  }
  if (!sawMc && req.defines !== undefined && Object.keys(req.defines).length > 0) {
    diags.warning('-D defines are only used when a sendmail.mc is read; ignored');
  }
  if (req.cliOptions !== undefined && req.cliOptions.length > 0) input.cli = cliLayer(req.cliOptions, diags);

  const { config, privacyBase } = mergeLayers(input, diags);
  applyHardeningFloor(config, diags, privacyBase);

  const tolerated: ToleratedError[] = [];
  const fatal: Diagnostic[] = [];
  for (const d of diags.items) {
    if (d.severity !== 'error') continue;
    const kind = tolerance(d, req.profile);
    if (kind === undefined) fatal.push(d);
    else tolerated.push({ kind, diagnostic: d });
  }
  if (fatal.length > 0) return { kind: 'errors', diagnostics: fatal };
  return { kind: 'ok', config, diagnostics: diags.items.filter((d) => d.severity !== 'error'), tolerated };
}
