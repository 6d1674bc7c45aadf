// Entry point shared by the `postern`, `sendmail`, `mailq` and `newaliases` commands.

import { basename } from 'node:path';
import { serveCommand } from './serve.js';
import { configCommand } from './config-cmd.js';
import { probeCommand } from './probe-cmd.js';
import { auditCommand } from './audit-cmd.js';
import { newaliasesCommand } from './newaliases-cmd.js';
import { queueCommand } from './queue/queue-cmd.js';
import { passwdCommand } from './passwd-cmd.js';
import { VERSION } from '../version.js';
import { sendmailMain } from './sendmail/main.js';

const POSTERN_USAGE = `usage: postern <command> [options]
  serve [--config FILE]             run the MTA (embedded default: 127.0.0.1:2525, spool ./spool)
  config show [--config FILE] [--json]
                                    every effective option with its source
  config check [--config FILE]      check a configuration (exit 78 on errors)
  audit [--config FILE | --sendmail FILE] [--root DIR] [--json|--sarif]
                                    check a configuration against the hardening rules
  probe HOST[:PORT] [options]       check a running mail server from outside (see postern probe --help)
  newaliases [--config FILE]        compile the alias files into their databases
  queue show|hold|release|delete|requeue|bounce [--config FILE] QID...
                                    look at or act on queued messages (postern queue --help)
  sendmail [flags] [address...]     sendmail's command line (also installed as sendmail, mailq; docs/cli.md)
  passwd [-f FILE] [--stdin] [-d] USER
                                    set or delete a user of the AUTH password file
  version                           print the version
FILE is a postern.conf, a sendmail.mc or a sendmail.cf.`;

/** The names that behave as sendmail does when called by them (cli.md §2). */
const SENDMAIL_NAMES = new Set(['sendmail', 'mailq', 'smtpd', 'hoststat', 'purgestat']);

/**
 * `invokedAs` is the name the command was called by; `commandPath`, where it was run from (the bin/
 * launchers pass process.argv[1], a symlink's own path: its install prefix finds the default configuration).
 */
export async function main(invokedAs: string, argv: readonly string[], commandPath: string | undefined = process.argv[1]): Promise<number> {
  // A symlink's name wins over the launcher's (`mailq -> bin/sendmail.js` is mailq): one entry, many names.
  const called = commandPath === undefined ? '' : basename(commandPath).replace(/\.js$/, '');
  const name = SENDMAIL_NAMES.has(called) || called === 'newaliases' || called === 'postern' ? called : basename(invokedAs);
  if (name === 'newaliases') return newaliasesCommand(argv);
  if (SENDMAIL_NAMES.has(name)) return sendmailMain(name, argv, commandPath ?? invokedAs);
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'sendmail':
    case 'mailq':
      return sendmailMain(cmd, rest, commandPath ?? invokedAs);
    case 'serve':
      return serveCommand(rest);
    case 'config':
      return configCommand(rest);
    case 'probe':
      return probeCommand(rest);
    case 'audit':
      return auditCommand(rest);
    case 'newaliases':
      return newaliasesCommand(rest);
    case 'queue':
      return queueCommand(rest);
    case 'passwd':
      return passwdCommand(rest);
    case 'version':
    case '--version':
      process.stdout.write(`postern ${VERSION}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(`${POSTERN_USAGE}\n`);
      return cmd === undefined ? 64 : 0;
    default:
      process.stderr.write(`postern: unknown command ${cmd}\n${POSTERN_USAGE}\n`);
      return 64;
  }
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === new URL(`file://${entry}`).href) {
  main('postern', process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`postern: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
