// The root master (ARCHITECTURE.md "Privilege"): started as root with an unprivileged RunAsUser, it
// prepares the queue directory, binds the listeners, starts the worker as RunAsUser with the sockets,
// and from then on only serves the worker's requests (agent jobs, TLS files) and supervises it. It reads
// nothing from the network and keeps no configuration state beyond what it needs for those requests.

import { chown, mkdir, stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { EffectiveConfig } from '../config/effective.js';
import { loadConfig, type LoadRequest } from '../config/load.js';
import { configuredHostName } from '../config/macros.js';
import type { DeliveryService } from '../deliver/agent-protocol.js';
import type { UserEntry } from '../maps/users.js';
import { formatDiagnostic } from '../util/diagnostics.js';
import { VERSION } from '../version.js';
import { hostNames } from './host-names.js';
import { jobPolicy } from './master-job-check.js';
import type { MasterView } from './master-jobs.js';
import { bindListeners } from './master-listeners.js';
import { unsafeSecretFile } from './master-secrets.js';
import { PasswdWatch } from './master-users.js';
import { prepareControlDirectory } from './control-directory.js';
import { controlSocketPath } from '../control/path.js';
import { WorkerSupervisor } from './master-supervisor.js';
import { smtpSettings } from './smtp-settings.js';

const EX_OK = 0;
const EX_OSERR = 71;
const EX_CONFIG = 78;

/** The compiled CLI entry, run by the worker as `main.js serve --worker ...`. */
export const CLI_MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export interface MasterOptions {
  req: LoadRequest;
  cfg: EffectiveConfig;
  user: UserEntry;
  /** the `serve` arguments, passed on to the worker */
  serveArgs: readonly string[];
  log: Logger;
  /** the worker's --grace; the master kills a worker that has not stopped 10 s after it */
  graceMs: number;
  /** the agent service that runs the jobs the master accepts; closed when the master ends */
  agents: DeliveryService & { close?(): Promise<void> };
  /** tests put another program in the worker's place */
  workerCommand?: { command: string; args: string[] };
  /** a SIGTERM/SIGINT that came before the master's own handlers */
  stoppedEarly: () => string | undefined;
  dropEarly: () => void;
}

function viewOf(cfg: EffectiveConfig): MasterView {
  const o = cfg.options;
  // The password file is served like the key: root may keep it 0600 (docs/auth.md).
  const tls = [o.ServerCertFile, o.ServerKeyFile, o.CACertFile, o.AuthPasswordFile].filter((f): f is string => f !== undefined);
  return { policy: jobPolicy(cfg, hostNames(configuredHostName(cfg)).w), tlsFiles: new Set(tls) };
}

/** The queue directory belongs to RunAsUser; root creates it (its parent may be root's) and hands it over. */
async function prepareSpool(dir: string, user: UserEntry): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await stat(dir);
  if (st.uid === 0) await chown(dir, user.uid, user.gid);
}

function workerEnv(user: UserEntry): NodeJS.ProcessEnv {
  return { ...process.env, HOME: user.home, USER: user.name, LOGNAME: user.name };
}

export async function runMaster(opts: MasterOptions): Promise<number> {
  const { cfg, user, log } = opts;
  const spoolDir = resolvePath(cfg.options.QueueDirectory);
  try {
    await prepareSpool(spoolDir, user);
  } catch (err) {
    process.stderr.write(`postern: queue directory ${spoolDir}: ${(err as Error).message}\n`);
    return EX_CONFIG;
  }
  const unsafe = await unsafeSecretFile(cfg, user);
  if (unsafe !== undefined) {
    process.stderr.write(`postern: ${unsafe}\n`);
    return EX_CONFIG;
  }
  // Not fatal: without its control socket the daemon still serves SMTP (the worker logs why it has none).
  await prepareControlDirectory(controlSocketPath(cfg), user).catch((err: Error) =>
    log.warn({ event: 'control-error', err }, `control socket directory: ${err.message}`),
  );
  const listeners = smtpSettings(cfg, hostNames(configuredHostName(cfg)), VERSION).listeners;
  const bind = await bindListeners(listeners, log);
  if (!bind.ok) {
    process.stderr.write(`postern: cannot listen: ${bind.error}\n`);
    return EX_OSERR;
  }
  const bound = bind.bound;

  let current = viewOf(cfg);
  let reloading: Promise<MasterView> | undefined;
  const reload = (): void => {
    const next = (async (): Promise<MasterView> => {
      const loaded = await loadConfig(opts.req);
      if (loaded.config === undefined) {
        // The worker reports the errors in full; the master keeps what it had, as the worker does.
        log.error({ event: 'master-reload-failed', errors: loaded.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic) }, 'master: new configuration has errors; keeping the running one');
        return current;
      }
      current = viewOf(loaded.config);
      return current;
    })().catch((err: unknown) => {
      log.error({ event: 'master-reload-failed', err }, 'master: reload failed unexpectedly');
      return current;
    });
    reloading = next;
    void next.then(() => {
      if (reloading === next) reloading = undefined;
    });
  };

  const passwd = new PasswdWatch();
  const worker = opts.workerCommand ?? { command: process.execPath, args: [CLI_MAIN, 'serve', '--worker', ...opts.serveArgs] };
  const supervisor = new WorkerSupervisor({
    spec: { ...worker, user: { name: user.name, uid: user.uid, gid: user.gid }, env: workerEnv(user), cwd: process.cwd() },
    bound,
    log,
    stopTimeoutMs: opts.graceMs + 10_000,
    jobs: { agents: opts.agents, view: () => reloading ?? Promise.resolve(current), accounts: () => passwd.current() },
  });
  const onStop = (sig: NodeJS.Signals): void => supervisor.signal(sig);
  const onHup = (): void => {
    log.info({ event: 'master-reload' }, 'master: SIGHUP, passed on to the worker');
    reload();
    supervisor.signal('SIGHUP');
  };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', onHup);
  opts.dropEarly();
  try {
    if (opts.stoppedEarly() !== undefined) return EX_OK;
    supervisor.start();
    return await supervisor.done;
  } finally {
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    process.off('SIGHUP', onHup);
    bound.close();
    // Agents kept for reuse would hold the master's event loop open.
    await opts.agents.close?.();
  }
}
