// Mailer definitions (cf `M` lines, config-formats.md §4) and what Postern takes from them: the prog
// mailer (program-and-file-delivery.md §1) and the external local mailer (§5).

import { basename } from 'node:path';
import type { Location } from '../util/diagnostics.js';
import type { ProgMailerValue } from './kinds.js';
import type { LocalMailerSpec, MailerDef, ProgMailerSpec } from './layer.js';

export type MailerParse = { ok: true; mailer: MailerDef } | { ok: false; message: string };

/** `Mprog, P=/usr/sbin/smrsh, F=lsDFMoqeu9, ..., A=smrsh -c $u` (continuation lines already joined). */
export function parseMailerLine(body: string, at?: Location): MailerParse {
  const m = /^([^,\s]+)\s*,?\s*(.*)$/s.exec(body.trim());
  if (m === null || m[1] === undefined) return { ok: false, message: 'mailer definition without a name' };
  const fields: Record<string, string> = {};
  for (const part of m[2]!.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = /^([A-Za-z])\s*=\s*(.*)$/s.exec(item);
    if (eq === null) return { ok: false, message: `mailer ${m[1]}: "${item}" is not of the form X=value` };
    fields[eq[1]!.toUpperCase()] = eq[2]!.replace(/\s+/g, ' ').trim();
  }
  return { ok: true, mailer: { name: m[1], fields, ...(at ? { at } : {}) } };
}

/** Mailers Postern always has, or that it accepts and ignores (its SMTP client replaces them). */
export const ACCEPTED_MAILERS = new Set(['prog', 'local', '*file*', '*include*', 'smtp', 'esmtp', 'smtp8', 'dsmtp', 'relay']);

/** A shell as audit-and-probe.md `prog-mailer-shell` defines it: basename ends in `sh`, not smrsh. */
export function isShellPath(path: string): boolean {
  const b = basename(path);
  return b.endsWith('sh') && b !== 'smrsh';
}

export function isSmrshPath(path: string): boolean {
  return basename(path) === 'smrsh';
}

/** What an imported prog mailer means for the ProgMailer option, before the hardening floor. */
export function progMailerValueOf(spec: ProgMailerSpec): ProgMailerValue {
  if (isSmrshPath(spec.path)) return { kind: 'smrsh' };
  if (isShellPath(spec.path)) return { kind: 'shell' };
  return { kind: 'external', path: spec.path };
}

export function progSpecFromMailer(m: MailerDef): ProgMailerSpec {
  const spec: ProgMailerSpec = { path: m.fields['P'] ?? '/bin/sh', argv: splitArgv(m.fields['A'] ?? 'sh -c $u') };
  if (m.fields['F'] !== undefined) spec.flags = m.fields['F'];
  if (m.at) spec.at = m.at;
  return spec;
}

export function localSpecFromMailer(m: MailerDef): LocalMailerSpec {
  return {
    path: m.fields['P'] ?? '/bin/mail',
    argv: splitArgv(m.fields['A'] ?? 'mail -d $u'),
    flags: m.fields['F'] ?? '',
    ...(m.at ? { at: m.at } : {}),
  };
}

export function splitArgv(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}
