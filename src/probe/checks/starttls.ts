// starttls-failed and tls-old-protocol (audit-and-probe.md §3.2): STARTTLS and a handshake that offers
// TLS 1.0–1.3 without verifying the certificate; then EHLO inside TLS to see the session go on.

import { ProbeIoError } from '../connection.js';
import { offers } from '../ehlo.js';
import { finding, skipped } from '../finding.js';
import { isPositive, replyText } from '../reply.js';
import type { CheckContext } from './context.js';
import { greet } from './greet.js';

const OLD_PROTOCOLS = new Set(['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1']);

export type StartTlsOutcome = 'ok' | 'failed' | 'not-offered';

export async function startTls(ctx: CheckContext): Promise<StartTlsOutcome> {
  const listed = offers(ctx.extensions, 'STARTTLS');
  const res = await ctx.runner.run('starttls', async ({ conn }) => {
    await greet(conn, ctx.settings.helo);
    const r = await conn.command('STARTTLS');
    if (r.code !== 220) return { kind: 'refused' as const, reply: replyText(r) };
    try {
      const facts = await conn.startTls(ctx.settings.target.host);
      const inside = await greet(conn, ctx.settings.helo);
      return { kind: 'tls' as const, ...facts, ehlo: isPositive(inside.reply) };
    } catch (err) {
      if (!(err instanceof ProbeIoError)) throw err;
      return { kind: 'handshake-failed' as const, reason: err.message };
    }
  });
  if (!res.ok) {
    ctx.findings.push(skipped('starttls-failed', res.reason, res.transcript));
    return 'failed';
  }
  const v = res.value;
  if (v.kind === 'refused') {
    // Not listed and not accepted (--tls asked to try anyway): starttls-missing already says it.
    if (!listed) return 'not-offered';
    ctx.findings.push(finding('starttls-failed', 'STARTTLS', `STARTTLS is listed but answered ${v.reply}`, res.transcript));
    return 'failed';
  }
  if (v.kind === 'handshake-failed') {
    ctx.findings.push(finding('starttls-failed', 'STARTTLS', `220 to STARTTLS, but ${v.reason}`, res.transcript));
    return 'failed';
  }
  if (OLD_PROTOCOLS.has(v.protocol)) {
    ctx.findings.push(finding('tls-old-protocol', 'STARTTLS', `${v.protocol} negotiated (${v.cipher}) although the probe offered TLS 1.0 to 1.3`, res.transcript));
  }
  return 'ok';
}
