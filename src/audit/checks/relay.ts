// Relaying and the access map (seed: relay FEATUREs, access_db, dnsbl): relay-promiscuous,
// relay-local-from, relay-mail-from, relay-loose-check, relay-based-on-mx, relay-entire-domain-tld,
// relay-class-broad, relay-class-private-net, relay-hosts-only-missing, access-untagged,
// access-numeric-rhs, access-db-stale, access-db-missing, feature-blacklist-name, dnsbl-none,
// accept-unresolvable-domains, accept-unqualified-senders.

import type { FeatureUse } from '../../config/features.js';
import { parseAccessText, tagText, type AccessEntry } from '../access-text.js';
import type { CheckId } from '../catalog.js';
import { classWords } from '../class-words.js';
import type { AuditContext } from '../context.js';
import { classifyRelayEntry } from '../relay-entry.js';
import { describeCode, errnoCode } from '../root-fs.js';

const FEATURE_CHECKS: ReadonlyArray<[string, CheckId, string]> = [
  ['promiscuous_relay', 'relay-promiscuous', 'FEATURE(promiscuous_relay) turns off every relay check: this is an open relay'],
  ['relay_local_from', 'relay-local-from', 'FEATURE(relay_local_from): anyone who forges a local sender address may relay'],
  ['relay_mail_from', 'relay-mail-from', 'FEATURE(relay_mail_from): relaying is granted on the envelope sender, which anyone can forge'],
  ['loose_relay_check', 'relay-loose-check', 'FEATURE(loose_relay_check): user%evil@relaydomain is accepted for any host'],
  ['relay_based_on_MX', 'relay-based-on-mx', 'FEATURE(relay_based_on_MX): anyone can point an MX at this host and relay through it'],
  ['blacklist_recipients', 'feature-blacklist-name', 'FEATURE(blacklist_recipients) is the deprecated name of blocklist_recipients'],
  ['accept_unresolvable_domains', 'accept-unresolvable-domains', 'FEATURE(accept_unresolvable_domains): mail from sender domains that do not exist is accepted'],
  ['accept_unqualified_senders', 'accept-unqualified-senders', 'FEATURE(accept_unqualified_senders): sender addresses without a domain are accepted from the network'],
];

function featureWhere(ctx: AuditContext, f: FeatureUse): ReturnType<AuditContext['where']> {
  return ctx.where(f.file === '' ? undefined : { file: f.file, line: f.line }, `FEATURE(${f.name})`);
}

async function checkFeatures(ctx: AuditContext): Promise<void> {
  const features = ctx.cfg.features;
  for (const [name, id, message] of FEATURE_CHECKS) {
    for (const f of features[name] ?? []) {
      const { subject, extra } = featureWhere(ctx, f);
      const floorNote = name === 'promiscuous_relay' && ctx.mode === 'postern' && ctx.cfg.options.HardeningFloor ? ' (Postern refuses to start with it while HardeningFloor is on)' : '';
      ctx.add(id, subject, message + floorNote, extra);
    }
  }
  for (const f of features['relay_entire_domain'] ?? []) {
    const j = await ctx.hostName();
    const dot = j.indexOf('.');
    const m = dot < 0 ? '' : j.slice(dot + 1);
    const labels = m === '' ? 0 : m.split('.').length;
    const { subject, extra } = featureWhere(ctx, f);
    if (labels < 2) {
      ctx.add('relay-entire-domain-tld', subject, `FEATURE(relay_entire_domain) with $m = "${m}" (from $j ${j}): every host in ${m === '' ? 'an empty domain' : `the top-level domain ${m}`} may relay`, extra);
    } else {
      ctx.add('relay-entire-domain-tld', subject, `FEATURE(relay_entire_domain): every host in ${m} may relay`, { ...extra, severity: 'info' });
    }
  }
  if ((features['dnsbl'] ?? []).length === 0 && (features['enhdnsbl'] ?? []).length === 0) {
    ctx.add('dnsbl-none', 'FEATURE(dnsbl)', 'no dnsbl or enhdnsbl feature: known spam sources are not refused');
  }
  for (const l of ctx.cfg.listeners) {
    if (!l.modifiers.allowUnqualified || /^(127\.|::1$|localhost$)/i.test(l.addr)) continue;
    const extra = ctx.optionAt('DaemonPortOptions');
    ctx.add('accept-unqualified-senders', `DaemonPortOptions ${l.name}`, `the listener ${l.name} (${l.addr || '0.0.0.0'}:${l.port}) has modifier u: unqualified senders are accepted from the network`, extra);
  }
}

