// Everything the relay/anti-spam policy decides by (relay-and-access.md): the classes, the FEATUREs as
// plain flags, the configurable texts. Built once per configuration by src/daemon; the checks read it and
// nothing else of the configuration.

import type { SpecialMode } from './canonical.js';
import type { PolicyReply } from '../smtp/replies.js';
import type { RelayClass } from './relay-class.js';
import type { AccessView } from './access-view.js';

export interface PolicyFeatures {
  relayHostsOnly: boolean;
  relayEntireDomain: boolean;
  relayBasedOnMx: boolean;
  relayLocalFrom: boolean;
  /** FEATURE(relay_mail_from): 'domain' adds the domain lookup */
  relayMailFrom: false | 'full' | 'domain';
  promiscuousRelay: boolean;
  looseRelayCheck: boolean;
  blocklistRecipients: boolean;
  acceptUnqualifiedSenders: boolean;
  acceptUnresolvableDomains: boolean;
  /** FEATURE(delay_checks) and its friend/hater argument */
  delayChecks: false | 'all' | 'friend' | 'hater';
  requireRdns: boolean;
  blockBadHelo: boolean;
  redirect: boolean;
  lookupDotDomain: boolean;
  relayToFullAddress: boolean;
  nopercenthack?: SpecialMode;
  nouucp?: SpecialMode;
  /** FEATURE(greet_pause, ms): default pause before the greeting, 0 = off */
  greetPause: number;
  ratecontrol: false | { nodelay: boolean; terminate: boolean };
  conncontrol: false | { nodelay: boolean; terminate: boolean };
}

export interface PolicyConfig {
  /** $j, $m */
  j: string;
  m: string;
  /** class w */
  isLocalDomain(domain: string): boolean;
  /** class R */
  relayClass: RelayClass;
  features: PolicyFeatures;
  access: AccessView;
  /** REJECT for Connect:/From: (confREJECT_MSG), for To: (confRCPTREJ_MSG), relaying denied (confRELAY_MSG) */
  texts: { reject: PolicyReply; rcptReject: PolicyReply; relay: PolicyReply; relayIsDefault: boolean };
  /** ConnectionRateWindowSize in ms */
  rateWindow: number;
}
