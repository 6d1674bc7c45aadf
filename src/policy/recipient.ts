// Recipient checks (relay-and-access.md §7, sendmail's check_rcpt), in the order of §4: blocklisted
// recipients, the recipient side and the client side of the relay decision, then (delay_checks) the
// sender and connection checks, block_bad_helo and redirect. Local verification (users, aliases) is the
// caller's last step. Every relay trick is judged on the canonical address (§3), so no spelling opens a
// relay.

import { REPLIES, policyReply, type PolicyReply } from '../smtp/replies.js';
import { canonicalize, findFree, normalizeDomain, type CanonicalAddress } from './canonical.js';
import { connectionChecks, type ClientFacts } from './connection.js';
import { firstFound, fromAccess, type Outcome } from './outcome.js';
import type { PolicyConfig } from './policy-config.js';
import type { PolicyDns } from './policy-dns.js';
import { senderChecks } from './sender.js';

/** sendmail's exact list of client addresses that are "this host" for relaying (§7.3 step 1). */
const LOCAL_CLIENTS = new Set(['', '0', '127.0.0.1', 'IPv6:::1']);

export function clientMayRelay(clientAddr: string, clientIsOwnAddress: boolean): boolean {
  return LOCAL_CLIENTS.has(clientAddr) || clientIsOwnAddress;
}

export interface RecipientFacts {
  /** the recipient without brackets, source route removed */
  address: string;
  client: ClientFacts;
  /** the client connects from one of this host's own non-loopback addresses (class w `[addr]`) */
  clientIsOwnAddress: boolean;
  /** envelope sender ('' null) and the listener's modifiers, for delay_checks and relay_*_from */
  sender: string;
  modifiers: string;
  /** authenticated with a mechanism in TrustAuthMech */
  trustedAuth: boolean;
  authOffered: boolean;
  helo: string | null;
}

export type RecipientDecision =
  | { kind: 'reject'; reply: PolicyReply }
  | {
      kind: 'accept';
      /** delivered here: check the user / alias next */
      local: boolean;
      canonical: CanonicalAddress;
      discard?: boolean;
      quarantine?: string;
    };

function canon(cfg: PolicyConfig, address: string): CanonicalAddress {
  const f = cfg.features;
  return canonicalize(address, {
    isLocalDomain: (d) => cfg.isLocalDomain(d),
    j: cfg.j,
    m: cfg.m,
    ...(f.nopercenthack !== undefined ? { nopercenthack: f.nopercenthack } : {}),
    ...(f.nouucp !== undefined ? { nouucp: f.nouucp } : {}),
  });
}

function inClassM(cfg: PolicyConfig, name: string): boolean {
  const m = normalizeDomain(cfg.m);
  const n = normalizeDomain(name);
  return m !== '' && (n === m || n.endsWith(`.${m}`));
}

/** The local part still routes elsewhere (class O: `@`, `%` unless nopercenthack, `!` unless nouucp). */
function routesOn(cfg: PolicyConfig, local: string): boolean {
  const f = cfg.features;
  return (
    findFree(local, '@', false) !== -1 ||
    ((f.nopercenthack === undefined || f.nopercenthack === 'on') && findFree(local, '%', false) !== -1) ||
    ((f.nouucp === undefined || f.nouucp === 'on') && findFree(local, '!', false) !== -1)
  );
}

/** §7.1: blocklisted recipients (To: lookups). */
function blocklist(cfg: PolicyConfig, c: CanonicalAddress): Outcome {
  const d = c.domain;
  const a =
    d === undefined
      ? cfg.access.user('To', c.local)
      : c.isLocal
        ? firstFound(
            () => cfg.access.full('To', c.local, d),
            () => cfg.access.user('To', c.local),
            () => cfg.access.domain('To', d),
          )
        : firstFound(
            () => cfg.access.full('To', c.local, d),
            () => cfg.access.domain('To', d),
          );
  const o = fromAccess(a, cfg.texts.rcptReject);
  return o.kind === 'ok' || o.kind === 'relay' ? { kind: 'none' } : o;
}

type Side = { kind: 'accept'; local: boolean } | { kind: 'continue'; remembered?: PolicyReply } | { kind: 'reject'; reply: PolicyReply };

