// `sendmail -bv addr...` (cli.md §5.3): the daemon expands the addresses with its own routing and the
// caller's rights (restrictexpand); the lines go to stdout.

import { callControl } from '../../control/client.js';
import { controlSocketPath } from '../../control/path.js';
import type { SendmailArgs } from './argv.js';
import type { CommandContext } from './context.js';
import { EX_USAGE, EX_OSERR } from '../../util/sysexits.js';


export async function verifyCommand(ctx: CommandContext, a: SendmailArgs): Promise<number> {
  const addresses = a.addresses.flatMap((x) => x.split(',').map((s) => s.trim())).filter((s) => s !== '');
  if (addresses.length === 0) {
    ctx.stderr.write('Recipient names must be specified\n');
    return EX_USAGE;
  }
  if (ctx.alternateConfig) {
    ctx.stderr.write('sendmail: -bv with -C: an alternate configuration is never served by the daemon\n');
    return EX_OSERR;
  }
  try {
    const done = await callControl(controlSocketPath(ctx.config), { kind: 'verify', addresses }, undefined, { stdout: ctx.stdout, stderr: ctx.stderr });
    return done.exit;
  } catch (err) {
    ctx.stderr.write(`sendmail: -bv: the mail daemon cannot be reached (${(err as Error).message})\n`);
    return EX_OSERR;
  }
}
