// open-relay and relay-tempfail (audit-and-probe.md §3.2): every relay vector with the three senders,
// one session per vector, a fresh transaction (RSET) for every sender. The probe never sends DATA here:
// an accepted recipient is the finding, no message ever follows it.

import { ProbeIoError, type ProbeConnection } from '../connection.js';
import type { Finding } from '../../audit/findings.js';
import { finding, skipped } from '../finding.js';
import { isPositive, isTransient, replyText, type Reply } from '../reply.js';
import { relaySenders, relayVectors, type RelayVector } from '../relay-vectors.js';
import type { CheckContext } from './context.js';
import { greet } from './greet.js';

interface Refusal {
  sender: string;
  reply: string;
}

function judge(v: RelayVector, sender: string, r: Reply, transcript: readonly string[]): Finding | undefined {
  // `vector 1 (` sorts before `vector 10 (`: the report lists the vectors in their order.
  const subject = `relay vector ${v.n} (MAIL FROM:${sender} RCPT TO:${v.rcpt})`;
  if (isPositive(r)) {
    const verdict = v.mayBeLocal
      ? 'accepted; verify by hand (it may have been rewritten to a local user; accepting this form from strangers is wrong either way)'
      : 'the server relays for strangers';
    return finding('open-relay', subject, `${replyText(r)}: ${verdict}`, transcript);
  }
  if (isTransient(r)) return finding('relay-tempfail', subject, `temporary failure, cannot conclude: ${replyText(r)}`, transcript);
  return undefined;
}

async function tryVector(
  conn: ProbeConnection,
  v: RelayVector,
  senders: readonly string[],
  transcript: readonly string[],
  out: Finding[],
  refusals: Refusal[],
): Promise<void> {
  for (const sender of senders) {
    const mail = await conn.command(`MAIL FROM:${sender}`);
    if (isPositive(mail)) {
      const f = judge(v, sender, await conn.command(`RCPT TO:${v.rcpt}`), transcript);
      if (f !== undefined) out.push(f);
    } else {
      refusals.push({ sender, reply: replyText(mail) });
    }
    await conn.command('RSET');
  }
}

export async function relay(ctx: CheckContext): Promise<void> {
  const vectors = relayVectors({ relayTarget: ctx.settings.relayTarget, domain: ctx.domain, literal: ctx.literal });
  const senders = relaySenders(ctx.domain, ctx.settings.from);
  const refusals: Refusal[] = [];
  for (const v of vectors) {
    const found: Finding[] = [];
    const res = await ctx.runner.run(`open-relay vector ${v.n}`, async ({ conn, transcript }) => {
      const g = await greet(conn, ctx.settings.helo);
      if (!isPositive(g.reply)) throw new ProbeIoError('error', `EHLO/HELO refused: ${replyText(g.reply)}`);
      await tryVector(conn, v, senders, transcript.lines, found, refusals);
    });
    ctx.findings.push(...found);
    if (!res.ok) ctx.findings.push(skipped('open-relay', `vector ${v.n} (${v.rcpt}) not fully tried: ${res.reason}`, res.transcript));
  }
  // A refused sender means its third of every vector was not tried: say so once per sender.
  const seen = new Set<string>();
  for (const r of refusals) {
    if (seen.has(r.sender)) continue;
    seen.add(r.sender);
    const n = refusals.filter((x) => x.sender === r.sender).length;
    ctx.findings.push(skipped('open-relay', `MAIL FROM:${r.sender} refused (${r.reply}), so ${n} vector(s) not tried with this sender`));
  }
}
