// `postern serve`: the daemon. Loads the configuration (postern.conf, sendmail.mc or sendmail.cf), opens
// the spool, listens, and handles SIGTERM (drain and exit 0) and SIGHUP (reload; a broken configuration
// is reported and the running one kept).

import { resolve as resolvePath } from 'node:path';
import { mkdir, chown, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { loadConfig, type LoadRequest } from '../config/load.js';
import { buildRuntime, type Runtime } from '../daemon/runtime.js';
import { Spool, SpoolSetupError, type SpoolEvent } from '../queue/index.js';
import type { AccessSourceEvent } from '../maps/access-source.js';
import { loadPasswd } from '../maps/users.js';
import { SmtpServer } from '../smtp/server.js';
import { formatDiagnostic, type Diagnostic } from '../util/diagnostics.js';
import { VERSION } from '../version.js';
import { parseArgs } from './args.js';
import { createLogger, flushLogger } from './logger.js';

const EX_USAGE = 64;
const EX_OSERR = 71;
const EX_CONFIG = 78;

const USAGE = `usage: postern serve [--config FILE] [-D NAME=value]... [-O Name=value]... [--pretty] [--log-level LEVEL] [--grace SECONDS]
  FILE is a postern.conf, a sendmail.mc or a sendmail.cf; without it Postern runs on the embedded
  default (127.0.0.1:2525, spool ./spool, hardened defaults).`;

function report(diags: readonly Diagnostic[], log: Logger): void {
  for (const d of diags) {
    if (d.severity === 'error') {
      process.stderr.write(`postern: ${formatDiagnostic(d)}\n`);
      continue;
    }
    const where = d.file === undefined ? '' : d.line === undefined ? `${d.file}: ` : `${d.file}:${d.line}: `;
    if (d.severity === 'warning') log.warn({ file: d.file, line: d.line }, `${where}${d.message}`);
    else log.info({ file: d.file, line: d.line }, `${where}${d.message}`);
  }
}

interface Loaded {
  runtime?: Runtime;
  /** the errors, formatted `file:line: message`, when there is no runtime */
  errors: string[];
}

function errorsOf(diags: readonly Diagnostic[]): string[] {
  return diags.filter((d) => d.severity === 'error').map(formatDiagnostic);
}

async function load(req: LoadRequest, log: Logger): Promise<Loaded> {
  const loaded = await loadConfig(req);
  report(loaded.diagnostics, log);
  if (loaded.config === undefined) return { errors: errorsOf(loaded.diagnostics) };
  const rt = await buildRuntime(loaded.config, VERSION, { onAccessEvent: accessEventLogger(log) });
  report(rt.diagnostics, log);
  return rt.runtime !== undefined ? { runtime: rt.runtime, errors: [] } : { errors: errorsOf(rt.diagnostics) };
}

/** The access map reloads itself when its file changes: say so, and say why a new version was refused. */
function accessEventLogger(log: Logger): (e: AccessSourceEvent) => void {
  return (e) => {
    if (e.kind === 'loaded') log.info({ event: 'access-loaded', file: e.file, entries: e.entries, ms: e.ms }, `access map ${e.file}: ${e.entries} entries`);
    else if (e.kind === 'rejected') {
      log.error({ event: 'access-rejected', file: e.file, errors: e.diagnostics.map(formatDiagnostic) }, `access map ${e.file} has errors; the map in use is kept`);
    } else log.error({ event: 'access-tempfail', file: e.file, reason: e.reason }, `access map ${e.file} cannot be read; lookups answer 451 4.3.0`);
  };
}

function spoolEventLogger(log: Logger): (e: SpoolEvent) => void {
  return (e) => {
    const fields = { event: e.kind, file: e.file };
    if (e.level === 'alert' || e.level === 'warning') log.warn(fields, e.message);
    else log.info(fields, e.message);
  };
}

/** Root binds the ports, then hands the process to RunAsUser (least privilege). */
async function dropPrivileges(rt: Runtime, spoolDir: string, log: Logger): Promise<string | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const name = rt.config.options.RunAsUser;
  if (name === 'root' || name === '0') {
    log.warn({ event: 'privilege' }, 'RunAsUser is root: the daemon keeps root privileges');
    return undefined;
  }
  const users = await loadPasswd();
  const u = users.lookupUser(name);
  if (u === undefined) {
    if (rt.config.embedded) {
      log.warn({ event: 'privilege' }, `RunAsUser ${name} does not exist; the embedded daemon keeps running as root`);
      return undefined;
    }
    return `RunAsUser ${name}: no such user (create it, or set RunAsUser explicitly)`;
  }
  await mkdir(spoolDir, { recursive: true, mode: 0o700 });
  const st = await stat(spoolDir);
  if (st.uid === 0) await chown(spoolDir, u.uid, u.gid);
  process.setgroups?.([u.gid]);
  process.setgid?.(u.gid);
  process.setuid?.(u.uid);
  log.info({ event: 'privilege', user: name, uid: u.uid }, `running as ${name}`);
  return undefined;
}

