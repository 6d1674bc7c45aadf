// The sendmail macros of an .mc file (config-formats.md §3.2) as host macros of the m4 engine. Calls
// are recorded while m4 runs; mc-file.ts interprets them once the final macro table is known, since
// what FEATURE(use_cw_file) reads depends on a confCW_FILE that may be defined later in the file.

import type { HostMacro, M4Context, SourceLoc } from './m4/engine.js';

export interface MacroCall {
  name: string;
  args: string[];
  loc: SourceLoc;
}

export interface McCalls {
  versionId?: MacroCall;
  osType?: MacroCall;
  domain?: MacroCall;
  features: MacroCall[];
  mailers: MacroCall[];
  daemonOptions: MacroCall[];
  clientOptions: MacroCall[];
  classWords: Array<{ cls: string; words: string[]; loc: SourceLoc }>;
  relayDomainFiles: MacroCall[];
}

/** Sections whose text is read as cf lines (§3.2), with the diversions cfhead.m4 gives them. */
const CF_SECTIONS: Record<string, number> = { MAILER_DEFINITIONS: 7, LOCAL_CONFIG: 6 };
export const CF_DIVERSIONS: readonly number[] = Object.values(CF_SECTIONS);
/** Where the text of ruleset sections goes (kept out of the cf sections, then ignored). */
export const RULES_DIVERSION = 9;

/** Sections holding rulesets, which Postern does not run. */
const RULE_SECTIONS = [
  'LOCAL_RULESETS',
  'LOCAL_RULE_0',
  'LOCAL_RULE_1',
  'LOCAL_RULE_2',
  'LOCAL_RULE_3',
  'LOCAL_NET_CONFIG',
  'LOCAL_SRV_FEATURES',
  'LOCAL_CLT_FEATURES',
  'LOCAL_TRY_TLS',
  'LOCAL_TLS_RCPT',
  'LOCAL_TLS_CLIENT',
  'LOCAL_TLS_SERVER',
];

const UNSUPPORTED = [
  'MASQUERADE_AS',
  'MASQUERADE_DOMAIN',
  'MASQUERADE_DOMAIN_FILE',
  'MASQUERADE_EXCEPTION',
  'MASQUERADE_EXCEPTION_FILE',
  'EXPOSED_USER',
  'EXPOSED_USER_FILE',
  'GENERICS_DOMAIN',
  'GENERICS_DOMAIN_FILE',
  'VIRTUSER_DOMAIN',
  'VIRTUSER_DOMAIN_FILE',
  'LDAPROUTE_DOMAIN',
  'LDAPROUTE_DOMAIN_FILE',
  'LDAPROUTE_EQUIVALENT',
  'LDAPROUTE_EQUIVALENT_FILE',
  'CANONIFY_DOMAIN',
  'CANONIFY_DOMAIN_FILE',
];

/** sendmail macros that have no counterpart in Postern but do no harm when ignored. */
const IGNORED = ['LOCAL_USER', 'SITECONFIG', 'SITE', 'UUCPSMTP'];

const SECTION_CF = 'cf';
const SECTION_RULES = 'rules';

/** domain/generic.m4 as sendmail ships it, minus EXPOSED_USER(root) (config-formats.md §3.2). */
function genericDomain(ctx: M4Context): string {
  const q = (s: string): string => ctx.quote(s);
  return (
    `define(${q('confFORWARD_PATH')},${q('$z/.forward.$w+$h:$z/.forward+$h:$z/.forward.$w:$z/.forward')})` +
    `define(${q('confMAX_HEADERS_LENGTH')},${q('32768')})` +
    `FEATURE(${q('redirect')})FEATURE(${q('use_cw_file')})`
  );
}

