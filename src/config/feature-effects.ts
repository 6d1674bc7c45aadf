// What a FEATURE changes in the model beyond being recorded (for .mc files and postern.conf; a .cf
// carries the resulting F/K/M lines itself).

import type { Location } from '../util/diagnostics.js';
import { parseAccessMapSpec, DEFAULT_ACCESS_MAP_SPEC, DEFAULT_MAILERTABLE_SPEC } from './access-map.js';
import { parseClassFileArg } from './class-spec.js';
import type { ConfigLayer } from './layer.js';
import { splitArgv } from './mailers.js';

export interface FeatureContext {
  /** MAIL_SETTINGS_DIR, with its trailing slash. */
  settingsDir: string;
  /** confCW_FILE / confCT_FILE when the .mc defines them. */
  cwFile?: string;
  ctFile?: string;
  /** PROCMAIL_MAILER_PATH when defined. */
  procmailPath?: string;
  /** confEBINDIR (where FEATURE(smrsh) finds smrsh), default /usr/libexec. */
  ebinDir?: string;
}

function addFileClass(layer: ConfigLayer, cls: string, text: string, at: Location): void {
  const f = parseClassFileArg(text);
  if (!f.ok) {
    layer.diags.error(`class ${cls} file: ${f.message}`, at);
    return;
  }
  layer.addClassFile({ cls, path: f.path, optional: f.optional, at, ...(f.pattern ? { pattern: f.pattern } : {}) });
}

export function applyFeatureEffects(
  layer: ConfigLayer,
  name: string,
  args: readonly string[],
  at: Location,
  ctx: FeatureContext,
): void {
  const arg = (i: number): string => (args[i] ?? '').trim();
  switch (name) {
    case 'smrsh': {
      const path = arg(0) || `${ctx.ebinDir ?? '/usr/libexec'}/smrsh`;
      layer.progMailer = { path, argv: ['smrsh', '-c', '$u'], at };
      layer.setTyped('ProgMailer', { kind: 'smrsh' }, `FEATURE(smrsh) ${path}`, at);
      break;
    }
    case 'use_cw_file':
      addFileClass(layer, 'w', ctx.cwFile ?? `${ctx.settingsDir}local-host-names`, at);
      break;
    case 'use_ct_file':
      addFileClass(layer, 't', ctx.ctFile ?? `${ctx.settingsDir}trusted-users`, at);
      break;
    case 'access_db': {
      const r = parseAccessMapSpec(arg(0) === '' ? DEFAULT_ACCESS_MAP_SPEC.replace('/etc/mail/', ctx.settingsDir) : arg(0), args.slice(1).map((a) => a.trim()).filter((a) => a !== ''), at);
      if (!r.ok) layer.diags.error(`FEATURE(access_db): ${r.message}`, at);
      else layer.accessMap = r.spec;
      break;
    }
    case 'mailertable': {
      const r = parseAccessMapSpec(arg(0) === '' ? DEFAULT_MAILERTABLE_SPEC.replace('/etc/mail/', ctx.settingsDir) : arg(0), [], at, 'mailertable');
      if (!r.ok) layer.diags.error(`FEATURE(mailertable): ${r.message}`, at);
      else layer.mailertable = r.spec;
      break;
    }
    case 'local_procmail':
      layer.localMailer = {
        path: arg(0) || ctx.procmailPath || '/usr/local/bin/procmail',
        argv: arg(1) ? splitArgv(arg(1)) : ['procmail', '-Y', '-a', '$h', '-d', '$u'],
        flags: arg(2) || 'SPfhn9',
        at,
      };
      break;
    case 'local_lmtp':
      layer.localMailer = {
        path: arg(0) || '/usr/libexec/mail.local',
        argv: arg(1) ? splitArgv(arg(1)) : ['mail.local', '-l'],
        flags: arg(2) || 'PSXfmnz9',
        at,
      };
      break;
    default:
      break;
  }
}
