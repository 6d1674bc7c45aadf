// `postern config show|check` (config-formats.md §1): print the effective configuration with the
// source of every value, or check a configuration and exit 78 (EX_CONFIG) on errors.

import { formatDiagnostic, type Diagnostic } from '../util/diagnostics.js';
import { loadConfig, type LoadRequest } from '../config/load.js';
import { renderJson, renderText } from '../config/show.js';
import { EX_OK, EX_USAGE, EX_CONFIG } from '../util/sysexits.js';
export { EX_OK, EX_USAGE, EX_CONFIG } from '../util/sysexits.js';

export interface CommandIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIO: CommandIO = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};


const USAGE =
  'usage: postern config show [--config FILE] [--json] [-D NAME=value]... [-O Name=value]...\n' +
  '       postern config check [--config FILE] [-D NAME=value]... [-O Name=value]...\n';

interface Parsed {
  sub: 'show' | 'check';
  json: boolean;
  req: LoadRequest;
}

function splitAssignment(text: string): { name: string; value: string } | undefined {
  const eq = text.indexOf('=');
  if (eq <= 0) return undefined;
  return { name: text.slice(0, eq), value: text.slice(eq + 1) };
}

function parseArgs(argv: string[]): Parsed | string {
  const sub = argv[0];
  if (sub !== 'show' && sub !== 'check') return sub === undefined ? 'missing subcommand' : `unknown subcommand ${sub}`;
  const out: Parsed = { sub, json: false, req: {} };
  const defines: Record<string, string> = {};
  const options: Array<{ name: string; value: string }> = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string | undefined => argv[++i];
    if (a === '--json' && sub === 'show') out.json = true;
    else if (a === '--config' || a === '-C') {
      const v = next();
      if (v === undefined) return `${a} needs a file`;
      out.req.path = v;
    } else if (a.startsWith('--config=')) out.req.path = a.slice('--config='.length);
    else if (a.startsWith('-C') && a.length > 2) out.req.path = a.slice(2);
    else if (a === '-D' || (a.startsWith('-D') && a.length > 2)) {
      const text = a === '-D' ? next() : a.slice(2);
      if (text === undefined) return '-D needs NAME=value';
      const eq = text.indexOf('=');
      // m4 -D NAME alone defines NAME as empty.
      if (eq < 0) defines[text] = '';
      else defines[text.slice(0, eq)] = text.slice(eq + 1);
    } else if (a === '-O' || (a.startsWith('-O') && a.length > 2)) {
      const text = a === '-O' ? next() : a.slice(2);
      const s = text === undefined ? undefined : splitAssignment(text);
      if (s === undefined) return '-O needs Name=value';
      options.push(s);
    } else if (a.startsWith('-o') && a.length > 2) {
      options.push({ name: a[2]!, value: a.slice(3) });
    } else return `unknown argument ${a}`;
  }
  if (Object.keys(defines).length > 0) out.req.defines = defines;
  if (options.length > 0) out.req.cliOptions = options;
  return out;
}

function printDiagnostics(diags: readonly Diagnostic[], io: CommandIO): void {
  for (const d of diags) io.stderr(formatDiagnostic(d) + '\n');
}

export async function configCommand(argv: string[], io: CommandIO = processIO): Promise<number> {
  const parsed = parseArgs(argv);
  if (typeof parsed === 'string') {
    io.stderr(`postern config: ${parsed}\n${USAGE}`);
    return EX_USAGE;
  }
  const result = await loadConfig(parsed.req);
  printDiagnostics(result.diagnostics, io);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  if (result.config === undefined || errors > 0) {
    if (parsed.sub === 'check') io.stderr(`${parsed.req.path ?? 'embedded default'}: ${errors} error${errors === 1 ? '' : 's'}\n`);
    return EX_CONFIG;
  }
  if (parsed.sub === 'check') {
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
    io.stdout(`${parsed.req.path ?? 'embedded default'}: configuration OK (${warnings} warning${warnings === 1 ? '' : 's'})\n`);
    return EX_OK;
  }
  io.stdout(parsed.json ? JSON.stringify(renderJson(result.config), null, 2) + '\n' : renderText(result.config));
  return EX_OK;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, '/dist/'));
if (invokedDirectly) {
  configCommand(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