export async function serveCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.errors.length > 0 || args.rest.length > 0 || args.flags.has('--help')) {
    for (const e of args.errors) process.stderr.write(`postern serve: ${e}\n`);
    if (args.rest.length > 0) process.stderr.write(`postern serve: unexpected argument ${args.rest[0]}\n`);
    process.stderr.write(`${USAGE}\n`);
    return args.flags.has('--help') ? 0 : EX_USAGE;
  }
  const log = createLogger({ pretty: args.flags.has('--pretty'), level: args.values.get('--log-level') ?? 'info' });
  // Until the daemon is up, a SIGTERM/SIGINT means "do not start" and a SIGHUP has nothing to reload:
  // neither may kill the process by the default action half-way through start-up.
  let earlyStop: string | undefined;
  const onEarlyStop = (signal: NodeJS.Signals): void => {
    earlyStop = signal;
  };
  const onEarlyHup = (): void => log.info({ event: 'reload' }, 'SIGHUP during start-up: the configuration being loaded is already current');
  process.on('SIGTERM', onEarlyStop);
  process.on('SIGINT', onEarlyStop);
  process.on('SIGHUP', onEarlyHup);
  const dropEarly = (): void => {
    process.off('SIGTERM', onEarlyStop);
    process.off('SIGINT', onEarlyStop);
    process.off('SIGHUP', onEarlyHup);
  };
  const code = await serveUntilStopped(args, log, () => earlyStop, dropEarly);
  dropEarly();
  flushLogger(log);
  return code;
}

async function serveUntilStopped(
  args: ReturnType<typeof parseArgs>,
  log: Logger,
  stoppedEarly: () => string | undefined,
  dropEarly: () => void,
): Promise<number> {
  const req: LoadRequest = {
    ...(args.config !== undefined ? { path: args.config } : {}),
    defines: args.defines,
    cliOptions: args.cliOptions,
  };
  let rt = (await load(req, log)).runtime;
  if (rt === undefined) return EX_CONFIG;
  const spoolDir = resolvePath(rt.config.options.QueueDirectory);

  const server = new SmtpServer({
    settings: rt.settings,
    directory: rt.directory,
    spoolDir,
    dns: rt.dns,
    log,
    version: VERSION,
    ownAddresses: rt.ownAddresses,
    tls: rt.tls,
    policy: rt.policy,
  });
  try {
    await server.listen();
  } catch (err) {
    process.stderr.write(`postern: cannot listen: ${(err as Error).message}\n`);
    return EX_OSERR;
  }
  const privError = await dropPrivileges(rt, spoolDir, log);
  if (privError !== undefined) {
    process.stderr.write(`postern: ${privError}\n`);
    await server.close();
    return EX_CONFIG;
  }
  let spool: Spool;
  try {
    spool = await Spool.open({ dir: spoolDir, fileMode: rt.config.options.QueueFileMode, onEvent: spoolEventLogger(log) });
  } catch (err) {
    process.stderr.write(`postern: ${err instanceof SpoolSetupError ? err.message : `queue directory ${spoolDir}: ${(err as Error).message}`}\n`);
    await server.close();
    return EX_CONFIG;
  }
  await server.setSpool(spool);
  // The handlers go in before the ready line: a supervisor that signals as soon as it reads "ready"
  // must not meet the default action (SIGTERM killing the process mid-transaction, SIGHUP too).
  const stopped = new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ event: 'shutdown', signal }, 'stopping: no new connections, finishing transactions in flight');
      const grace = Number(args.values.get('--grace') ?? '30') * 1000;
      void (async () => {
        await server.shutdown(grace);
        await spool.close();
        log.info({ event: 'stopped' }, 'postern stopped');
        flushLogger(log);
        done(0);
      })();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      void (async () => {
        log.info({ event: 'reload' }, 'SIGHUP: reloading configuration');
        let loaded: Awaited<ReturnType<typeof load>>;
        try {
          loaded = await load(req, log);
        } catch (err) {
          log.error({ event: 'reload-failed', err }, 'reload failed unexpectedly; keeping the running configuration');
          return;
        }
        const { runtime: next, errors } = loaded;
        if (next === undefined) {
          // The reasons go in the log line too: stderr of a daemon is often not where its operator looks.
          log.error({ event: 'reload-failed', errors }, 'new configuration has errors; keeping the running one');
          return;
        }
        if (JSON.stringify(next.settings.listeners) !== JSON.stringify(rt!.settings.listeners)) {
          log.warn({ event: 'reload' }, 'listener changes take effect at the next restart');
        }
        server.reload({ ...next.settings, listeners: rt!.settings.listeners }, next.directory, next.policy, next.ownAddresses, next.dns, next.tls);
        rt = next;
        log.info({ event: 'reloaded' }, 'configuration reloaded');
      })();
    });
  });
  dropEarly();
  log.info({ event: 'ready', version: VERSION, listeners: server.addresses(), spool: spoolDir, host: rt.names.j }, 'postern ready');
  const early = stoppedEarly();
  if (early !== undefined) process.emit('SIGTERM', 'SIGTERM');
  return stopped;
}
