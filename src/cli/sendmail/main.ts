// The sendmail command line (cli.md §2–§6): the invocation name picks the default mode, the flags are
// parsed, the caller's trust is settled against the system configuration, the -O/-o/-M rules applied,
// and the mode runs: -bm (submission), -bs, -bv, -bi, -bd/-bD, -bC, and -bp/-q… (the queue half).

import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { loadConfig, type LoadResult } from '../../config/load.js';
import { resolveLetterOption } from '../../config/options.js';
import { loadPasswd } from '../../maps/users.js';
import { callerFor, queueOwner } from '../../submit/caller.js';
import { judgeOptions } from '../../submit/run-options.js';
import { formatDiagnostic } from '../../util/diagnostics.js';
import { configCommand } from '../config-cmd.js';
import { newaliasesCommand, NOT_TRUSTED } from '../newaliases-cmd.js';
import { mailqMain, queueRunMain, parseQueueInterval, type QueueCommandContext } from '../queue/entry.js';
import { serveCommand } from '../serve.js';
import { parseSendmailArgs, type SendmailArgs } from './argv.js';
import { bsCommand } from './bs-cmd.js';
import { defaultConfigPath } from './config-path.js';
import type { CommandContext } from './context.js';
import { submitCommand } from './submit-cmd.js';
import { verifyCommand } from './verify-cmd.js';
import { EX_USAGE, EX_UNAVAILABLE, EX_NOPERM, EX_CONFIG } from '../../util/sysexits.js';


export interface SendmailIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const PROCESS_IO: SendmailIO = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

/** Modes sendmail has and Postern does not offer (cli.md §3). */
const UNSUPPORTED_MODES = new Set(['t', 'a', 'h', 'H', 'P']);
const MODES = new Set(['m', 's', 'd', 'D', 'p', 'i', 'v', 'C']);

function reportLoad(r: LoadResult, io: SendmailIO, name: string): boolean {
  let bad = false;
  for (const d of r.diagnostics) {
    if (d.severity !== 'error') continue;
    bad = true;
    io.stderr.write(`${name}: ${formatDiagnostic(d)}\n`);
  }
  return !bad && r.config !== undefined;
}

/** The argv of the invocation name: `mailq ARGS` is `sendmail -bp ARGS`, `smtpd ARGS` is `sendmail -bd ARGS`. */
function argvFor(name: string, argv: readonly string[]): readonly string[] {
  if (name === 'mailq') return ['-bp', ...argv];
  if (name === 'smtpd') return ['-bd', ...argv];
  return argv;
}

/** -q… and -Q… arguments (without mailq's -v and --json). */
function runArgs(a: SendmailArgs): string[] {
  return a.queueArgs.filter((x) => x.startsWith('-q') || x.startsWith('-Q'));
}

/**
 * The sendmail command. `name` is the invocation name (sendmail, mailq, newaliases, smtpd, ...);
 * `commandPath` is where the command was run from (its install prefix finds the default configuration).
 */
