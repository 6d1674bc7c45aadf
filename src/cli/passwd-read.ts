// Reading a password for `postern passwd`: from the terminal without echo, or the first line of
// standard input with --stdin (for scripts). Never from the command line, where `ps` shows it.

import { openSync, writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { text } from 'node:stream/consumers';

/** The first line of standard input, without its line end. */
export async function passwordFromStdin(): Promise<string> {
  const all = await text(process.stdin);
  const nl = all.indexOf('\n');
  return (nl === -1 ? all : all.slice(0, nl)).replace(/\r$/, '');
}

/** Asks on /dev/tty with echo off; undefined when there is no terminal or the user pressed Ctrl-C/Ctrl-D. */
export async function passwordFromTty(prompt: string): Promise<string | undefined> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    return undefined;
  }
  const say = (t: string): void => {
    try {
      writeSync(fd, t);
    } catch {
      // a terminal that went away: the read below ends too
    }
  };
  // The stream owns the descriptor from here on and closes it when destroyed.
  const input = new ReadStream(fd);
  // Echo off before the prompt: whatever is typed as soon as it shows must not appear.
  input.setRawMode(true);
  say(prompt);
  try {
    return await new Promise<string | undefined>((resolve) => {
      let typed = '';
      input.on('data', (chunk: Buffer) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return resolve(typed);
          if (ch === '\u0003' || ch === '\u0004') return resolve(undefined);
          if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
          else typed += ch;
        }
      });
      input.on('end', () => resolve(undefined));
    });
  } finally {
    input.setRawMode(false);
    say('\n');
    input.destroy();
  }
}
