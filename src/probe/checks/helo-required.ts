// helo-not-required (audit-and-probe.md §3.2): a fresh session that sends MAIL before any HELO/EHLO.

import { finding, skipped } from '../finding.js';
import { isPositive, replyText } from '../reply.js';
import type { CheckContext } from './context.js';

export async function heloRequired(ctx: CheckContext): Promise<void> {
  const mail = `MAIL FROM:<${ctx.settings.from}>`;
  const res = await ctx.runner.run('helo-not-required', async ({ conn }) => {
    const r = await conn.command(mail);
    if (isPositive(r)) await conn.command('RSET');
    return r;
  });
  if (!res.ok) {
    ctx.findings.push(skipped('helo-not-required', res.reason, res.transcript));
    return;
  }
  if (isPositive(res.value)) {
    ctx.findings.push(finding('helo-not-required', 'MAIL before HELO', `MAIL accepted without HELO/EHLO: ${replyText(res.value)}`, res.transcript));
  }
}