function relayEntry(ctx: AuditContext, word: string, subject: string, where: string, at: { file?: string; line?: number }): 'host' | undefined {
  const k = classifyRelayEntry(word);
  if (k.kind === 'broad') ctx.add('relay-class-broad', subject, `${where} ${word} relays for ${k.why}`, at);
  else if (k.kind === 'private') ctx.add('relay-class-private-net', subject, `${where} ${word} relays for ${k.why}: fine for an internal relay, listed for review`, at);
  return k.kind === 'host' ? 'host' : undefined;
}

async function checkClassR(ctx: AuditContext): Promise<void> {
  const r = await classWords(ctx, 'R');
  const hosts: string[] = [];
  for (const e of r.words) {
    const subject = e.file === undefined ? `class R ${e.word}` : `${e.file}:${e.line ?? 0}`;
    const at = e.file === undefined ? {} : { file: e.file, line: e.line ?? 0 };
    if (relayEntry(ctx, e.word, subject, 'class R entry', at) === 'host') hosts.push(e.word);
  }
  if (hosts.length > 0 && (ctx.cfg.features['relay_hosts_only'] ?? []).length === 0) {
    const shown = hosts.slice(0, 5).join(', ') + (hosts.length > 5 ? ', ...' : '');
    ctx.add('relay-hosts-only-missing', 'class R', `class R holds host names (${shown}) but FEATURE(relay_hosts_only) is absent, so every subdomain of each may relay`);
  }
}

function checkAccessEntries(ctx: AuditContext, path: string, entries: readonly AccessEntry[]): void {
  for (const e of entries) {
    const subject = `${path}:${e.line}`;
    const at = { file: path, line: e.line };
    const key = `${tagText(e)}${e.key}`;
    if (e.tag === undefined) {
      ctx.add('access-untagged', subject, `the entry ${key} ${e.value} has no tag: it applies to Connect, From and To at once`, at);
    }
    if (/^\d{3}(\s|$)/.test(e.value)) {
      ctx.add('access-numeric-rhs', subject, `the value of ${key} is written "${e.value}" instead of ERROR:${e.value}`, at);
    }
    if (/^relay$/i.test(e.value) && (e.tag === undefined || e.tag === 'connect' || e.tag === 'to')) {
      relayEntry(ctx, e.key, subject, `access ${e.tag === undefined ? 'untagged' : tagText(e)} RELAY entry`, at);
    }
  }
}

async function mtime(ctx: AuditContext, p: string): Promise<number | undefined> {
  try {
    return (await ctx.fs.stat(p)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The access map entries (for the Srv_Features look of sendmail-smuggling-fix), read once here. */
export async function checkAccessMap(ctx: AuditContext): Promise<AccessEntry[]> {
  const am = ctx.cfg.accessMap;
  if (am === undefined) {
    ctx.add('access-db-missing', 'FEATURE(access_db)', 'no access map: no per-client or per-sender blocking is possible');
    return [];
  }
  const db = am.configuredPath ?? `${am.path}.db`;
  let text: string;
  try {
    text = await ctx.fs.readFile(am.path, 'latin1');
  } catch (e) {
    const code = errnoCode(e);
    if (code !== 'ENOENT') {
      ctx.skip('access-*', `cannot read ${am.path}: ${describeCode(code)}`);
    } else if (ctx.mode === 'sendmail' && (await mtime(ctx, db)) !== undefined) {
      ctx.skip('access-*', `only the compiled ${db} exists; its text source ${am.path} is needed to audit the entries`);
    } else {
      ctx.add('access-db-missing', am.path, `no access map: ${am.path} does not exist, so no per-client or per-sender blocking is possible`, { file: am.path });
    }
    return [];
  }
  const entries = parseAccessText(text);
  checkAccessEntries(ctx, am.path, entries);
  if (ctx.mode === 'sendmail') {
    const textTime = await mtime(ctx, am.path);
    const dbTime = await mtime(ctx, db);
    if (dbTime === undefined) ctx.add('access-db-stale', am.path, `${db} does not exist: sendmail reads only the compiled map, so none of these entries is in force`, { file: am.path });
    else if (textTime !== undefined && textTime > dbTime) ctx.add('access-db-stale', am.path, `${am.path} is newer than ${db}: the changes are not in force`, { file: am.path });
  }
  return entries;
}

export async function checkRelay(ctx: AuditContext): Promise<AccessEntry[]> {
  await checkFeatures(ctx);
  await checkClassR(ctx);
  return checkAccessMap(ctx);
}
