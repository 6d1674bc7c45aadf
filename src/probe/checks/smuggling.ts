// smtp-smuggling (audit-and-probe.md §3.2, --smuggling only): one session per bad end-of-data marker.
// The only check that sends message data, and only to --rcpt-local, with the fixed subject.

import { ProbeIoError } from '../connection.js';
import { finding, skipped } from '../finding.js';
import { isPositive, replyText, type Reply } from '../reply.js';
import { SMUGGLING_VECTORS, smuggledSender, smugglingPayload, smugglingVerdict, type SmugglingVector } from '../smuggling-vectors.js';
import type { CheckContext } from './context.js';
import { greet } from './greet.js';
import { rfc5322Date } from '../../smtp/dates.js';

type Attempt = { kind: 'refused'; step: string; reply: string } | { kind: 'sent'; replies: Reply[]; ended: 'quit' | 'closed' | 'timeout' };

async function attempt(ctx: CheckContext, v: SmugglingVector, rcptLocal: string): Promise<void> {
  const { from } = ctx.settings;
  const res = await ctx.runner.run(`smtp-smuggling ${v.name}`, async ({ conn }): Promise<Attempt> => {
    await greet(conn, ctx.settings.helo);
    for (const [step, line, want] of [
      ['MAIL', `MAIL FROM:<${from}>`, 250],
      ['RCPT', `RCPT TO:<${rcptLocal}>`, 250],
      ['DATA', 'DATA', 354],
    ] as const) {
      const r = await conn.command(line);
      const ok = want === 354 ? r.code === 354 : isPositive(r);
      if (!ok) return { kind: 'refused', step, reply: replyText(r) };
    }
    conn.send(smugglingPayload(v, { from, rcptLocal, domain: ctx.domain, date: rfc5322Date(new Date()) }));
    const replies: Reply[] = [];
    try {
      for (;;) {
        const r = await conn.reply();
        replies.push(r);
        if (r.code === 221) return { kind: 'sent', replies, ended: 'quit' };
      }
    } catch (err) {
      if (!(err instanceof ProbeIoError)) throw err;
      return { kind: 'sent', replies, ended: err.kind === 'timeout' ? 'timeout' : 'closed' };
    }
  });
  const subject = `smuggling ${v.name}`;
  if (!res.ok) {
    ctx.findings.push(finding('smuggling-inconclusive', subject, `no verdict: ${res.reason}`, res.transcript));
    return;
  }
  const a = res.value;
  if (a.kind === 'refused') {
    ctx.findings.push(finding('smuggling-inconclusive', subject, `no verdict: ${a.step} refused (${a.reply})`, res.transcript));
    return;
  }
  const seen = a.replies.map((r) => ({ code: r.code, text: replyText(r) }));
  const verdict = smugglingVerdict(seen, a.ended);
  const said = seen.map((r) => r.text).join(' | ') || '(nothing)';
  if (verdict === 'vulnerable') {
    ctx.findings.push(
      finding(
        'smtp-smuggling',
        subject,
        `the server accepted a transaction smuggled behind ${v.name}; look for mail from ${smuggledSender(ctx.domain)} in ${rcptLocal} (replies: ${said})`,
        res.transcript,
      ),
    );
  } else if (verdict === 'inconclusive') {
    ctx.findings.push(finding('smuggling-inconclusive', subject, `no verdict (${a.ended}): replies ${said}`, res.transcript));
  }
}

export async function smuggling(ctx: CheckContext): Promise<void> {
  const rcptLocal = ctx.settings.rcptLocal;
  if (rcptLocal === undefined) {
    ctx.findings.push(skipped('smtp-smuggling', '--smuggling needs --rcpt-local, a mailbox of yours on the target'));
    return;
  }
  for (const v of SMUGGLING_VECTORS) await attempt(ctx, v, rcptLocal);
}
