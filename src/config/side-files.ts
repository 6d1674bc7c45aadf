// Side files a configuration names (aliases, access map, class files, help file): at load time a
// missing one is only a warning, so `config show`/`check` work on a file copied from another machine.
// The server decides later which of them it cannot run without. Defaults are not checked: only
// paths somebody configured.

import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { DiagnosticList, Location } from '../util/diagnostics.js';
import type { EffectiveConfig, OptionSource } from './effective.js';

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function locOf(s: OptionSource): Partial<Location> {
  if (s.kind === 'file' || s.kind === 'floor') return { file: s.file, line: s.line };
  return {};
}

/**
 * sendmail's `QueueDirectory=/var/spool/mqueue/q*` names several queue directories. Postern v1 has one
 * queue: a pattern is accepted when it matches exactly one directory (queue-and-bounces.md §1).
 */
async function checkQueueDirectory(cfg: EffectiveConfig, diags: DiagnosticList): Promise<void> {
  const q = cfg.options.QueueDirectory;
  if (!q.endsWith('*')) return;
  const at = locOf(cfg.sources.QueueDirectory);
  const parent = dirname(q);
  const prefix = basename(q).slice(0, -1);
  let matches: string[] = [];
  try {
    const entries = await readdir(parent, { withFileTypes: true });
    matches = entries.filter((e) => e.isDirectory() && e.name.startsWith(prefix)).map((e) => join(parent, e.name));
  } catch {
    matches = [];
  }
  if (matches.length > 1) {
    diags.error(`QueueDirectory ${q} names ${matches.length} queue directories; Postern v1 supports one queue`, at);
  } else if (matches.length === 1) {
    cfg.options.QueueDirectory = matches[0]!;
    diags.notice(`QueueDirectory ${q}: using the only matching directory ${matches[0]!}`, at);
  } else {
    diags.warning(`QueueDirectory ${q}: no matching directory found`, at);
  }
}

export async function checkSideFiles(cfg: EffectiveConfig, diags: DiagnosticList): Promise<void> {
  const o = cfg.options;
  await checkQueueDirectory(cfg, diags);
  if (cfg.sources.AliasFile.kind !== 'default') {
    for (const path of o.AliasFile) {
      if (!(await exists(path))) diags.warning(`alias file ${path} not found`, locOf(cfg.sources.AliasFile));
    }
  }
  if (cfg.sources.HelpFile.kind !== 'default' && o.HelpFile !== undefined && !(await exists(o.HelpFile))) {
    diags.warning(`help file ${o.HelpFile} not found (the built-in text is used)`, locOf(cfg.sources.HelpFile));
  }
  const am = cfg.accessMap;
  if (am !== undefined && am.at !== undefined && !(await exists(am.path))) {
    if (await exists(`${am.path}.db`)) {
      diags.warning(`access database ${am.path}.db: only the text source can be read; keep ${am.path}`, am.at);
    } else if (!am.optional) {
      diags.warning(`access map ${am.path} not found`, am.at);
    }
  }
  for (const f of cfg.classFiles) {
    if (f.isDefault || f.optional || f.at === undefined) continue;
    if (!(await exists(f.path))) diags.warning(`class ${f.cls} file ${f.path} not found`, f.at);
  }
}
