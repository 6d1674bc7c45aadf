// The outbound benchmark's load: N messages of one recipient each queued over SMTP on a few
// connections, one command at a time (the receiving side is not what is measured).

import { connect, type Socket } from 'node:net';

/** One message of `size` bytes, CR LF lines, no line starting with a dot. */
export function messageText(size: number, to: string): string {
  const head = `From: <bench@localhost>\r\nTo: <${to}>\r\nSubject: outbound benchmark\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@bench>\r\n\r\n`;
  const line = `${'x'.repeat(76)}\r\n`;
  let body = '';
  while (head.length + body.length + line.length <= size) body += line;
  return head + body;
}

export function rcptOf(i: number, domains: number): string {
  return `user${i}@d${(i % domains) + 1}.bench`;
}

/** Queues `count` messages over `conns` connections, each waiting for every reply (no pipelining). */
export async function inject(port: number, count: number, domains: number, size: number, conns = 4): Promise<void> {
  let next = 0;
  const one = async (): Promise<void> => {
    const sock: Socket = connect(port, '127.0.0.1');
    let buf = '';
    const waiters: Array<{ ok: (l: string) => void; fail: (e: Error) => void }> = [];
    let gone: Error | undefined;
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const l = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        if (/^\d{3} /.test(l)) waiters.shift()?.ok(l);
      }
    });
    // A server that dies or drops the connection fails the run instead of leaving it waiting.
    const fail = (e: Error): void => {
      gone ??= e;
      for (const w of waiters.splice(0)) w.fail(gone);
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('the server closed the connection')));
    const reply = (): Promise<string> => (gone !== undefined ? Promise.reject(gone) : new Promise((ok, no) => waiters.push({ ok, fail: no })));
    const cmd = async (c: string, want: string): Promise<void> => {
      const p = reply();
      sock.write(c);
      const l = await p;
      if (!l.startsWith(want)) throw new Error(`${c.trim().slice(0, 40)}: ${l}`);
    };
    const g = await reply();
    if (!g.startsWith('220')) throw new Error(`greeting: ${g}`);
    await cmd('EHLO bench.localdomain\r\n', '250');
    for (let i = next++; i < count; i = next++) {
      const to = rcptOf(i, domains);
      await cmd('MAIL FROM:<bench@localhost>\r\n', '250');
      await cmd(`RCPT TO:<${to}>\r\n`, '250');
      await cmd('DATA\r\n', '354');
      await cmd(`${messageText(size, to)}.\r\n`, '250');
    }
    const bye = reply().catch(() => '221');
    sock.write('QUIT\r\n');
    await bye;
    sock.destroy();
  };
  await Promise.all(Array.from({ length: conns }, one));
}
