// Everything the daemon derives from the effective configuration and the side files: SMTP settings,
// class w, the local directory (aliases, users) and the DNS resolver. Built at start-up and again on
// SIGHUP; a reload that fails keeps the old runtime.

import { stat } from 'node:fs/promises';
import type { EffectiveConfig } from '../config/effective.js';
import { configuredHostName } from '../config/macros.js';
import { DnsResolver } from '../dns/resolver.js';
import { AliasStore, type AliasStoreEvent } from '../maps/alias-db-store.js';
import { AliasStoreDirectory } from '../maps/alias-db-directory.js';
import { readClassFile } from '../maps/class-file.js';
import { StaticLocalDirectory, normaliseDomain } from '../maps/local-directory.js';
import { loadPasswd } from '../maps/users.js';
import { canonicalize } from '../policy/canonical.js';
import type { SmtpSettings } from '../smtp/settings.js';
import { DiagnosticList, type Diagnostic } from '../util/diagnostics.js';
import { hostNames, interfaceAddresses, type HostNames } from './host-names.js';
import { smtpSettings } from './smtp-settings.js';
import { loadServerTls, type TlsReloadEvent } from './tls-context.js';
import { PasswordStore, type PasswordStoreEvent } from '../maps/password-store.js';
import type { TlsCredentials } from '../smtp/server.js';
import { Policy } from '../policy/engine.js';
import { NO_ACCESS, type AccessView } from '../policy/access-view.js';
import { AccessMapSource, accessSourceOptions, type AccessSourceEvent } from '../maps/access-source.js';
import { accessView } from './access-view.js';
import { policyConfig } from './policy-settings.js';
import { policyDns } from './policy-runtime.js';
import { checkFileSafety, type FileSafetyPolicy } from './file-safety.js';
import type { DomainMapEvent } from '../maps/domain-map-source.js';
import { openOutbound, type OutboundMaps } from './outbound-runtime.js';

export interface Runtime {
  config: EffectiveConfig;
  names: HostNames;
  settings: SmtpSettings;
  directory: StaticLocalDirectory;
  /** The aliases (compiled databases, or the text files when there are none), for routing. */
  aliases: AliasStore;
  ownAddresses: Set<string>;
  dns: DnsResolver;
  policy: Policy;
  /** Present when STARTTLS can be offered; reloads itself when the files change. */
  tls: TlsCredentials | undefined;
  /** The AUTH password file (AuthPasswordFile); AUTH is offered only when present. */
  authenticator: PasswordStore | undefined;
  /** Smart host, mailertable and TLS policy map (remote delivery). */
  outbound: OutboundMaps;
}

export interface RuntimeResult {
  runtime?: Runtime;
  diagnostics: Diagnostic[];
}

export const PASSWD_FILE = '/etc/passwd';

/** Class words of `cls` from the configuration and its class files; a missing mandatory file is an error. */
async function classWords(cfg: EffectiveConfig, cls: string, diags: DiagnosticList): Promise<string[]> {
  const words = (cfg.classes[cls] ?? []).map((e) => e.word);
  for (const spec of cfg.classFiles) {
    if (spec.cls !== cls) continue;
    const r = await readClassFile({ path: spec.path, optional: spec.optional });
    if (!r.ok) {
      diags.items.push(r.error);
      continue;
    }
    for (const w of r.words) words.push(w.word);
  }
  return words;
}

/** Start-up never waits longer than this for the names of the host's own addresses. */
const INTERFACE_NAMES_WAIT_MS = 2000;

/** PTR names of the host's own addresses; a lookup that fails or is slow only leaves that name out. */
async function interfaceNames(own: ReadonlySet<string>, dns: DnsResolver): Promise<string[]> {
  const names: string[] = [];
  const lookups = [...own].map(async (addr) => {
    const a = await dns.reverse(addr.replace(/^IPv6:/, ''));
    if (a.ok) for (const n of a.value) names.push(n.replace(/\.$/, ''));
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, INTERFACE_NAMES_WAIT_MS);
    timer.unref();
  });
  await Promise.race([Promise.allSettled(lookups), deadline]);
  clearTimeout(timer);
  return [...names];
}

