// cf-hand-edited: a sendmail.cf whose Mprog line or O lines differ from what the .mc of the same base
// name next to it would generate. Both files are read with sendmail's own defaults; the .mc is
// interpreted by Postern's m4 subset, never by running m4.

import { basename, dirname, extname, join } from 'node:path';
import type { EffectiveConfig } from '../../config/effective.js';
import { formatOptionValue, OPTION_NAMES, optionDef, type OptionName } from '../../config/option-table.js';
import type { AuditContext } from '../context.js';
import { loadAuditConfig } from '../load-config.js';

/**
 * Options the generated cf always writes with m4's own value, compared only when the .mc sets them
 * or the cf changes one of those the seed edits by hand.
 */
const HAND_EDITED: readonly OptionName[] = [
  'PrivacyOptions',
  'SmtpGreetingMessage',
  'SafeFileEnvironment',
  'QueueFileMode',
  'TempFileMode',
  'PostmasterCopy',
  'TrustedUser',
  'DontBlameSendmail',
  'DefaultUser',
  'QueueDirectory',
  'AliasFile',
  'ForwardPath',
  'UnsafeGroupWrites',
  'MaxMessageSize',
  'MaxRecipientsPerMessage',
  'MaxDaemonChildren',
  'HelpFile',
  'AuthOptions',
  'AuthMechanisms',
  'RejectNUL',
];

function differences(cf: EffectiveConfig, mc: EffectiveConfig): string[] {
  const out: string[] = [];
  for (const name of OPTION_NAMES) {
    const def = optionDef(name);
    if (!def.implemented || def.accumulate || name === 'ProgMailer') continue;
    const setInMc = mc.sources[name].kind === 'file';
    const setInCf = cf.sources[name].kind === 'file';
    if (!setInMc && !(setInCf && HAND_EDITED.includes(name))) continue;
    const a = formatOptionValue(name, cf.options[name]);
    const b = formatOptionValue(name, mc.options[name]);
    if (a !== b) out.push(`${name} (cf ${a}, mc ${b})`);
  }
  const p = cf.progMailer;
  const q = mc.progMailer;
  if (p !== undefined && q !== undefined && (p.path !== q.path || p.argv.join(' ') !== q.argv.join(' '))) {
    out.unshift(`Mprog (cf P=${p.path} A=${p.argv.join(' ')}, mc P=${q.path} A=${q.argv.join(' ')})`);
  }
  return out;
}

export async function checkHandEdited(ctx: AuditContext): Promise<void> {
  const imported = ctx.cfg.imported;
  if (imported?.kind !== 'cf') return;
  const cfPath = ctx.shown(imported.path);
  const mcPath = join(dirname(cfPath), `${basename(cfPath, extname(cfPath))}.mc`);
  if (!(await ctx.fs.statResolved(mcPath)).ok) return;
  const [cf, mc] = await Promise.all([
    loadAuditConfig({ path: cfPath, profile: 'sendmail', fs: ctx.fs }),
    loadAuditConfig({ path: mcPath, profile: 'sendmail', fs: ctx.fs }),
  ]);
  if (mc.kind !== 'ok' || cf.kind !== 'ok') {
    const why = mc.kind === 'unreadable' ? mc.reason : mc.kind === 'errors' ? `${mc.diagnostics.length} error(s) reading it` : 'the cf cannot be reread';
    ctx.skip('cf-hand-edited', `cannot compare ${cfPath} with ${mcPath}: ${why}`);
    return;
  }
  const diff = differences(cf.config, mc.config);
  if (diff.length === 0) return;
  const shown = diff.slice(0, 4).join('; ') + (diff.length > 4 ? `; and ${diff.length - 4} more` : '');
  ctx.add('cf-hand-edited', cfPath, `the cf differs from what ${mcPath} generates: ${shown}`, { file: cfPath });
}
