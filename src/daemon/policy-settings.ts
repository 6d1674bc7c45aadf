// EffectiveConfig → PolicyConfig: the FEATUREs as flags, classes R and m, the texts
// (relay-and-access.md §10, config-formats.md §3.4). The access view and DNS come from the runtime.

import type { EffectiveConfig } from '../config/effective.js';
import type { SpecialMode } from '../policy/canonical.js';
import type { AccessView } from '../policy/access-view.js';
import type { PolicyConfig, PolicyFeatures } from '../policy/policy-config.js';
import { RelayClass } from '../policy/relay-class.js';
import { configuredText } from '../smtp/replies.js';

function has(cfg: EffectiveConfig, name: string): boolean {
  return (cfg.features[name]?.length ?? 0) > 0;
}

function args(cfg: EffectiveConfig, name: string): string[] {
  const uses = cfg.features[name];
  return uses === undefined || uses.length === 0 ? [] : uses[uses.length - 1]!.args.map((a) => a.trim().toLowerCase());
}

function special(cfg: EffectiveConfig, name: string): SpecialMode | undefined {
  if (!has(cfg, name)) return undefined;
  const a = args(cfg, name)[0];
  return a === 'reject' ? 'reject' : a === 'nospecial' ? 'nospecial' : 'on';
}

function control(cfg: EffectiveConfig, name: string): false | { nodelay: boolean; terminate: boolean } {
  if (!has(cfg, name)) return false;
  const a = args(cfg, name);
  return { nodelay: a.includes('nodelay'), terminate: a.includes('terminate') };
}

export function policyFeatures(cfg: EffectiveConfig): PolicyFeatures {
  const delay = has(cfg, 'delay_checks') ? args(cfg, 'delay_checks')[0] : undefined;
  const accessFlags = (cfg.accessMap?.flags ?? []).map((f) => f.toLowerCase());
  const greet = has(cfg, 'greet_pause') ? Number(args(cfg, 'greet_pause')[0] ?? '0') : 0;
  const mailFrom = has(cfg, 'relay_mail_from') ? (args(cfg, 'relay_mail_from').includes('domain') ? 'domain' : 'full') : false;
  const f: PolicyFeatures = {
    relayHostsOnly: has(cfg, 'relay_hosts_only'),
    relayEntireDomain: has(cfg, 'relay_entire_domain'),
    relayBasedOnMx: has(cfg, 'relay_based_on_MX'),
    relayLocalFrom: has(cfg, 'relay_local_from'),
    relayMailFrom: mailFrom,
    promiscuousRelay: has(cfg, 'promiscuous_relay'),
    looseRelayCheck: has(cfg, 'loose_relay_check'),
    blocklistRecipients: has(cfg, 'blocklist_recipients') || has(cfg, 'blacklist_recipients'),
    acceptUnqualifiedSenders: has(cfg, 'accept_unqualified_senders'),
    acceptUnresolvableDomains: has(cfg, 'accept_unresolvable_domains'),
    delayChecks: delay === undefined ? (has(cfg, 'delay_checks') ? 'all' : false) : delay === 'friend' ? 'friend' : delay === 'hater' ? 'hater' : 'all',
    requireRdns: has(cfg, 'require_rdns'),
    blockBadHelo: has(cfg, 'block_bad_helo'),
    redirect: has(cfg, 'redirect'),
    lookupDotDomain: has(cfg, 'lookupdotdomain') || accessFlags.includes('lookupdotdomain'),
    relayToFullAddress: accessFlags.includes('relaytofulladdress'),
    greetPause: Number.isFinite(greet) ? greet : 0,
    ratecontrol: control(cfg, 'ratecontrol'),
    conncontrol: control(cfg, 'conncontrol'),
  };
  const percent = special(cfg, 'nopercenthack');
  const uucp = special(cfg, 'nouucp');
  if (percent !== undefined) f.nopercenthack = percent;
  if (uucp !== undefined) f.nouucp = uucp;
  return f;
}

export function policyConfig(
  cfg: EffectiveConfig,
  names: { j: string; m: string },
  isLocalDomain: (d: string) => boolean,
  relayWords: readonly string[],
  access: AccessView,
): PolicyConfig {
  const t = cfg.texts;
  return {
    j: names.j,
    m: names.m,
    isLocalDomain,
    relayClass: new RelayClass(relayWords),
    features: policyFeatures(cfg),
    access,
    texts: {
      reject: configuredText(t.rejectMsg, '5.7.1'),
      rcptReject: configuredText(t.rcptRejectMsg, '5.2.1'),
      relay: configuredText(t.relayMsg, '5.7.1'),
      relayIsDefault: t.relayMsg === '550 Relaying denied',
    },
    rateWindow: cfg.options.ConnectionRateWindowSize,
  };
}
