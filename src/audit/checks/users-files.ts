// Files, users, shells (seed: SafeFileEnvironment, TrustedUser, PostmasterCopy, /etc/shells):
// safe-file-env-unset, default-user-root, trusted-user-login, postmaster-copy-unset,
// shells-nologin-listed, shells-any-shell, dont-blame-sendmail, unsafe-group-writes-off.

import { basename } from 'node:path';
import { optionFixes } from '../catalog.js';
import type { AuditContext } from '../context.js';

/** A valid login shell: valid for sendmail (aliases-forward.md §6) and not one that refuses logins. */
function loginShell(shell: string, valid: readonly string[], anyShell: boolean): boolean {
  const s = shell === '' ? '/bin/sh' : shell;
  if (['nologin', 'false', 'true'].includes(basename(s))) return false;
  return anyShell || valid.includes(s);
}

async function checkDefaultUser(ctx: AuditContext): Promise<void> {
  const value = ctx.cfg.options.DefaultUser.trim();
  const user = value.split(':')[0] ?? '';
  let root = user === 'root' || user === '0';
  if (!root && user !== '' && !/^\d+$/.test(user)) {
    const u = await ctx.userByNameOrUid(user);
    root = u?.uid === 0;
  }
  if (root) {
    ctx.add('default-user-root', 'DefaultUser', `DefaultUser=${value} is root: programs and files reached through the system aliases would run as root`, ctx.optionAt('DefaultUser'));
  }
}

async function checkTrustedUser(ctx: AuditContext): Promise<void> {
  const tu = ctx.cfg.options.TrustedUser;
  if (tu === undefined) return;
  const users = await ctx.users();
  const shells = await ctx.shells();
  if (!users.ok || !shells.ok) {
    ctx.skip('trusted-user-login', users.ok ? (shells.ok ? '' : shells.reason) : users.reason);
    return;
  }
  const u = await ctx.userByNameOrUid(tu);
  if (u === undefined) {
    ctx.skip('trusted-user-login', `TrustedUser ${tu} is not in /etc/passwd`);
    return;
  }
  if (loginShell(u.shell, shells.value.valid, shells.value.anyShell)) {
    ctx.add('trusted-user-login', 'TrustedUser', `TrustedUser ${tu} has the login shell ${u.shell === '' ? '/bin/sh (empty field)' : u.shell}`, ctx.optionAt('TrustedUser'));
  }
}

async function checkShells(ctx: AuditContext): Promise<void> {
  const shells = await ctx.shells();
  if (!shells.ok) {
    ctx.skip('shells-nologin-listed, shells-any-shell', shells.reason);
    return;
  }
  for (const { shell, line } of shells.value.lines ?? []) {
    const at = { file: '/etc/shells', line };
    const subject = `/etc/shells:${line}`;
    if (shell === '/SENDMAIL/ANY/SHELL/') {
      ctx.add('shells-any-shell', subject, '/SENDMAIL/ANY/SHELL/ makes every shell valid, nologin and false included', at);
      continue;
    }
    const name = basename(shell);
    if (['nologin', 'false', 'true'].includes(name) || !name.endsWith('sh')) {
      ctx.add(
        'shells-nologin-listed',
        subject,
        `${shell} is listed as a valid shell: users meant not to log in could run programs and write files through .forward`,
        at,
      );
    }
  }
}

function checkDontBlame(ctx: AuditContext): void {
  const flags = ctx.cfg.options.DontBlameSendmail.flags.filter((f) => f !== 'Safe');
  const at = ctx.optionAt('DontBlameSendmail');
  for (const flag of flags) {
    const high = flag.endsWith('Safe') || flag.startsWith('WorldWritable') || flag.startsWith('FileDeliveryTo');
    const rest = flags.filter((f) => f !== flag);
    ctx.add('dont-blame-sendmail', `DontBlameSendmail=${flag}`, `DontBlameSendmail ${flag} switches off a file safety check`, {
      ...at,
      ...(high ? { severity: 'high' as const } : {}),
      fixes: optionFixes('confDONT_BLAME_SENDMAIL', 'DontBlameSendmail', rest.length > 0 ? rest.join(',') : 'Safe'),
    });
  }
}

export async function checkUsersAndFiles(ctx: AuditContext): Promise<void> {
  const o = ctx.cfg.options;
  if (o.SafeFileEnvironment === undefined) {
    ctx.add('safe-file-env-unset', 'SafeFileEnvironment', 'SafeFileEnvironment is unset: file deliveries may write to devices, FIFOs and files anywhere', ctx.optionAt('SafeFileEnvironment'));
  }
  await checkDefaultUser(ctx);
  await checkTrustedUser(ctx);
  if (o.PostmasterCopy === undefined || o.PostmasterCopy.length === 0) {
    ctx.add('postmaster-copy-unset', 'PostmasterCopy', 'PostmasterCopy is unset: copies of bounces, which reveal break-in attempts, reach nobody', ctx.optionAt('PostmasterCopy'));
  }
  await checkShells(ctx);
  checkDontBlame(ctx);
  if (!o.UnsafeGroupWrites) {
    ctx.add('unsafe-group-writes-off', 'UnsafeGroupWrites', 'UnsafeGroupWrites=False: group-writable .forward and :include: files may run programs', ctx.optionAt('UnsafeGroupWrites'));
  }
}
