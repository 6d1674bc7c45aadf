// `postern queue ACTION [--config FILE] ... QID...`: loads the configuration and hands over to
// queueAdminMain. A configuration named by someone other than root is an alternate configuration: the
// command then works with the caller's own rights and never asks the daemon (cli.md §6).

import { loadConfig } from '../../config/load.js';
import { defaultConfigPath } from '../sendmail/config-path.js';
import { formatDiagnostic } from '../../util/diagnostics.js';
import { queueAdminMain } from './entry.js';
import { ADMIN_USAGE } from './admin-cmd.js';
import { EX_CONFIG, EX_OK, EX_USAGE } from './sysexits.js';

export async function queueCommand(argv: readonly string[]): Promise<number> {
  let configPath: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--help' || a === '-h') {
      process.stdout.write(`${ADMIN_USAGE}\n`);
      return EX_OK;
    }
    if (a === '--config' || a === '-C') {
      const v = argv[++i];
      if (v === undefined) {
        process.stderr.write(`postern queue: ${a} needs a value\n`);
        return EX_USAGE;
      }
      configPath = v;
    } else if (a.startsWith('--config=')) configPath = a.slice('--config='.length);
    else rest.push(a);
  }
  // Without --config, the file the sendmail command reads (<sysconfdir>/postern/postern.conf by where the
  // command is installed), else the embedded default.
  const path = configPath ?? defaultConfigPath(process.argv[1]);
  const loaded = await loadConfig(path !== undefined ? { path } : {});
  if (loaded.config === undefined) {
    for (const d of loaded.diagnostics) if (d.severity === 'error') process.stderr.write(`postern: ${formatDiagnostic(d)}\n`);
    return EX_CONFIG;
  }
  return queueAdminMain(
    {
      config: loaded.config,
      configPath: path,
      alternateConfig: configPath !== undefined && process.getuid?.() !== 0,
      stdout: process.stdout,
      stderr: process.stderr,
    },
    rest,
  );
}
