// Side files a configuration names (aliases, access map, class files, help file): at load time a
// missing one is only a warning, so `config show`/`check` work on a file copied from another machine.
// The server decides later which of them it cannot run without. Defaults are not checked: only
// paths somebody configured.

import { stat } from 'node:fs/promises';
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

export async function checkSideFiles(cfg: EffectiveConfig, diags: DiagnosticList): Promise<void> {
  const o = cfg.options;
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
