// Runs one queue command through src/cli/queue/entry.ts as a process of its own (so a test can start it
// as another user): `node driver.js mailq|qrun|admin CONFIG [--alternate] ARGS...`. It stands in for the
// sendmail argument parser, which hands the same arguments to the same entry.

import { loadConfig } from '../../../src/config/load.js';
import { mailqMain, queueAdminMain, queueRunMain, type QueueCommandContext } from '../../../src/cli/queue/entry.js';

async function main(argv: string[]): Promise<number> {
  const [mode, configPath, ...rest] = argv;
  const alternate = rest[0] === '--alternate';
  const args = alternate ? rest.slice(1) : rest;
  const cliOptions: Array<{ name: string; value: string }> = [];
  while (args[0] === '-O') {
    const kv = args[1] ?? '';
    const eq = kv.indexOf('=');
    cliOptions.push({ name: kv.slice(0, eq), value: kv.slice(eq + 1) });
    args.splice(0, 2);
  }
  const loaded = await loadConfig({ path: configPath as string, cliOptions });
  if (loaded.config === undefined) {
    process.stderr.write(`driver: ${JSON.stringify(loaded.diagnostics)}\n`);
    return 78;
  }
  const ctx: QueueCommandContext = { config: loaded.config, configPath, alternateConfig: alternate, stdout: process.stdout, stderr: process.stderr };
  if (mode === 'mailq') return mailqMain(ctx, args);
  if (mode === 'qrun') return queueRunMain(ctx, args);
  return queueAdminMain(ctx, args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`driver: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  },
);
