// Sender checks (relay-and-access.md §6, sendmail's check_mail): the null sender, unqualified and
// localhost senders, the sender domain's existence in DNS, and the access map's From: entries. Runs at
// MAIL, or at each RCPT with delay_checks (§9).

import { domainToASCII } from 'node:url';
import { REPLIES, policyReply } from '../smtp/replies.js';
import { canonicalize, normalizeDomain } from './canonical.js';
import { firstFound, fromAccess, NONE, type Outcome } from './outcome.js';
import type { PolicyConfig } from './policy-config.js';
import type { PolicyDns } from './policy-dns.js';
import { expandIpv6 } from './relay-class.js';

export interface SenderFacts {
  /** envelope sender without brackets; '' = null sender */
  address: string;
  /** ${client_addr}; '' for local submission */
  clientAddr: string;
  /** ${client_name} */
  clientName: string;
  /** listener modifier letters (u: unqualified allowed, f: qualified required) */
  modifiers: string;
}

/** 'accept' carries whether the access map said OK/RELAY (delay_checks then skips the connection checks). */
export type SenderOutcome = Outcome;

function isLocalhostDomain(domain: string, m: string): boolean {
  const d = normalizeDomain(domain);
  if (d === 'localhost' || (m !== '' && d === `localhost.${m}`)) return true;
  if (!d.startsWith('[') || !d.endsWith(']')) return false;
  const lit = d.slice(1, -1);
  return lit === '127.0.0.1' || (lit.startsWith('ipv6:') && expandIpv6(lit) === 'IPv6:0:0:0:0:0:0:0:1');
}

export async function senderChecks(cfg: PolicyConfig, dns: PolicyDns, s: SenderFacts): Promise<SenderOutcome> {
  // Step 1: the null sender is always accepted (RFC 5321 §4.5.5).
  if (s.address === '') return NONE;
  const f = cfg.features;
  const unqualifiedAllowed = f.acceptUnqualifiedSenders || s.modifiers.includes('u');
  const at = s.address.lastIndexOf('@');
  const rawDomain = at === -1 ? undefined : s.address.slice(at + 1);
  // Step 2: "localhost" senders from clients that are not this host.
  if (!unqualifiedAllowed && rawDomain !== undefined && !cfg.isLocalDomain(s.clientName)) {
    const single = !rawDomain.includes('.') && !rawDomain.startsWith('[');
    if (isLocalhostDomain(rawDomain, cfg.m) || (s.modifiers.includes('f') && single)) {
      return { kind: 'reject', reply: policyReply(REPLIES.realDomainRequired) };
    }
  }
  // Step 3: the canonical sender.
  const canon = canonicalize(s.address, {
    isLocalDomain: (d) => cfg.isLocalDomain(d),
    j: cfg.j,
    m: cfg.m,
    ...(f.nopercenthack !== undefined ? { nopercenthack: f.nopercenthack } : {}),
    ...(f.nouucp !== undefined ? { nouucp: f.nouucp } : {}),
  });
  const user = canon.local;
  const domain = canon.domain;
  // Step 4 first (it replaces the DNS state, so a found entry spares the DNS lookup).
  const a =
    domain === undefined
      ? cfg.access.user('From', user)
      : firstFound(
          () => cfg.access.full('From', user, domain),
          () => cfg.access.user('From', user),
          () => cfg.access.domain('From', domain),
        );
  const access = fromAccess(a, cfg.texts.reject);
  if (access.kind !== 'none') return access;
  // Steps 3 and 5.
  if (domain === undefined) {
    if (s.clientAddr === '' || unqualifiedAllowed) return NONE;
    return { kind: 'reject', reply: policyReply(REPLIES.domainNameRequired, { bare: s.address }) };
  }
  if (domain === normalizeDomain(cfg.j) || f.acceptUnresolvableDomains) return NONE;
  // An internationalised domain (SMTPUTF8) is looked up by its A-label (RFC 5891).
  const ascii = /[^\x00-\x7f]/.test(domain) ? domainToASCII(domain) : domain;
  const state = ascii === '' ? 'perm' : await dns.senderDomainState(ascii);
  if (state === 'ok') return NONE;
  const bare = s.address;
  if (state === 'temp') return { kind: 'reject', reply: policyReply(REPLIES.senderDomainTemp, { bare }) };
  return { kind: 'reject', reply: policyReply(REPLIES.senderDomainPerm, { bare }) };
}
