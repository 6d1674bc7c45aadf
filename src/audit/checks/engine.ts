// The SMTP engine: strict-crlf-off, strict-pipelining-off (Postern's own options), reject-nul-off,
// limits-unbounded, auth-cleartext, and sendmail-smuggling-fix (--sendmail only).

import { optionFixes } from '../catalog.js';
import type { AccessEntry } from '../access-text.js';
import type { AuditContext } from '../context.js';

const LIMITS = [
  ['MaxMessageSize', 'confMAX_MESSAGE_SIZE', '26214400'],
  ['MaxRecipientsPerMessage', 'confMAX_RCPTS_PER_MESSAGE', '1000'],
  ['MaxDaemonChildren', 'confMAX_DAEMON_CHILDREN', '100'],
] as const;

/** srv_features letters that switch the smuggling protections of 8.18 / the Debian backport off again. */
const UNSAFE_SRV_FEATURES = ['U', 'G', 'O', 'F'];

function unsafeLetters(text: string): string[] {
  return UNSAFE_SRV_FEATURES.filter((l) => new RegExp(`(^|[^A-Za-z])${l}([^A-Za-z]|$)`).test(text));
}

/** Rules of the srv_features ruleset (cf `Ssrv_features`, .mc LOCAL_SRV_FEATURES) that set those letters. */
async function srvFeatureRules(ctx: AuditContext): Promise<string[]> {
  const imported = ctx.cfg.imported;
  if (imported === undefined) return [];
  let text: string;
  try {
    text = await ctx.fs.readFile(ctx.shown(imported.path), 'latin1');
  } catch {
    return [];
  }
  const found: string[] = [];
  let inside = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^Ssrv_features\b/.test(line) || /^LOCAL_SRV_FEATURES\b/.test(line)) {
      inside = true;
      continue;
    }
    // The ruleset ends at the next ruleset (cf) or the next section or macro call (.mc).
    if (inside && /^(S|LOCAL_|MAILER|FEATURE|define|divert|dnl)/.test(line)) inside = false;
    if (!inside || !line.startsWith('R')) continue;
    const rhs = line.split('$#')[1];
    if (rhs !== undefined && unsafeLetters(rhs).length > 0) found.push(`srv_features rule "${line.trim()}"`);
  }
  return found;
}

async function checkSmugglingFix(ctx: AuditContext, access: readonly AccessEntry[]): Promise<void> {
  const switches = [...(await srvFeatureRules(ctx))];
  for (const e of access) {
    if (e.tag !== 'srv_features') continue;
    const letters = unsafeLetters(e.value);
    if (letters.length > 0) switches.push(`access Srv_Features:${e.key} ${e.value} (line ${e.line})`);
  }
  const subject = ctx.cfg.imported !== undefined ? ctx.shown(ctx.cfg.imported.path) : 'sendmail';
  const base =
    'sendmail before 8.18 accepts <LF>.<CR><LF> as end of data (CVE-2023-51765) unless the distribution backported the fix (Debian 8.17.1.9-2+deb12u1 and later, which still accepts NUL bytes and a bare LF as the end of a command line); the configuration cannot show which binary runs';
  const tail =
    switches.length > 0
      ? `; and ${switches.join(', ')} sets srv_features U, G, O or F, which switch the protections of the fix off again`
      : '; with the fix, srv_features U, G, O and F must stay unset (none is set here)';
  ctx.add('sendmail-smuggling-fix', subject, base + tail, ctx.cfg.imported !== undefined ? { file: subject } : {});
}

export async function checkEngine(ctx: AuditContext, access: readonly AccessEntry[]): Promise<void> {
  const o = ctx.cfg.options;
  if (ctx.mode === 'postern') {
    if (!o.StrictCRLF) ctx.add('strict-crlf-off', 'StrictCRLF', 'StrictCRLF=False: bare LF and bare CR are tolerated, weakening the smuggling defence', ctx.optionAt('StrictCRLF'));
    if (!o.StrictPipelining) {
      ctx.add('strict-pipelining-off', 'StrictPipelining', 'StrictPipelining=False: commands sent ahead of the replies they depend on are accepted', ctx.optionAt('StrictPipelining'));
    }
  }
  if (!o.RejectNUL) ctx.add('reject-nul-off', 'RejectNUL', 'RejectNUL=False: NUL bytes in message text are accepted', ctx.optionAt('RejectNUL'));
  for (const [name, m4, limit] of LIMITS) {
    if (o[name] === 0) {
      ctx.add('limits-unbounded', name, `${name}=0: no limit`, { ...ctx.optionAt(name), fixes: optionFixes(m4, name, limit) });
    }
  }
  const mechs = o.AuthMechanisms.map((m) => m.toUpperCase()).filter((m) => m === 'PLAIN' || m === 'LOGIN');
  const authOptions = o.AuthOptions.join('');
  if (mechs.length > 0 && !authOptions.includes('p')) {
    const value = [...o.AuthOptions, 'p'].join(',');
    ctx.add('auth-cleartext', 'AuthOptions', `AuthMechanisms offers ${mechs.join(' and ')} and AuthOptions (${authOptions === '' ? 'unset' : authOptions}) lacks p: passwords may cross the network in clear text`, {
      ...ctx.optionAt('AuthOptions'),
      fixes: optionFixes('confAUTH_OPTIONS', 'AuthOptions', value),
    });
  }
  if (ctx.mode === 'sendmail') await checkSmugglingFix(ctx, access);
}