/** §7.2 step 4: does the recipient's domain allow delivery or relaying by itself? */
async function recipientSide(cfg: PolicyConfig, dns: PolicyDns, c: CanonicalAddress): Promise<Side> {
  const f = cfg.features;
  if (c.rejected !== undefined) return { kind: 'continue' };
  const d = c.domain;
  if (d === undefined || c.isLocal) return { kind: 'accept', local: true };
  if (f.relayEntireDomain && inClassM(cfg, d)) return { kind: 'accept', local: false };
  if (cfg.relayClass.matchesName(d, f.relayHostsOnly)) return { kind: 'accept', local: false };
  let remembered: PolicyReply | undefined;
  const relayKey = firstFound(
    () => (f.relayToFullAddress ? cfg.access.full('To', c.local, d) : undefined),
    () => cfg.access.domain('To', d, { exact: f.relayHostsOnly }),
  );
  if (relayKey === 'temp') remembered = policyReply(REPLIES.tempSystemFailure);
  else if (relayKey !== undefined && relayKey.action.kind === 'RELAY') return { kind: 'accept', local: false };
  if (f.relayBasedOnMx) {
    const mx = await dns.mxPointsToUs(d);
    if (mx === 'yes') return { kind: 'accept', local: false };
    if (mx === 'temp' && remembered === undefined) remembered = policyReply(REPLIES.mxCheckTemp, { domain: d });
  }
  return remembered === undefined ? { kind: 'continue' } : { kind: 'continue', remembered };
}

/** §7.3: may this client relay? */
function clientSide(cfg: PolicyConfig, r: RecipientFacts, remembered: PolicyReply | undefined): Side {
  const f = cfg.features;
  const c = r.client;
  if (LOCAL_CLIENTS.has(c.addr)) return { kind: 'accept', local: false };
  if (cfg.relayClass.matchesAddress(c.addr)) return { kind: 'accept', local: false };
  const byAddr = cfg.access.address('Connect', c.addr);
  if (byAddr === 'temp') return { kind: 'reject', reply: policyReply(REPLIES.tempSystemFailure) };
  if (byAddr !== undefined && byAddr.action.kind === 'RELAY') return { kind: 'accept', local: false };
  if (r.clientIsOwnAddress) return { kind: 'accept', local: false };
  if (r.sender !== '' && (f.relayLocalFrom || f.relayMailFrom !== false)) {
    const s = canon(cfg, r.sender);
    if (f.relayLocalFrom && s.domain !== undefined && s.isLocal) return { kind: 'accept', local: false };
    if (f.relayMailFrom !== false && s.domain !== undefined) {
      const full = cfg.access.exact('From', `${s.local}@${s.domain}`);
      const dom = f.relayMailFrom === 'domain' ? cfg.access.exact('From', s.domain) : undefined;
      for (const a of [full, dom]) if (a !== undefined && a !== 'temp' && a.action.kind === 'RELAY') return { kind: 'accept', local: false };
    }
  }
  if (c.resolve === 'TEMP') return { kind: 'reject', reply: policyReply(REPLIES.relayTempPtr, { ip: c.ip }) };
  if (c.resolve === 'FORGED') return { kind: 'reject', reply: policyReply(REPLIES.relayForged, { name: c.name }) };
  if (c.resolve === 'FAIL') return { kind: 'reject', reply: policyReply(REPLIES.relayLookupFailed, { name: c.name }) };
  // resolve OK: the client's name.
  if (f.relayEntireDomain && inClassM(cfg, c.name)) return { kind: 'accept', local: false };
  if (cfg.isLocalDomain(c.name)) return { kind: 'accept', local: false };
  if (cfg.relayClass.matchesName(c.name, f.relayHostsOnly)) return { kind: 'accept', local: false };
  const byName = cfg.access.domain('Connect', c.name);
  if (byName !== undefined && byName !== 'temp' && byName.action.kind === 'RELAY') return { kind: 'accept', local: false };
  if (remembered !== undefined) return { kind: 'reject', reply: remembered };
  const denied = cfg.texts.relayIsDefault && r.authOffered ? policyReply(REPLIES.relayingDeniedAuth) : cfg.texts.relay;
  return { kind: 'reject', reply: denied };
}

