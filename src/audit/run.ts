// `postern audit` without its command line: load the configuration (Postern's, or a real sendmail's
// judged by sendmail 8.17's defaults and no floor), run every check of audit-and-probe.md §2.2, and
// return the findings. Only reads: nothing is written, no program of the configuration is run.

import type { Diagnostic } from '../util/diagnostics.js';
import { checkAliases } from './checks/aliases.js';
import { checkHandEdited } from './checks/cf-hand-edited.js';
import { checkConfigFiles } from './checks/config-files.js';
import { checkEngine } from './checks/engine.js';
import { checkForwardFiles } from './checks/forward.js';
import { checkGreeting } from './checks/greeting.js';
import { checkLoaderFacts } from './checks/loader-facts.js';
import { checkPrivacy } from './checks/privacy.js';
import { checkProgramDelivery } from './checks/program.js';
import { checkQueue } from './checks/queue.js';
import { checkRelay } from './checks/relay.js';
import { checkUsersAndFiles } from './checks/users-files.js';
import { AuditContext, type AuditMode } from './context.js';
import type { Finding } from './findings.js';
import { loadAuditConfig } from './load-config.js';
import { RootFs } from './root-fs.js';

export interface AuditRequest {
  /** `postern`: --config (or the embedded default); `sendmail`: --sendmail <.mc|.cf>. */
  mode: AuditMode;
  /** The postern.conf / .mc / .cf named on the command line. */
  path?: string;
  root?: string;
  forward?: boolean;
  smrshDir?: string;
  defines?: Record<string, string>;
  cliOptions?: Array<{ name: string; value: string }>;
}

export type AuditOutcome =
  | { kind: 'unreadable'; path: string; reason: string }
  | { kind: 'errors'; diagnostics: Diagnostic[]; fs: RootFs }
  | { kind: 'done'; findings: Finding[] };

function isRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0;
}

export async function runAudit(req: AuditRequest): Promise<AuditOutcome> {
  const fs = new RootFs(req.root);
  const loaded = await loadAuditConfig({
    profile: req.mode,
    fs,
    ...(req.path !== undefined ? { path: req.path } : {}),
    ...(req.defines !== undefined ? { defines: req.defines } : {}),
    ...(req.cliOptions !== undefined ? { cliOptions: req.cliOptions } : {}),
  });
  if (loaded.kind === 'unreadable') return loaded;
  if (loaded.kind === 'errors') return { kind: 'errors', diagnostics: loaded.diagnostics, fs };
  const unsupportedFeatures = new Set(
    loaded.tolerated.map((t) => /^FEATURE\((\w+)\)/.exec(t.diagnostic.message)?.[1]).filter((n): n is string => n !== undefined),
  );
  const ctx = new AuditContext(loaded.config, req.mode, fs, {
    forward: req.forward === true,
    unsupportedFeatures,
    privileged: req.root !== undefined || isRoot(),
    ...(req.smrshDir !== undefined ? { smrshDir: req.smrshDir } : {}),
  });
  checkLoaderFacts(ctx, loaded.diagnostics, loaded.tolerated);
  const smrsh = await checkProgramDelivery(ctx);
  await checkAliases(ctx, smrsh);
  await checkForwardFiles(ctx, smrsh);
  checkPrivacy(ctx);
  await checkGreeting(ctx);
  await checkQueue(ctx);
  await checkConfigFiles(ctx);
  await checkHandEdited(ctx);
  const access = await checkRelay(ctx);
  await checkUsersAndFiles(ctx);
  await checkEngine(ctx, access);
  return { kind: 'done', findings: ctx.findings };
}
