// bare-lf-accepted (audit-and-probe.md §3.2, --smuggling only): does a bare LF end a command line?
// The probe sends `NOOP<LF>NOOP<CR><LF>QUIT<CR><LF>` after EHLO: a server that takes the bare LF as a line
// end answers two NOOPs (two 250s before the 221); one that does not sees a single `NOOP NOOP`-like line
// (one reply) or refuses the bare LF (Postern: 421). Counting replies needs no waiting, so the verdict
// does not depend on how fast the server is.

import { ProbeIoError } from '../connection.js';
import { finding, skipped } from '../finding.js';
import { replyText, type Reply } from '../reply.js';
import type { CheckContext } from './context.js';
import { greet } from './greet.js';

export async function bareLf(ctx: CheckContext): Promise<void> {
  const res = await ctx.runner.run('bare-lf-accepted', async ({ conn }) => {
    await greet(conn, ctx.settings.helo);
    conn.send('NOOP\nNOOP\r\nQUIT\r\n');
    const replies: Reply[] = [];
    try {
      for (;;) {
        const r = await conn.reply();
        replies.push(r);
        if (r.code === 221) break;
      }
    } catch (err) {
      if (!(err instanceof ProbeIoError) || err.kind === 'timeout' || replies.length === 0) throw err;
    }
    return replies;
  });
  if (!res.ok) {
    ctx.findings.push(skipped('bare-lf-accepted', res.reason, res.transcript));
    return;
  }
  const oks = res.value.filter((r) => r.code === 250);
  if (oks.length >= 2) {
    ctx.findings.push(
      finding('bare-lf-accepted', 'NOOP<LF>', `a bare LF ends a command line: NOOP<LF>NOOP<CR><LF> got ${oks.map(replyText).join(' and ')}`, res.transcript),
    );
  }
}
