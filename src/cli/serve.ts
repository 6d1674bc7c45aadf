// `postern serve`: the daemon. Loads the configuration (postern.conf, sendmail.mc or sendmail.cf), opens
// the spool, listens, and handles SIGTERM (drain and exit 0) and SIGHUP (reload; a broken configuration
// is reported and the running one kept).
//
// Started as root with an unprivileged RunAsUser, this process becomes the master (src/daemon/master.ts)
// and the SMTP server runs in a worker, `serve --worker`, started as RunAsUser with the listening sockets
// and a channel to the master (src/daemon/worker-link.ts). Otherwise everything runs in this process.

import { resolve as resolvePath } from 'node:path';
import type { Logger } from 'pino';
import { loadConfig, type LoadRequest, type LoadResult } from '../config/load.js';
import { buildRuntime, type Runtime } from '../daemon/runtime.js';
import { privilegePlan } from '../daemon/master-plan.js';
import { runMaster } from '../daemon/master.js';
import { WorkerLink } from '../daemon/worker-link.js';
import { masterAgents } from '../daemon/master-agents.js';
import { QueueRuntime } from '../daemon/queue-runtime.js';
import { spawnAgentService } from '../deliver/agent-service.js';
import { Spool, SpoolSetupError, type SpoolEvent } from '../queue/index.js';
import type { AccessSourceEvent } from '../maps/access-source.js';
import type { DomainMapEvent } from '../maps/domain-map-source.js';
import { loadPasswd } from '../maps/users.js';
import { SmtpServer } from '../smtp/server.js';
import { formatDiagnostic, type Diagnostic } from '../util/diagnostics.js';
import { VERSION } from '../version.js';
import { parseArgs } from './args.js';
import { ControlServer } from '../control/server.js';
import { controlSocketPath } from '../control/path.js';
import { controlRegistry } from '../daemon/control-handlers.js';
import { createLogger, flushLogger } from './logger.js';
import { EX_USAGE, EX_OSERR, EX_CONFIG } from '../util/sysexits.js';


/** A submission's frame holds the message plus the headers Postern adds; MaxMessageSize 0 means no limit. */
function controlBodyLimit(maxMessageSize: number): number {
  return maxMessageSize > 0 ? Math.min(maxMessageSize + 1024 * 1024, 0xffffffff) : 0xffffffff;
}

/** How long a worker waits for its listeners from the master. */
const HELLO_TIMEOUT_MS = 10_000;

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

