// The FEATURE catalogue (config-formats.md §3.4, relay-and-access.md §10): which sendmail features
// Postern implements, which it refuses, and the checks on their arguments.

export interface FeatureUse {
  name: string;
  args: string[];
  file: string;
  line: number;
  /** Where it came from: an imported file, postern.conf, or Postern's defaults. */
  layer: 'imported' | 'native' | 'default';
}

/** Implemented (or accepted with a documented meaning). */
const SUPPORTED = new Set([
  'smrsh',
  'use_cw_file',
  'use_ct_file',
  'access_db',
  'blocklist_recipients',
  'blacklist_recipients',
  'relay_hosts_only',
  'relay_entire_domain',
  'relay_based_on_MX',
  'relay_local_from',
  'relay_mail_from',
  'promiscuous_relay',
  'loose_relay_check',
  'accept_unqualified_senders',
  'accept_unresolvable_domains',
  'dnsbl',
  'enhdnsbl',
  'delay_checks',
  'greet_pause',
  'ratecontrol',
  'conncontrol',
  'require_rdns',
  'block_bad_helo',
  'lookupdotdomain',
  'nopercenthack',
  'nouucp',
  'no_default_msa',
  'local_procmail',
  'local_lmtp',
  'nocanonify',
  'redirect',
  // Issue 7: most real sendmail.mc files enable it (docs/outbound.md).
  'mailertable',
]);

/** sendmail features that Postern refuses in v1 (configuration error naming the feature). */
const UNSUPPORTED = new Set([
  'always_add_domain',
  'allmasquerade',
  'masquerade_entire_domain',
  'masquerade_envelope',
  'limited_masquerade',
  'local_no_masquerade',
  'genericstable',
  'generics_entire_domain',
  'virtusertable',
  'virtuser_entire_domain',
  'domaintable',
  'bitdomain',
  'uucpdomain',
  'ldap_routing',
  'nullclient',
  'stickyhost',
  'bestmx_is_local',
  'authinfo',
  'msp',
  'queuegroup',
  'check_other',
  'badmx',
  'mtamark',
  'compat_check',
  'preserve_local_plus_detail',
  'preserve_luser_host',
  'sts',
  'tls_failures',
  'tls_session_features',
  'prefixmod',
  'use_client_ptr',
  'bcc',
]);

/** sendmail features whose job Postern does not do; accepted with a warning. */
const NO_EFFECT = new Map<string, string>([
  ['canonify_hosts', 'Postern does not canonify host names through DNS'],
  ['notsticky', 'obsolete (this is the default behaviour)'],
  ['check_cert_altnames', 'Postern does not check certificate names of TLS clients'],
]);

export type FeatureVerdict = { errors: string[]; warnings: string[]; name: string };

/** Resolves the spelling (m4 file names are case-sensitive; postern.conf users may not be). */
export function canonicalFeatureName(name: string): string {
  const all = [...SUPPORTED, ...UNSUPPORTED, ...NO_EFFECT.keys(), 'rbl'];
  return all.find((n) => n === name) ?? all.find((n) => n.toLowerCase() === name.toLowerCase()) ?? name;
}

export function isSendmailFeature(name: string): boolean {
  return SUPPORTED.has(name) || UNSUPPORTED.has(name) || NO_EFFECT.has(name) || name === 'rbl';
}

export function isSupportedFeature(name: string): boolean {
  return SUPPORTED.has(name);
}

function oneOf(name: string, arg: string | undefined, allowed: readonly string[], errors: string[]): void {
  if (arg === undefined || arg === '') return;
  if (!allowed.includes(arg)) errors.push(`FEATURE(${name}): unknown argument "${arg}" (${allowed.join(', ')})`);
}

/** Checks a FEATURE and its arguments; errors stop startup, warnings are reported. */
export function checkFeature(rawName: string, args: readonly string[]): FeatureVerdict {
  const name = canonicalFeatureName(rawName);
  const errors: string[] = [];
  const warnings: string[] = [];
  const a = (i: number): string | undefined => (args[i] === undefined ? undefined : args[i]!.trim());
  if (name === 'rbl') {
    errors.push('FEATURE(rbl) no longer exists (removed in sendmail 8.10); use FEATURE(dnsbl, <zone>)');
  } else if (UNSUPPORTED.has(name)) {
    errors.push(`FEATURE(${name}) is not supported in Postern v1`);
  } else if (NO_EFFECT.has(name)) {
    warnings.push(`FEATURE(${name}) has no effect: ${NO_EFFECT.get(name)!}`);
  } else if (!SUPPORTED.has(name)) {
    errors.push(`unknown FEATURE(${rawName}) (sendmail has no feature/${rawName}.m4)`);
  } else {
    switch (name) {
      case 'dnsbl':
      case 'enhdnsbl':
        if ((a(0) ?? '') === '') errors.push(`missing argument for FEATURE(${name})`);
        break;
      case 'nopercenthack':
      case 'nouucp':
        if ((a(0) ?? '') === '') errors.push(`missing argument for FEATURE(${name})`);
        else oneOf(name, a(0), ['reject', 'nospecial'], errors);
        break;
      case 'delay_checks':
        oneOf(name, a(0), ['friend', 'hater'], errors);
        oneOf(name, a(1), ['n'], errors);
        break;
      case 'greet_pause':
        if (a(0) !== undefined && a(0) !== '' && !/^\d+$/.test(a(0)!)) {
          errors.push(`FEATURE(greet_pause): "${a(0)!}" is not a number of milliseconds`);
        }
        break;
      case 'ratecontrol':
      case 'conncontrol':
        oneOf(name, a(0), ['nodelay'], errors);
        oneOf(name, a(1), ['terminate'], errors);
        break;
      case 'access_db':
        for (const extra of args.slice(1)) oneOf(name, extra.trim(), ['skip', 'lookupdotdomain', 'relaytofulladdress'], errors);
        break;
      case 'relay_mail_from':
        oneOf(name, a(0), ['domain'], errors);
        break;
      case 'nocanonify':
        oneOf(name, a(0), ['canonify_hosts'], errors);
        break;
      default:
        break;
    }
  }
  return { errors, warnings, name };
}