function dnsServers(cfg: EffectiveConfig): string[] {
  return (cfg.options.DnsServers ?? []).map((s) => (s.family === 6 ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`));
}

/** The accounts that may own configuration files: root, TrustedUser, and the user the daemon runs as. */
function safetyPolicy(cfg: EffectiveConfig, users: { lookupUser(n: string): { uid: number } | undefined }): FileSafetyPolicy {
  const owners = new Set<number>([0]);
  if (typeof process.geteuid === 'function') owners.add(process.geteuid());
  for (const name of [cfg.options.TrustedUser, cfg.options.RunAsUser]) {
    const u = name === undefined ? undefined : users.lookupUser(name);
    if (u !== undefined) owners.add(u.uid);
  }
  return { owners, dontBlame: new Set(cfg.options.DontBlameSendmail.flags) };
}

async function checkFiles(cfg: EffectiveConfig, policy: FileSafetyPolicy, diags: DiagnosticList): Promise<void> {
  for (const f of cfg.files) await checkFileSafety(f, 'config', policy, diags);
  for (const f of cfg.options.AliasFile) await checkFileSafety(f.replace(/^[a-z]+:/, ''), 'alias', policy, diags);
  for (const c of cfg.classFiles) await checkFileSafety(c.path, 'class', policy, diags);
  if (cfg.accessMap !== undefined) await checkFileSafety(cfg.accessMap.path, 'map', policy, diags);
  const pw = cfg.options.AuthPasswordFile;
  if (pw !== undefined) {
    await checkFileSafety(pw, 'map', policy, diags);
    await warnWorldReadable(pw, diags);
  }
  if (cfg.mailertable !== undefined) await checkFileSafety(cfg.mailertable.path, 'map', policy, diags);
  const tlsPolicy = cfg.options.TLSPolicyFile?.trim();
  if (tlsPolicy !== undefined && tlsPolicy !== '') await checkFileSafety(tlsPolicy, 'map', policy, diags);
}

/** Password hashes are secrets: slow to crack is not impossible to crack. */
async function warnWorldReadable(path: string, diags: DiagnosticList): Promise<void> {
  try {
    const st = await stat(path);
    if ((st.mode & 0o004) !== 0) diags.warning(`AuthPasswordFile is readable by everyone (mode 0${(st.mode & 0o777).toString(8)}); use 0600 or 0640`, { file: path });
  } catch {
    // Missing or not ours to stat (read through the master): the loader reports what matters.
  }
}

export interface RuntimeOptions {
  passwdFile?: string;
  /** access map reloads after start-up (mtime changes), for the daemon's log */
  onAccessEvent?: (e: AccessSourceEvent) => void;
  /** reads ServerCertFile, ServerKeyFile, CACertFile and AuthPasswordFile (a worker asks its root master) */
  readTlsFile?: (path: string) => Promise<Buffer>;
  /** the server certificate reloaded (or a changed one refused) after start-up */
  onTlsEvent?: (e: TlsReloadEvent) => void;
  /** the password file reloaded (or refused) after start-up */
  onPasswordEvent?: (e: PasswordStoreEvent) => void;
  /** alias databases loaded again, found out of date or incomplete after start-up, for the daemon's log */
  onAliasEvent?: (e: AliasStoreEvent) => void;
  /** mailertable and TLS policy map loads and refused reloads, for the daemon's log */
  onMapEvent?: (e: DomainMapEvent) => void;
}

/** The access map named by the configuration, if FEATURE(access_db) is on; errors stop the start. */
async function openAccess(cfg: EffectiveConfig, diags: DiagnosticList, onEvent?: (e: AccessSourceEvent) => void): Promise<AccessView> {
  const opts = accessSourceOptions(cfg);
  if (opts === undefined) return NO_ACCESS;
  const r = await AccessMapSource.open({ ...opts, ...(onEvent !== undefined ? { onEvent } : {}) });
  diags.items.push(...r.diagnostics);
  return r.ok ? accessView(r.source) : NO_ACCESS;
}

async function openPasswords(file: string | undefined, diags: DiagnosticList, o: RuntimeOptions): Promise<PasswordStore | undefined> {
  if (file === undefined) return undefined;
  const r = await PasswordStore.open({
    file,
    ...(o.readTlsFile !== undefined ? { read: o.readTlsFile } : {}),
    ...(o.onPasswordEvent !== undefined ? { onEvent: o.onPasswordEvent } : {}),
  });
  diags.items.push(...r.diagnostics);
  if (r.store !== undefined && r.store.size === 0) diags.warning('AuthPasswordFile has no users: every AUTH attempt fails', { file });
  return r.store;
}

export async function buildRuntime(cfg: EffectiveConfig, version: string, runtimeOpts: RuntimeOptions = {}): Promise<RuntimeResult> {
  const passwdFile = runtimeOpts.passwdFile ?? PASSWD_FILE;
  const diags = new DiagnosticList();
  const o = cfg.options;
  const names = hostNames(configuredHostName(cfg));
  if (names.unqualified) diags.warning(`host name ${names.j} is not fully qualified; set confDOMAIN_NAME (Dj) to the FQDN`);
  const probe = o.DontProbeInterfaces === true ? false : o.DontProbeInterfaces === 'loopback' ? 'loopback' : true;
  const ifaces = interfaceAddresses(probe);
  const dns = new DnsResolver({
    servers: dnsServers(cfg),
    timeoutMs: o['Timeout.resolver.retrans'],
    tries: o['Timeout.resolver.retry'],
  });
  const w = new Set<string>(['localhost', names.j, names.w, ...ifaces.literals].map(normaliseDomain));
  // The names the host's own addresses resolve to are ours too (relay-and-access.md §1).
  for (const name of await interfaceNames(ifaces.own, dns)) w.add(normaliseDomain(name));
  for (const word of await classWords(cfg, 'w', diags)) w.add(normaliseDomain(word));
  const isLocalDomain = (d: string): boolean => w.has(normaliseDomain(d));

  // aliases-forward.md §3: the compiled database (waiting up to AliasWait for a complete one), or the
  // text file when no database exists; never an error that stops the server.
  const aliases = await AliasStore.open({
    files: o.AliasFile,
    isLocalDomain,
    classify: (a) => canonicalize(a, { isLocalDomain, j: names.j, m: names.m }),
    aliasWaitMs: o.AliasWait,
    ...(runtimeOpts.onAliasEvent !== undefined ? { onEvent: runtimeOpts.onAliasEvent } : {}),
  });
  diags.items.push(...aliases.diagnostics);
  const users = await loadPasswd(passwdFile);
  for (const d of users.diagnostics) diags.items.push({ ...d, severity: 'warning' });
  // Ownership is judged against the system's accounts, whatever passwd file serves local recipients.
  await checkFiles(cfg, safetyPolicy(cfg, passwdFile === PASSWD_FILE ? users : await loadPasswd(PASSWD_FILE)), diags);

  const tls = await loadServerTls({ cert: o.ServerCertFile, key: o.ServerKeyFile, ca: o.CACertFile }, diags, runtimeOpts.readTlsFile, {
    ...(runtimeOpts.onTlsEvent !== undefined ? { onEvent: runtimeOpts.onTlsEvent } : {}),
  });
  const authenticator = await openPasswords(o.AuthPasswordFile, diags, runtimeOpts);
  if (diags.hasErrors) return { diagnostics: diags.items };
  const settings = smtpSettings(cfg, names, version);
  const relayWords = await classWords(cfg, 'R', diags);
  const access = await openAccess(cfg, diags, runtimeOpts.onAccessEvent);
  const outbound = await openOutbound(cfg, diags, runtimeOpts.onMapEvent);
  const policy = new Policy(policyConfig(cfg, names, isLocalDomain, relayWords, access), policyDns(cfg, dns, names.j, isLocalDomain, diags));
  if (diags.hasErrors) return { diagnostics: diags.items };
  return {
    runtime: { config: cfg, names, settings, directory: new AliasStoreDirectory(w, aliases.store, users, o.MaxAliasRecursion), aliases: aliases.store, ownAddresses: ifaces.own, dns, tls, authenticator, policy, outbound },
    diagnostics: diags.items,
  };
}