export async function sendmailMain(name: string, argv: readonly string[], commandPath: string | undefined, io: SendmailIO = PROCESS_IO): Promise<number> {
  if (name === 'hoststat' || name === 'purgestat') {
    io.stderr.write(`${name}: not supported\n`);
    return EX_UNAVAILABLE;
  }
  const parsed = parseSendmailArgs(argvFor(name, argv));
  if (!parsed.ok) {
    io.stderr.write(`sendmail: ${parsed.message}\n`);
    return parsed.exit;
  }
  const a = parsed.args;
  if (a.debug) io.stderr.write('debugging flags are not supported\n');
  if (UNSUPPORTED_MODES.has(a.mode) || !MODES.has(a.mode)) {
    io.stderr.write(`sendmail: operation mode ${a.mode} not supported\n`);
    return EX_USAGE;
  }

  // -bC checks the named (or default) configuration: its problems are the output, whoever calls.
  if (a.mode === 'C') {
    const path = a.config ?? defaultConfigPath(commandPath);
    return configCommand(['check', ...(path !== undefined ? ['--config', path] : [])]);
  }

  // Trust is settled against the system configuration: an alternate one (-C) cannot make a caller trusted.
  const defaultPath = defaultConfigPath(commandPath);
  const system = await loadConfig(defaultPath !== undefined ? { path: defaultPath } : {});
  if (!reportLoad(system, io, 'sendmail')) return EX_CONFIG;
  const uid = process.getuid?.() ?? 0;
  const users = await loadPasswd();
  const owner = await queueOwner(resolve(system.config!.options.QueueDirectory));
  const caller = callerFor(uid, system.config!, users, owner);

  const verdict = judgeOptions(a.options, a.macros, caller.trusted);
  for (const u of verdict.unknown) io.stderr.write(`sendmail: ${u}: unknown option; ignored\n`);
  if (verdict.refused !== undefined) {
    io.stderr.write(`${verdict.refused}\n`);
    return EX_NOPERM;
  }
  if ((a.mode === 'd' || a.mode === 'D' || a.mode === 'i') && !caller.trusted) {
    io.stderr.write(`${NOT_TRUSTED}\n`);
    return EX_NOPERM;
  }

  const configPath = a.config !== undefined ? resolve(a.config) : defaultPath;
  const cliOptions = verdict.apply.map((o) => ({ name: o.name, value: o.value }));
  const loaded = a.config === undefined && cliOptions.length === 0 ? system : await loadConfig({ ...(configPath !== undefined ? { path: configPath } : {}), cliOptions });
  if (!reportLoad(loaded, io, 'sendmail')) return EX_CONFIG;
  const config = loaded.config!;
  const alternateConfig = a.config !== undefined && !caller.trusted;
  const ctx: CommandContext = {
    config,
    configPath,
    defaultConfigPath: defaultPath,
    alternateConfig,
    caller: alternateConfig ? { ...caller, trusted: false } : caller,
    mayWriteQueue: uid === 0 || (owner !== undefined && owner === uid) || alternateConfig,
    options: verdict.apply,
    unsafeOptions: verdict.unsafe.length > 0,
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
  };
  const qctx: QueueCommandContext = { config, configPath, alternateConfig, stdout: io.stdout, stderr: io.stderr };

  switch (a.mode) {
    case 'p':
      return mailqMain(qctx, a.queueArgs);
    case 'i':
      return newaliasesCommand([...(configPath !== undefined ? ['--config', configPath] : []), ...cliOptions.flatMap((o) => (o.name.length === 1 ? [`-o${o.name}${o.value}`] : ['-O', `${o.name}=${o.value}`]))]);
    case 'd':
    case 'D':
      return daemonMode(a, configPath, cliOptions, io);
    default:
      break;
  }
  if (runArgs(a).length > 0) return queueRunMain(qctx, a.queueArgs);
  if (a.mode === 's') return bsCommand(ctx, a.transcript);
  if (a.mode === 'v') return verifyCommand(ctx, a);
  return submitCommand(ctx, a);
}

/** -bd (background) / -bD (foreground): `postern serve`, with -q<time> as the queue interval. */
async function daemonMode(a: SendmailArgs, configPath: string | undefined, options: Array<{ name: string; value: string }>, io: SendmailIO): Promise<number> {
  const serveArgs: string[] = [...(configPath !== undefined ? ['--config', configPath] : [])];
  for (const o of options) {
    if (o.name.length > 1) serveArgs.push('-O', `${o.name}=${o.value}`);
    else {
      const r = resolveLetterOption(o.name, o.value);
      if (r.ok) for (const x of r.assignments) serveArgs.push('-O', `${x.name}=${x.raw}`);
    }
  }
  for (const q of runArgs(a)) {
    const ms = parseQueueInterval(q);
    if (ms !== undefined) serveArgs.push('-O', `QueueInterval=${Math.round(ms / 1000)}s`);
  }
  if (a.mode === 'D') return serveCommand(serveArgs);
  const main = new URL('../main.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [main, 'serve', ...serveArgs], { detached: true, stdio: 'ignore' });
  child.unref();
  void io;
  return 0;
}
