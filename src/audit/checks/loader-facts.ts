// What reading the configuration itself revealed: floor-applied (every value the hardening floor
// changed, §2.1), cf-no-feature-markers, feature-rbl-removed, constructs Postern v1 does not
// implement, and the loader's warnings (config-formats.md §1: "warnings are logged and listed by
// postern audit").

import type { Diagnostic } from '../../util/diagnostics.js';
import type { AuditContext } from '../context.js';
import type { ToleratedError } from '../load-config.js';

const NO_MARKERS = 'rulesets ignored and no FEATURE markers found';
const POSTERN_ONLY = /is not implemented by Postern|is not used by Postern|no effect in Postern|FEATURE\(nocanonify\) not given/;

export function checkLoaderFacts(ctx: AuditContext, diagnostics: readonly Diagnostic[], tolerated: readonly ToleratedError[]): void {
  if (ctx.mode === 'postern') {
    for (const c of ctx.cfg.floorChanges) {
      const file = ctx.shown(c.file);
      ctx.add('floor-applied', c.option, `${c.option}: imported ${c.imported} raised to ${c.effective}`, { file, line: c.line });
    }
  }
  for (const d of diagnostics) {
    if (d.severity !== 'warning') continue;
    if (d.message.startsWith(NO_MARKERS)) {
      const file = ctx.shown(d.file ?? '');
      ctx.add('cf-no-feature-markers', file, 'the cf has no VERSIONID marker lines: its FEATUREs, and so its relay policy, cannot be audited', { file });
      continue;
    }
    // What Postern itself would ignore says nothing about a real sendmail, which runs it.
    if (ctx.mode === 'sendmail' && POSTERN_ONLY.test(d.message)) continue;
    const { subject, extra } = ctx.where(d, 'configuration');
    ctx.add('config-warning', subject, d.message, extra);
  }
  for (const t of tolerated) {
    const { subject, extra } = ctx.where(t.diagnostic, 'configuration');
    if (t.kind === 'rbl') {
      ctx.add(
        'feature-rbl-removed',
        subject,
        'FEATURE(rbl) was removed in sendmail 8.10: m4 fails on it, so the running cf is not the one this .mc describes (Postern refuses it)',
        extra,
      );
    } else if (t.kind === 'unsupported') {
      ctx.add('unsupported-construct', subject, `${t.diagnostic.message}; the audit cannot judge it`, extra);
    }
  }
}
