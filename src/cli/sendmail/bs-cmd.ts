// `sendmail -bs` (smtp-session.md §14): SMTP on stdin/stdout, spoken by the daemon's own engine over the
// control socket (the daemon knows the caller from the kernel).
// Without a daemon there is no session: exit 71.

import { open, type FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { ControlClient, ControlUnavailable } from '../../control/client.js';
import { controlSocketPath } from '../../control/path.js';
import type { CommandContext } from './context.js';
import { EX_OSERR, EX_CANTCREAT } from '../../util/sysexits.js';


/**
 * Feeds stdin to the session the way an SMTP client would: each command waits for its reply (after the
 * greeting), and after a 354 the message text goes as it is up to its final dot. A script piped into
 * `sendmail -bs` is therefore never taken for a client that does not wait (StrictPipelining). Lines
 * typed with LF alone are sent with CR LF.
 */
class Pacer {
  private readonly lines: Buffer[] = [];
  private partial: Buffer = Buffer.alloc(0);
  private inputDone = false;
  private waiting = true; // for the greeting
  private inData = false;
  private replyBuf = '';

  constructor(
    private readonly sock: Socket,
    private readonly onOutput: (d: Buffer) => void,
    /** -X: each line sent (`>>>`) and received (`<<<`) */
    private readonly transcript?: (dir: '>>>' | '<<<', line: string) => void,
  ) {}

  input(chunk: Buffer): void {
    this.partial = this.partial.length === 0 ? chunk : Buffer.concat([this.partial, chunk]);
    let nl: number;
    while ((nl = this.partial.indexOf(0x0a)) !== -1) {
      let line = this.partial.subarray(0, nl);
      if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
      this.lines.push(Buffer.from(line));
      this.partial = this.partial.subarray(nl + 1);
    }
    this.pump();
  }

  end(): void {
    if (this.partial.length > 0) this.lines.push(Buffer.from(this.partial));
    this.partial = Buffer.alloc(0);
    this.inputDone = true;
    this.pump();
  }

  output(d: Buffer): void {
    this.onOutput(d);
    this.replyBuf += d.toString('latin1');
    let nl: number;
    while ((nl = this.replyBuf.indexOf('\n')) !== -1) {
      const line = this.replyBuf.slice(0, nl).replace(/\r$/, '');
      this.replyBuf = this.replyBuf.slice(nl + 1);
      this.transcript?.('<<<', line);
      // The last line of a reply: `NNN text` (a continuation is `NNN-text`).
      if (/^\d{3}(?: |$)/.test(line)) {
        this.waiting = false;
        if (line.startsWith('354')) this.inData = true;
      }
    }
    this.pump();
  }

  private pump(): void {
    while (!this.waiting && this.lines.length > 0) {
      const line = this.lines.shift()!;
      this.sock.write(Buffer.concat([line, CRLF]));
      this.transcript?.('>>>', line.toString('latin1'));
      if (this.inData) {
        if (line.length === 1 && line[0] === 0x2e) {
          this.inData = false;
          this.waiting = true;
        }
      } else this.waiting = true;
    }
    if (this.inputDone && this.lines.length === 0 && !this.sock.writableEnded) this.sock.end();
  }
}

const CRLF = Buffer.from('\r\n');

/** -X file: opened for appending with the caller's own rights (this process), before anything is sent. */
async function openTranscript(path: string): Promise<FileHandle | string> {
  try {
    return await open(path, 'a', 0o600);
  } catch (err) {
    return `sendmail: -X ${path}: ${(err as Error).message}`;
  }
}

export async function bsCommand(ctx: CommandContext, transcriptPath?: string): Promise<number> {
  let transcript: FileHandle | undefined;
  if (transcriptPath !== undefined) {
    const t = await openTranscript(transcriptPath);
    if (typeof t === 'string') {
      ctx.stderr.write(`${t}\n`);
      return EX_CANTCREAT;
    }
    transcript = t;
  }
  try {
    return await session(ctx, transcript);
  } finally {
    await transcript?.close();
  }
}

async function session(ctx: CommandContext, transcript: FileHandle | undefined): Promise<number> {
  const path = controlSocketPath(ctx.config);
  let c: ControlClient;
  try {
    if (ctx.alternateConfig) throw new ControlUnavailable('-C: an alternate configuration is never served by the daemon', 'EPERM');
    c = await ControlClient.connect(path);
  } catch (err) {
    ctx.stderr.write(`sendmail: -bs: the mail daemon cannot be reached (${(err as Error).message})\n`);
    return EX_OSERR;
  }
  c.send({ kind: 'bs' });
  for (;;) {
    let f;
    try {
      f = await c.next();
    } catch (err) {
      ctx.stderr.write(`sendmail: -bs: ${(err as Error).message}\n`);
      return EX_OSERR;
    }
    if (f.type === 'out') (f.stream === 'stdout' ? ctx.stdout : ctx.stderr).write(f.text);
    else if (f.type === 'done') {
      c.close();
      return f.exit;
    } else break;
  }
  const sock = c.rawSocket();
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  sock.on('error', () => undefined);
  const log: string[] = [];
  const pacer = new Pacer(sock, (d) => ctx.stdout.write(d), transcript === undefined ? undefined : (dir, line) => log.push(`${process.pid} ${dir} ${line}\n`));
  const onInput = (d: Buffer | string): void => pacer.input(typeof d === 'string' ? Buffer.from(d, 'latin1') : d);
  const onEnd = (): void => pacer.end();
  sock.on('data', (d: Buffer) => pacer.output(d));
  ctx.stdin.on('data', onInput);
  ctx.stdin.on('end', onEnd);
  sock.resume();
  await closed;
  // stdin may still be open (an interactive caller after QUIT): stop reading it.
  ctx.stdin.off('data', onInput);
  ctx.stdin.off('end', onEnd);
  ctx.stdin.pause();
  if ('destroy' in ctx.stdin && typeof ctx.stdin.destroy === 'function') ctx.stdin.destroy();
  if (transcript !== undefined && log.length > 0) await transcript.appendFile(log.join(''));
  return 0;
}
