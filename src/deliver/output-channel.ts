// One channel for a program's standard output and standard error together, as sendmail gives its
// mailers, so the transcript keeps the order in which the program wrote (two pipes would be read in
// whatever order they happen to drain). Node has no socketpair(); a Unix socket in a fresh private
// directory gives the same: the connecting end goes to the programs, the accepted end is read here.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OutputChannel {
  /** Hand this to spawn() as stdout and stderr. */
  childEnd: Socket;
  /** Everything the programs write arrives here. */
  ourEnd: Socket;
}

export async function openOutputChannel(): Promise<OutputChannel> {
  const dir = mkdtempSync(join(tmpdir(), 'postern-agent-'));
  const path = join(dir, 'out');
  try {
    const server = createServer();
    const accepted = new Promise<Socket>((resolve, reject) => {
      server.once('connection', resolve);
      server.once('error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
      server.listen(path);
    });
    const childEnd = connect(path);
    const ourEnd = await accepted;
    await new Promise<void>((resolve, reject) => {
      if (childEnd.readyState === 'open') resolve();
      childEnd.once('connect', resolve);
      childEnd.once('error', reject);
    });
    server.close();
    // Nothing writes to the programs through this channel.
    ourEnd.end();
    return { childEnd, ourEnd };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
