// starttls-injection (audit-and-probe.md §3.2, CVE-2011-0411): `STARTTLS` and `NOOP` in one plaintext
// segment. A server that keeps the plaintext NOOP and answers it after the handshake lets a man in the
// middle inject commands into the encrypted session. Right after the handshake the probe sends QUIT:
// a vulnerable server's first reply inside TLS is then the 250 to the injected NOOP, a safe one's the 221.

import { ProbeIoError } from '../connection.js';
import { finding, skipped } from '../finding.js';
import { replyText } from '../reply.js';
import type { CheckContext } from './context.js';
import { greet } from './greet.js';

export async function startTlsInjection(ctx: CheckContext): Promise<void> {
  const res = await ctx.runner.run('starttls-injection', async ({ conn }) => {
    await greet(conn, ctx.settings.helo);
    conn.send('STARTTLS\r\nNOOP\r\n');
    const r = await conn.reply();
    if (r.code !== 220) return { kind: 'no-tls' as const, reply: replyText(r) };
    try {
      await conn.startTls(ctx.settings.target.host);
    } catch (err) {
      if (!(err instanceof ProbeIoError)) throw err;
      return { kind: 'no-tls' as const, reply: err.message };
    }
    conn.send('QUIT\r\n');
    const first = await conn.reply();
    return { kind: 'tls' as const, first };
  });
  if (!res.ok) {
    ctx.findings.push(skipped('starttls-injection', res.reason, res.transcript));
    return;
  }
  const v = res.value;
  if (v.kind === 'no-tls') {
    ctx.findings.push(skipped('starttls-injection', `no TLS session: ${v.reply}`, res.transcript));
    return;
  }
  if (v.first.code === 250) {
    ctx.findings.push(
      finding('starttls-injection', 'STARTTLS', `the plaintext NOOP sent with STARTTLS was answered inside TLS: ${replyText(v.first)}`, res.transcript),
    );
  } else if (v.first.code !== 221) {
    ctx.findings.push(skipped('starttls-injection', `unexpected first reply inside TLS: ${replyText(v.first)}`, res.transcript));
  }
}