export function makeHostMacros(calls: McCalls): Record<string, HostMacro> {
  const macros: Record<string, HostMacro> = {};

  /** A macro that needs arguments met as a bare word (e.g. inside a comment) stays text. */
  const withArgs =
    (name: string, fn: (args: string[], loc: SourceLoc, ctx: M4Context) => string): HostMacro =>
    (args, loc, ctx) =>
      args.length === 0 ? ctx.quote(name) : fn(args, loc, ctx);

  const record = (name: string) => (args: string[], loc: SourceLoc) => ({ name, args, loc });

  macros['VERSIONID'] = withArgs('VERSIONID', (args, loc) => {
    calls.versionId = record('VERSIONID')(args, loc);
    return '';
  });
  macros['OSTYPE'] = withArgs('OSTYPE', (args, loc) => {
    calls.osType = record('OSTYPE')(args, loc);
    return '';
  });
  macros['DOMAIN'] = withArgs('DOMAIN', (args, loc, ctx) => {
    calls.domain = record('DOMAIN')(args, loc);
    if (args[0] === 'generic') return genericDomain(ctx);
    ctx.warn(`DOMAIN(${args[0] ?? ''}): only DOMAIN(generic) is built in; domain/${args[0] ?? ''}.m4 not read`, loc);
    return '';
  });
  macros['FEATURE'] = withArgs('FEATURE', (args, loc, ctx) => {
    if ((args[0] ?? '').trim() === '') ctx.error('FEATURE() without a feature name', loc);
    else calls.features.push(record('FEATURE')(args, loc));
    return '';
  });
  macros['MAILER'] = withArgs('MAILER', (args, loc, ctx) => {
    const m = (args[0] ?? '').trim();
    if (m === 'local' || m === 'smtp') calls.mailers.push(record('MAILER')(args, loc));
    else ctx.error(`MAILER(${m}) is not supported in Postern v1 (only local and smtp)`, loc);
    return '';
  });
  macros['DAEMON_OPTIONS'] = withArgs('DAEMON_OPTIONS', (args, loc, ctx) => {
    if (args.length > 1) ctx.warn('DAEMON_OPTIONS: several arguments (quote the whole value); read as one', loc);
    calls.daemonOptions.push(record('DAEMON_OPTIONS')([args.join(', ')], loc));
    return '';
  });
  macros['CLIENT_OPTIONS'] = withArgs('CLIENT_OPTIONS', (args, loc) => {
    calls.clientOptions.push(record('CLIENT_OPTIONS')([args.join(', ')], loc));
    return '';
  });
  const classMacro = (name: string, cls: string): HostMacro =>
    withArgs(name, (args, loc) => {
      calls.classWords.push({ cls, words: args.join(' ').split(/\s+/).filter((w) => w !== ''), loc });
      return '';
    });
  macros['LOCAL_DOMAIN'] = classMacro('LOCAL_DOMAIN', 'w');
  macros['RELAY_DOMAIN'] = classMacro('RELAY_DOMAIN', 'R');
  macros['TRUST_AUTH_MECH'] = classMacro('TRUST_AUTH_MECH', 'TrustAuthMech');
  macros['RELAY_DOMAIN_FILE'] = withArgs('RELAY_DOMAIN_FILE', (args, loc) => {
    calls.relayDomainFiles.push(record('RELAY_DOMAIN_FILE')(args, loc));
    return '';
  });
  for (const [name, divert] of Object.entries(CF_SECTIONS)) {
    macros[name] = (_args, loc, ctx) => {
      ctx.mark(SECTION_CF, loc);
      return `divert(${divert})`;
    };
  }
  for (const name of RULE_SECTIONS) {
    macros[name] = (_args, loc, ctx) => {
      ctx.warn(`rulesets are not supported: the text after ${name} is ignored`, loc);
      ctx.mark(SECTION_RULES, loc);
      return `divert(${RULES_DIVERSION})`;
    };
  }
  for (const name of UNSUPPORTED) {
    macros[name] = withArgs(name, (_args, loc, ctx) => {
      ctx.error(`${name} is not supported in Postern v1`, loc);
      return '';
    });
  }
  for (const name of ['INPUT_MAIL_FILTER', 'MAIL_FILTER']) {
    macros[name] = withArgs(name, (args, loc, ctx) => {
      ctx.error(`mail filters (milters) are not supported: ${name}(${args[0] ?? ''})`, loc);
      return '';
    });
  }
  macros['QUEUE_GROUP'] = withArgs('QUEUE_GROUP', (args, loc, ctx) => {
    const g = (args[0] ?? '').trim();
    if (g !== 'mqueue') ctx.error(`QUEUE_GROUP(${g}): only the default queue group is supported in Postern v1`, loc);
    return '';
  });
  macros['HACK'] = withArgs('HACK', (args, loc, ctx) => {
    ctx.error(`HACK(${args[0] ?? ''}) is not supported`, loc);
    return '';
  });
  macros['MODIFY_MAILER_FLAGS'] = withArgs('MODIFY_MAILER_FLAGS', (args, loc, ctx) => {
    ctx.warn(`MODIFY_MAILER_FLAGS(${args[0] ?? ''}) ignored: Postern's mailers have fixed flags`, loc);
    return '';
  });
  for (const name of IGNORED) {
    macros[name] = withArgs(name, (_args, loc, ctx) => {
      ctx.warn(`${name} is not supported; ignored`, loc);
      return '';
    });
  }
  return macros;
}

export function emptyCalls(): McCalls {
  return { features: [], mailers: [], daemonOptions: [], clientOptions: [], classWords: [], relayDomainFiles: [] };
}
