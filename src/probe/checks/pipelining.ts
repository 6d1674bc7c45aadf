// pipelining-ehlo-tolerated (audit-and-probe.md §3.2): EHLO and NOOP in one segment. Strict servers
// (Postern, sendmail 8.18, Debian's patched 8.17) answer the EHLO with 554; the finding is a fact, not
// a fault.

import { finding, skipped } from '../finding.js';
import { replyText } from '../reply.js';
import type { CheckContext } from './context.js';

export async function pipeliningEhlo(ctx: CheckContext): Promise<void> {
  const res = await ctx.runner.run('pipelining-ehlo-tolerated', async ({ conn }) => {
    conn.send(`EHLO ${ctx.settings.helo}\r\nNOOP\r\n`);
    const ehlo = await conn.reply();
    const noop = await conn.reply();
    return { ehlo, noop };
  });
  if (!res.ok) {
    ctx.findings.push(skipped('pipelining-ehlo-tolerated', res.reason, res.transcript));
    return;
  }
  const { ehlo, noop } = res.value;
  if (ehlo.code === 250 && noop.code === 250) {
    ctx.findings.push(
      finding(
        'pipelining-ehlo-tolerated',
        'EHLO+NOOP',
        `EHLO pipelined with NOOP answered normally (${ehlo.lines[0] ?? ''}; ${replyText(noop)})`,
        res.transcript,
      ),
    );
  }
}
