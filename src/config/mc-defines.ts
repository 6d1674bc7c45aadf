// The m4 defines of an .mc that mean something to sendmail (config-formats.md §3.2, §5.1): confXXX
// options, the confXXX values that are not options ($j, $n, class files, ruleset texts...), and the
// other names of the table (ALIAS_FILE, QUEUE_DIR, SMART_HOST...). Other user macros are helpers.

import type { Location } from '../util/diagnostics.js';
import { parseClassFileArg } from './class-spec.js';
import type { FeatureContext } from './feature-effects.js';
import type { ConfigLayer } from './layer.js';
import { lookupM4Option } from './options.js';

/** Ruleset texts are m4 strings that carry their own double quotes: `"550 Relaying denied"`. */
function unquoteRuleText(v: string): string {
  const t = v.trim();
  return t.startsWith('"') && t.endsWith('"') && t.length >= 2 ? t.slice(1, -1) : t;
}

const OBSOLETE: Record<string, string> = {
  confAUTO_REBUILD: 'confAUTO_REBUILD is no longer valid (sendmail removed automatic alias rebuilding); ignored',
  confDEF_GROUP_ID: 'confDEF_GROUP_ID is obsolete: use confDEF_USER_ID with a colon in the value; ignored',
  confREAD_TIMEOUT: 'confREAD_TIMEOUT is obsolete: use the individual confTO_<timeout> parameters; ignored',
};

/** Routing and mailer choices Postern does not offer: ignoring them silently would change delivery. */
const NOT_SUPPORTED = [
  'MAIL_HUB',
  'LOCAL_RELAY',
  'LUSER_RELAY',
  'UUCP_RELAY',
  'BITNET_RELAY',
  'DECNET_RELAY',
  'FAX_RELAY',
  'MASQUERADE_NAME',
  'confSMTP_MAILER',
  'confLOCAL_MAILER',
  'confRELAY_MAILER',
  'confUUCP_MAILER',
  'confLDAP_CLUSTER',
];

/** Recognised, used elsewhere (mc-file.ts) or harmless. */
const HANDLED_ELSEWHERE = new Set([
  'MAIL_SETTINGS_DIR',
  'LOCAL_SHELL_PATH',
  'LOCAL_SHELL_ARGS',
  'LOCAL_MAILER_PATH',
  'LOCAL_MAILER_ARGS',
  'LOCAL_MAILER_FLAGS',
  'confDEQUOTE_OPTS',
  'confLOCAL_SHELL_FLAGS',
]);

export function mcDefinition(name: string, value: string, at: Location, layer: ConfigLayer, ctx: FeatureContext): void {
  const option = lookupM4Option(name);
  if (option !== undefined) {
    layer.setLong(option, value, at);
    return;
  }
  if (HANDLED_ELSEWHERE.has(name)) return;
  if (OBSOLETE[name] !== undefined) {
    layer.diags.warning(OBSOLETE[name], at);
    return;
  }
  if (NOT_SUPPORTED.includes(name)) {
    layer.diags.warning(`${name} is not supported by Postern; ignored`, at);
    return;
  }
  switch (name) {
    case 'confDOMAIN_NAME':
      layer.setMacro('j', value, at);
      return;
    case 'confMAILER_NAME':
      layer.setMacro('n', value, at);
      return;
    case 'confCF_VERSION':
      layer.info.cfVersion = { value, at };
      return;
    case 'SMART_HOST':
      layer.setMacro('S', value, at);
      if (value.trim() !== '') layer.info.smartHost = { value: value.trim(), at };
      return;
    case 'confRECEIVED_HEADER':
      layer.headers.set('Received', { value, at });
      return;
    case 'confFROM_HEADER':
      layer.headers.set('From', { value, at });
      return;
    case 'confMESSAGEID_HEADER':
      layer.headers.set('Message-Id', { value, at });
      return;
    case 'confCW_FILE':
      ctx.cwFile = value;
      return;
    case 'confCT_FILE':
      ctx.ctFile = value;
      return;
    case 'confEBINDIR':
      ctx.ebinDir = value;
      return;
    case 'PROCMAIL_MAILER_PATH':
      ctx.procmailPath = value;
      return;
    case 'confCR_FILE': {
      const f = parseClassFileArg(value);
      if (!f.ok) layer.diags.error(`confCR_FILE: ${f.message}`, at);
      else layer.addClassFile({ cls: 'R', path: f.path, optional: f.optional, at });
      return;
    }
    case 'confTRUSTED_USERS':
      layer.addClassWords('t', value.split(/[\s,]+/).filter((w) => w !== ''), at);
      return;
    case 'confREJECT_MSG':
    case 'confRELAY_MSG':
    case 'confRCPTREJ_MSG':
      layer.texts.set(name, { value: unquoteRuleText(value), at });
      return;
    case 'EDNSBL_TO':
      layer.texts.set(name, { value: value.trim(), at });
      return;
    case 'confMESSAGE_TIMEOUT': {
      // proto.m4: `return/warn` split into the two queue timeouts.
      layer.setLong('QueueTimeout', value, at);
      return;
    }
    case 'confDAEMON_OPTIONS':
      layer.diags.warning('confDAEMON_OPTIONS is no longer valid: use DAEMON_OPTIONS(); read as one', at);
      layer.setLong('DaemonPortOptions', value, at);
      layer.daemonOptionsFromMc = true;
      return;
    case 'confCLIENT_OPTIONS':
      layer.diags.warning('confCLIENT_OPTIONS is no longer valid: use CLIENT_OPTIONS(); read as one', at);
      layer.setLong('ClientPortOptions', value, at);
      return;
    case 'confTIME_ZONE':
      layer.diags.warning('option TimeZoneSpec (confTIME_ZONE) is not implemented by Postern; ignored', at);
      return;
    default:
      break;
  }
  if (name.startsWith('conf')) layer.diags.warning(`unknown m4 option ${name}; ignored`, at);
}