/** §9 friend/hater: does this recipient get the delayed sender and connection checks? */
function wantsDelayedChecks(cfg: PolicyConfig, c: CanonicalAddress): boolean {
  const mode = cfg.features.delayChecks;
  if (mode === false) return false;
  if (mode === 'all') return true;
  const d = c.domain;
  const spam = firstFound(
    () => (d !== undefined ? cfg.access.exact('Spam', `${c.local}@${d}`) : undefined),
    () => (d !== undefined ? cfg.access.domain('Spam', d) : undefined),
    () => (d === undefined || c.isLocal ? cfg.access.exact('Spam', `${c.local}@`) : undefined),
  );
  const v = spam !== undefined && spam !== 'temp' ? spam.action.kind : undefined;
  return mode === 'friend' ? v !== 'FRIEND' : v === 'HATER';
}

/** block_bad_helo (§10): our own name, our own address, or no dot inside. */
function badHelo(cfg: PolicyConfig, r: RecipientFacts): boolean {
  const h = r.helo;
  if (h === null || r.trustedAuth || cfg.relayClass.matchesAddress(r.client.addr)) return false;
  const name = normalizeDomain(h);
  if (cfg.isLocalDomain(name)) return true;
  if (/^\[ipv6:/i.test(name)) return false;
  return !name.replace(/^\.+|\.+$/g, '').includes('.');
}

export async function recipientDecision(cfg: PolicyConfig, dns: PolicyDns, r: RecipientFacts): Promise<RecipientDecision> {
  const f = cfg.features;
  let c = canon(cfg, r.address);
  let discard = false;
  let quarantine: string | undefined;
  const carry = (o: Outcome): PolicyReply | undefined => {
    if (o.kind === 'reject') return o.reply;
    if (o.kind === 'discard') discard = true;
    if (o.kind === 'quarantine') quarantine = o.reason;
    return undefined;
  };
  // §10 redirect: a .REDIRECT pseudo-domain given directly.
  if (f.redirect && c.domain !== undefined && c.domain.endsWith('.redirect')) {
    const to = r.address.replace(/\.REDIRECT\.?$/i, '');
    return { kind: 'reject', reply: policyReply(REPLIES.userMoved, { to }) };
  }
  // §7.1
  if (f.blocklistRecipients) {
    const stop = carry(blocklist(cfg, c));
    if (stop !== undefined) return { kind: 'reject', reply: stop };
  }
  // §7.2 / §7.3
  let local: boolean;
  if (f.promiscuousRelay) local = c.domain === undefined || c.isLocal;
  else if (r.trustedAuth) local = c.domain === undefined || c.isLocal;
  else {
    // Step 1: a route through a domain we relay for is judged by where it really goes.
    if (!f.looseRelayCheck) {
      for (let i = 0; i < 32 && c.domain !== undefined && !c.isLocal && routesOn(cfg, c.local); i++) {
        const side = await recipientSide(cfg, dns, c);
        if (side.kind !== 'accept') break;
        c = canon(cfg, c.local);
      }
    }
    const side = await recipientSide(cfg, dns, c);
    if (side.kind === 'accept') local = side.local;
    else {
      const client = clientSide(cfg, r, side.kind === 'continue' ? side.remembered : undefined);
      if (client.kind === 'reject') return { kind: 'reject', reply: client.reply };
      local = c.domain === undefined || c.isLocal;
    }
  }
  // §9: the sender and connection checks, delayed to here.
  if (!r.trustedAuth && wantsDelayedChecks(cfg, c)) {
    const s = await senderChecks(cfg, dns, { address: r.sender, clientAddr: r.client.addr, clientName: r.client.name, modifiers: r.modifiers });
    const stop = carry(s);
    if (stop !== undefined) return { kind: 'reject', reply: stop };
    if (s.kind !== 'ok' && s.kind !== 'relay' && r.client.addr !== '') {
      const stop2 = carry(await Promise.resolve(connectionChecks(cfg, dns, r.client)));
      if (stop2 !== undefined) return { kind: 'reject', reply: stop2 };
    }
  }
  if (f.blockBadHelo && f.delayChecks !== false && badHelo(cfg, r)) {
    return { kind: 'reject', reply: policyReply(REPLIES.bogusHelo, { helo: r.helo ?? '' }) };
  }
  return {
    kind: 'accept',
    local,
    canonical: c,
    ...(discard ? { discard: true } : {}),
    ...(quarantine !== undefined ? { quarantine } : {}),
  };
}