async function load(req: LoadRequest, log: Logger, link: WorkerLink | undefined, preloaded?: LoadResult): Promise<Loaded> {
  const loaded = preloaded ?? (await loadConfig(req));
  report(loaded.diagnostics, log);
  if (loaded.config === undefined) return { errors: errorsOf(loaded.diagnostics) };
  const rt = await buildRuntime(loaded.config, VERSION, {
    onAccessEvent: accessEventLogger(log),
    onTlsEvent: (e) => {
      if (e.kind === 'reloaded') log.info({ event: 'tls-reloaded', files: e.files }, 'server certificate and key loaded again');
      else log.error({ event: 'tls-reload-rejected', files: e.files, reason: e.reason }, `changed certificate or key not usable; the old one stays: ${e.reason}`);
    },
    onPasswordEvent: (e) => {
      if (e.kind === 'loaded') log.info({ event: 'passwords-loaded', file: e.file, users: e.users }, `password file ${e.file}: ${e.users} users`);
      else if (e.kind === 'rejected') log.error({ event: 'passwords-rejected', file: e.file, reason: e.reason }, `password file ${e.file} cannot be read; the users in use are kept`);
      else log.warn({ event: 'passwords-warning', file: e.diagnostic.file, line: e.diagnostic.line }, formatDiagnostic(e.diagnostic));
    },
    onMapEvent: mapEventLogger(log),
    // The worker cannot read a key only root may read: the master reads the files its configuration names.
    ...(link !== undefined ? { readTlsFile: (path: string) => link.readFile(path) } : {}),
  });
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

/** The mailertable and the TLS policy map reload themselves too. */
function mapEventLogger(log: Logger): (e: DomainMapEvent) => void {
  return (e) => {
    if (e.kind === 'loaded') log.info({ event: 'map-loaded', map: e.what, file: e.file, entries: e.entries }, `${e.what} ${e.file}: ${e.entries} entries`);
    else if (e.kind === 'rejected') {
      log.error({ event: 'map-rejected', map: e.what, file: e.file, errors: e.diagnostics.map(formatDiagnostic) }, `${e.what} ${e.file} has errors; the map in use is kept`);
    } else log.error({ event: 'map-unreadable', map: e.what, file: e.file, reason: e.reason }, `${e.what} ${e.file} cannot be read (${e.reason}); the map in use is kept`);
  };
}

function spoolEventLogger(log: Logger): (e: SpoolEvent) => void {
  return (e) => {
    const fields = { event: e.kind, file: e.file };
    if (e.level === 'alert' || e.level === 'warning') log.warn(fields, e.message);
    else log.info(fields, e.message);
  };
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
  const code = await serveUntilStopped(argv, args, log, () => earlyStop, dropEarly);
  dropEarly();
  flushLogger(log);
  return code;
}

function graceMs(args: ReturnType<typeof parseArgs>): number {
  return Number(args.values.get('--grace') ?? '30') * 1000;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function serveUntilStopped(
  argv: readonly string[],
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
  const asWorker = args.flags.has('--worker');
  if (asWorker && isRoot()) {
    process.stderr.write('postern: serve --worker is started by the master as RunAsUser, never as root\n');
    return EX_USAGE;
  }
  let link: WorkerLink | undefined;
  try {
    link = asWorker ? WorkerLink.open() : undefined;
  } catch (err) {
    process.stderr.write(`postern: ${(err as Error).message}\n`);
    return EX_USAGE;
  }
  try {
    return await serveAs(argv, args, req, link, log, stoppedEarly, dropEarly);
  } finally {
    link?.close();
  }
}

async function serveAs(
  argv: readonly string[],
  args: ReturnType<typeof parseArgs>,
  req: LoadRequest,
  link: WorkerLink | undefined,
  log: Logger,
  stoppedEarly: () => string | undefined,
  dropEarly: () => void,
): Promise<number> {
  let preloaded: LoadResult | undefined;
  if (link === undefined && isRoot()) {
    preloaded = await loadConfig(req);
    if (preloaded.config !== undefined) {
      const plan = privilegePlan(preloaded.config, true, await loadPasswd());
      if (plan.mode === 'error') {
        report(preloaded.diagnostics, log);
        process.stderr.write(`postern: ${plan.message}\n`);
        return EX_CONFIG;
      }
      if (plan.mode === 'split') {
        // The worker loads the configuration again and reports its warnings; the master stays quiet.
        return runMaster({
          req,
          cfg: preloaded.config,
          user: plan.user,
          serveArgs: argv,
          log,
          graceMs: graceMs(args),
          agents: masterAgents(),
          stoppedEarly,
          dropEarly,
        });
      }
      if (plan.warning !== undefined) log.warn({ event: 'privilege' }, plan.warning);
    }
  }
  let rt = (await load(req, log, link, preloaded)).runtime;
  if (rt === undefined) return EX_CONFIG;
  const spoolDir = resolvePath(rt.config.options.QueueDirectory);
  let fds: ReadonlyArray<number | null> | undefined;
  if (link !== undefined) {
    let hello;
    try {
      hello = await link.hello(HELLO_TIMEOUT_MS);
    } catch (err) {
      process.stderr.write(`postern: ${(err as Error).message}\n`);
      return EX_OSERR;
    }
    // The sockets are the master's: a listener change in the file waits for a restart of the master.
    if (JSON.stringify(hello.listeners) !== JSON.stringify(rt.settings.listeners)) {
      log.warn({ event: 'reload' }, 'listener changes take effect at the next restart');
    }
    rt = { ...rt, settings: { ...rt.settings, listeners: hello.listeners } };
    fds = hello.fds;
  }

  // The spool first: a worker restarted by the master is handed sockets with connections already waiting,
  // and a server that accepts them before its spool is open can only answer 421.
  let spool: Spool;
  try {
    spool = await Spool.open({ dir: spoolDir, fileMode: rt.config.options.QueueFileMode, onEvent: spoolEventLogger(log) });
  } catch (err) {
    process.stderr.write(`postern: ${err instanceof SpoolSetupError ? err.message : `queue directory ${spoolDir}: ${(err as Error).message}`}\n`);
    rt.dns.cancel();
    return EX_CONFIG;
  }
  // Deliveries go through the master when there is one; otherwise this process starts the agents.
  const ownAgents = link === undefined ? spawnAgentService() : undefined;
  const delivery = link?.delivery ?? ownAgents!;
  let queue: QueueRuntime | string;
  try {
    queue = await QueueRuntime.open(rt, { smtpSpool: spool, delivery, log, onSpoolEvent: spoolEventLogger(log) });
  } catch (err) {
    queue = err instanceof SpoolSetupError ? err.message : `queue runner: ${(err as Error).message}`;
  }
  if (typeof queue === 'string') {
    process.stderr.write(`postern: ${queue}\n`);
    await spool.close();
    await ownAgents?.close();
    rt.dns.cancel();
    return EX_CONFIG;
  }
  const runner = queue;
  const server = new SmtpServer({
    settings: rt.settings,
    directory: rt.directory,
    spool,
    spoolDir,
    dns: rt.dns,
    log,
    version: VERSION,
    ownAddresses: rt.ownAddresses,
    tls: rt.tls,
    authenticator: rt.authenticator,
    policy: rt.policy,
    etrn: (node) => runner.runner.etrn(node),
  });
  try {
    await server.listen(fds);
  } catch (err) {
    process.stderr.write(`postern: cannot listen: ${(err as Error).message}\n`);
    await runner.close(0);
    await spool.close();
    await ownAgents?.close();
    return EX_OSERR;
  }
  const rtNow = (): Runtime => rt!;
  const control = new ControlServer({
    path: controlSocketPath(rt.config),
    registry: controlRegistry({ runtime: rtNow, spool, queue: runner, server, log }),
    log,
    maxBody: () => controlBodyLimit(rtNow().config.options.MaxMessageSize),
  });
  try {
    await control.listen();
  } catch (err) {
    // Not fatal: SMTP still works; the command line falls back as docs/cli.md says (exit 75 for most callers).
    log.error({ event: 'control-error', path: control.path, err }, `no control socket at ${control.path}: ${(err as Error).message}`);
  }
  // The handlers go in before the ready line: a supervisor that signals as soon as it reads "ready"
  // must not meet the default action (SIGTERM killing the process mid-transaction, SIGHUP too).
  const stopped = new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ event: 'shutdown', signal }, 'stopping: no new connections, finishing transactions in flight');
      void (async () => {
        await control.close();
        await server.shutdown(graceMs(args));
        // Deliveries in flight may finish within the grace period; an attempt cut short repeats only them.
        await runner.close(graceMs(args));
        await spool.close();
        await ownAgents?.close();
        log.info({ event: 'stopped' }, 'postern stopped');
        flushLogger(log);
        done(0);
      })();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    // Without its master the worker has no agents and would hold the ports against a new master.
    link?.whenGone(() => stop('master-gone'));
    process.on('SIGHUP', () => {
      void (async () => {
        log.info({ event: 'reload' }, 'SIGHUP: reloading configuration');
        let loaded: Awaited<ReturnType<typeof load>>;
        try {
          loaded = await load(req, log, link);
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
        server.reload({ ...next.settings, listeners: rt!.settings.listeners }, next.directory, next.policy, next.ownAddresses, next.dns, next.tls, next.authenticator);
        const queueError = await runner.reload(next);
        if (queueError !== undefined) log.error({ event: 'reload-failed', errors: [queueError] }, `queue runner keeps its configuration: ${queueError}`);
        rt = next;
        log.info({ event: 'reloaded' }, 'configuration reloaded');
      })();
    });
  });
  dropEarly();
  // The master hears it first: whoever acts on the ready line finds a master that counts this worker as up.
  link?.ready();
  log.info({ event: 'ready', version: VERSION, listeners: server.addresses(), spool: spoolDir, host: rt.names.j }, 'postern ready');
  runner.start();
  const early = stoppedEarly();
  if (early !== undefined) process.emit('SIGTERM', 'SIGTERM');
  return stopped;
}
