// `postern audit` (audit-and-probe.md §2.1): check a configuration — Postern's own, or a real
// sendmail's with --sendmail — and the files around it against the seed hardening steps. Prints the
// findings (text, --json or --sarif) and exits with the status of §1.

import { stat } from 'node:fs/promises';
import { auditRules } from '../audit/catalog.js';
import { EX_CONFIG, EX_NOINPUT, EX_USAGE, exitStatus, parseSeverity, type Severity } from '../audit/findings.js';
import { colorWanted, renderReport, type ReportFormat } from '../audit/report.js';
import { runAudit, type AuditRequest } from '../audit/run.js';
import { formatDiagnostic } from '../util/diagnostics.js';
import { VERSION } from '../version.js';

export interface AuditIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stdout is a terminal: the text report is grouped by severity and coloured. */
  stdoutIsTerminal?: boolean;
  env?: NodeJS.ProcessEnv;
}

const processIO: AuditIO = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  stdoutIsTerminal: process.stdout.isTTY === true,
  env: process.env,
};

const USAGE = `usage: postern audit [--config FILE | --sendmail FILE.mc|FILE.cf] [--root DIR] [--forward]
                     [--smrsh-dir DIR] [--json | --sarif] [--fail-on SEVERITY]
                     [-D NAME=value]... [-O Name=value]...
  --config FILE      audit a postern.conf (default: the embedded configuration, as postern serve)
  --sendmail FILE    audit a real sendmail installation, judged with sendmail 8.17's own defaults
  --root DIR         read every absolute path under DIR (an image, a container, a copy)
  --forward          also read every local user's .forward files (needs root or --root)
  --smrsh-dir DIR    with --sendmail: sendmail's compiled-in smrsh directory
  --fail-on SEV      exit 0 unless a finding is at least SEV (critical, high, medium, low, info)
Exit status: 0 worst finding low/info, 1 medium, 2 high, 3 critical; 64 usage, 66 unreadable input,
78 configuration errors.
`;

interface Parsed {
  request: AuditRequest;
  format: ReportFormat;
  failOn?: Severity;
  help: boolean;
}

function parse(argv: readonly string[]): Parsed | string {
  const out: Parsed = { request: { mode: 'postern' }, format: 'text', help: false };
  const defines: Record<string, string> = {};
  const options: Array<{ name: string; value: string }> = [];
  let config: string | undefined;
  let sendmail: string | undefined;
  let json = false;
  let sarif = false;
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const a = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = (): string | undefined => inline ?? argv[++i];
    const need = (what: string): string => {
      const v = value();
      if (v === undefined || v === '') throw new Error(`${a} needs ${what}`);
      return v;
    };
    try {
      if (a === '--config' || a === '-C') config = need('a file');
      else if (a.startsWith('-C') && a.length > 2) config = a.slice(2);
      else if (a === '--sendmail') sendmail = need('a sendmail.mc or sendmail.cf');
      else if (a === '--root') out.request.root = need('a directory');
      else if (a === '--smrsh-dir') out.request.smrshDir = need('a directory');
      else if (a === '--fail-on') {
        const v = need('a severity');
        const s = parseSeverity(v);
        if (s === undefined) return `--fail-on ${v}: not a severity (critical, high, medium, low, info)`;
        out.failOn = s;
      } else if (a === '--forward' && inline === undefined) out.request.forward = true;
      else if (a === '--json' && inline === undefined) json = true;
      else if (a === '--sarif' && inline === undefined) sarif = true;
      else if ((a === '--help' || a === '-h') && inline === undefined) out.help = true;
      else if (a === '-D' || (a.startsWith('-D') && a.length > 2)) {
        const text = a === '-D' ? need('NAME=value') : a.slice(2);
        const e = text.indexOf('=');
        if (e < 0) defines[text] = '';
        else defines[text.slice(0, e)] = text.slice(e + 1);
      } else if (a === '-O' || (a.startsWith('-O') && a.length > 2)) {
        const text = a === '-O' ? need('Name=value') : a.slice(2);
        const e = text.indexOf('=');
        if (e <= 0) return `-O ${text}: expected Name=value`;
        options.push({ name: text.slice(0, e).trim(), value: text.slice(e + 1) });
      } else if (a.startsWith('-o') && a.length > 2) {
        options.push({ name: a[2]!, value: a.slice(3) });
      } else return raw.startsWith('-') ? `unknown option ${raw}` : `unexpected argument ${raw}`;
    } catch (e) {
      return (e as Error).message;
    }
  }
  if (config !== undefined && sendmail !== undefined) return '--config and --sendmail cannot be combined';
  if (json && sarif) return '--json and --sarif cannot be combined';
  if (out.request.smrshDir !== undefined && sendmail === undefined) return '--smrsh-dir is only used with --sendmail (Postern has SmrshDirectory)';
  if (sendmail !== undefined) {
    out.request.mode = 'sendmail';
    out.request.path = sendmail;
    if (!/\.(mc|cf)$/i.test(sendmail)) return `--sendmail ${sendmail}: the file name must end in .mc or .cf`;
  } else if (config !== undefined) out.request.path = config;
  out.format = json ? 'json' : sarif ? 'sarif' : 'text';
  if (Object.keys(defines).length > 0) out.request.defines = defines;
  if (options.length > 0) out.request.cliOptions = options;
  return out;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export async function auditCommand(argv: readonly string[], io: AuditIO = processIO): Promise<number> {
  const parsed = parse(argv);
  if (typeof parsed === 'string') {
    io.stderr(`postern audit: ${parsed}\n${USAGE}`);
    return EX_USAGE;
  }
  if (parsed.help) {
    io.stdout(USAGE);
    return 0;
  }
  const root = parsed.request.root;
  if (root !== undefined && !(await isDirectory(root))) {
    io.stderr(`postern audit: --root ${root}: not a readable directory\n`);
    return EX_NOINPUT;
  }
  const outcome = await runAudit(parsed.request);
  if (outcome.kind === 'unreadable') {
    io.stderr(`postern audit: cannot read ${outcome.path}: ${outcome.reason}\n`);
    return EX_NOINPUT;
  }
  if (outcome.kind === 'errors') {
    for (const d of outcome.diagnostics) {
      io.stderr(`${formatDiagnostic(d.file === undefined ? d : { ...d, file: outcome.fs.logical(d.file) })}\n`);
    }
    const n = outcome.diagnostics.length;
    io.stderr(`postern audit: the configuration cannot be parsed (${n} error${n === 1 ? '' : 's'})\n`);
    return EX_CONFIG;
  }
  const env = io.env ?? {};
  io.stdout(
    renderReport('audit', outcome.findings, {
      format: parsed.format,
      terminal: io.stdoutIsTerminal === true,
      color: colorWanted(env),
      toolVersion: VERSION,
      rules: auditRules(),
    }),
  );
  return exitStatus(outcome.findings, parsed.failOn);
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, '/dist/'));
if (invokedDirectly) {
  auditCommand(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`postern audit: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
