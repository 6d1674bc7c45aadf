// The configuration loader (config-formats.md §1): reads postern.conf and/or one imported sendmail.mc
// or sendmail.cf, adds the command-line options, stacks the layers, applies the hardening floor and
// checks the side files. Errors are collected with file:line; no config is returned if there are any.

import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { DiagnosticList, type Diagnostic, type Location } from '../util/diagnostics.js';
import { parseCfFile } from './cf-file.js';
import type { ConfigProfile, EffectiveConfig } from './effective.js';
import { applyHardeningFloor } from './floor.js';
import { ConfigLayer } from './layer.js';
import { parseMcFile } from './mc-file.js';
import { mergeLayers, type MergeInput } from './merge.js';
import { parseNativeFile } from './native-file.js';
import { checkSideFiles } from './side-files.js';

export interface LoadRequest {
  /** postern.conf, or a .mc / .cf used directly; absent = embedded default. */
  path?: string;
  /** -D NAME=value (m4 defines, for .mc). */
  defines?: Record<string, string>;
  /** -O Name=value (a one-letter name stands for -o<c><value>). */
  cliOptions?: Array<{ name: string; value: string }>;
  /** Embedded defaults (loopback listener on 2525, ./spool); default: true when no path is given. */
  embedded?: boolean;
  /** `sendmail` judges a configuration with sendmail's own defaults and no floor (audit --sendmail). */
  profile?: ConfigProfile;
}

export interface LoadResult {
  /** Absent when there were errors. */
  config?: EffectiveConfig;
  diagnostics: Diagnostic[];
}

type ImportKind = 'mc' | 'cf';

function importKind(path: string): ImportKind | undefined {
  const ext = extname(path).toLowerCase();
  return ext === '.mc' ? 'mc' : ext === '.cf' ? 'cf' : undefined;
}

async function readText(path: string, encoding: BufferEncoding, diags: DiagnosticList, at: Partial<Location>): Promise<string | undefined> {
  try {
    return await readFile(path, encoding);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    diags.error(`cannot read configuration file ${path}: ${why}`, at);
    return undefined;
  }
}

async function loadImported(
  path: string,
  kind: ImportKind,
  defines: Record<string, string> | undefined,
  diags: DiagnosticList,
  at: Partial<Location>,
): Promise<MergeInput['imported']> {
  // sendmail files may hold any bytes; latin1 keeps every one of them.
  const text = await readText(path, 'latin1', diags, at);
  if (text === undefined) return undefined;
  const layer = new ConfigLayer('imported', diags);
  layer.files.push(path);
  if (kind === 'mc') parseMcFile(text, path, layer, defines ? { defines } : {});
  else parseCfFile(text, path, layer);
  return { layer, kind, path };
}

function cliLayer(options: Array<{ name: string; value: string }>, diags: DiagnosticList): ConfigLayer {
  const own = new DiagnosticList();
  const layer = new ConfigLayer('cli', own);
  for (const o of options) {
    const before = own.items.length;
    // `-odd` (defer) means "queue only" for a command-line run (cli.md §3); only the daemon refuses it.
    const isMode = o.name === 'd' || o.name.toLowerCase() === 'deliverymode';
    const value = isMode && /^\s*[dD]/.test(o.value) ? 'queue' : o.value;
    if (o.name.length === 1) layer.setLetter(o.name, value);
    else layer.setLong(o.name, value);
    for (const d of own.items.slice(before)) {
      const flag = o.name.length === 1 ? `-o${o.name}${o.value}` : `-O ${o.name}=${o.value}`;
      diags.items.push({ ...d, message: `command line ${flag}: ${d.message}` });
    }
  }
  return layer;
}

export async function loadConfig(req: LoadRequest): Promise<LoadResult> {
  const diags = new DiagnosticList();
  const input: MergeInput = { profile: req.profile ?? 'postern', embedded: req.embedded ?? req.path === undefined };
  let sawMc = false;

  if (req.path !== undefined) {
    const kind = importKind(req.path);
    if (kind !== undefined) {
      sawMc = kind === 'mc';
      const imported = await loadImported(req.path, kind, req.defines, diags, { file: req.path });
      if (imported !== undefined) input.imported = imported;
    } else {
      const text = await readText(req.path, 'utf8', diags, { file: req.path });
      if (text !== undefined) {
        const native = new ConfigLayer('native', diags);
        native.files.push(req.path);
        const r = parseNativeFile(text, req.path, native);
        input.native = native;
        if (r.importPath !== undefined) {
          const ik = importKind(r.importPath.path);
          if (ik === undefined) {
            diags.error(`Import ${r.importPath.path}: the file name must end in .mc or .cf`, r.importPath.at);
          } else {
            sawMc = ik === 'mc';
            const imported = await loadImported(r.importPath.path, ik, req.defines, diags, r.importPath.at);
            if (imported !== undefined) input.imported = imported;
          }
        }
      }
    }
  }
  if (!sawMc && req.defines !== undefined && Object.keys(req.defines).length > 0) {
    diags.warning('-D defines are only used when a sendmail.mc is read; ignored');
  }
  if (req.cliOptions !== undefined && req.cliOptions.length > 0) input.cli = cliLayer(req.cliOptions, diags);

  // Merge and floor even after errors, so that one run reports every problem.
  const { config, privacyBase } = mergeLayers(input, diags);
  applyHardeningFloor(config, diags, privacyBase);
  await checkSideFiles(config, diags);
  if (diags.hasErrors) return { diagnostics: diags.items };
  return { config, diagnostics: diags.items };
}
