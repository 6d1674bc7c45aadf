// Entry point shared by the `postern`, `sendmail`, `mailq` and `newaliases` commands.

import { basename } from 'node:path';
import { serveCommand } from './serve.js';
import { configCommand } from './config-cmd.js';
import { probeCommand } from './probe-cmd.js';
import { auditCommand } from './audit-cmd.js';
import { newaliasesCommand } from './newaliases-cmd.js';
import { passwdCommand } from './passwd-cmd.js';
import { VERSION } from '../version.js';

const POSTERN_USAGE = `usage: postern <command> [options]
  serve [--config FILE]             run the MTA (embedded default: 127.0.0.1:2525, spool ./spool)
  config show [--config FILE] [--json]
                                    every effective option with its source
  config check [--config FILE]      check a configuration (exit 78 on errors)
  audit [--config FILE | --sendmail FILE] [--root DIR] [--json|--sarif]
                                    check a configuration against the hardening rules
  probe HOST[:PORT] [options]       check a running mail server from outside (see postern probe --help)
  newaliases [--config FILE]        compile the alias files into their databases
  passwd [-f FILE] [--stdin] [-d] USER
                                    set or delete a user of the AUTH password file
  version                           print the version
FILE is a postern.conf, a sendmail.mc or a sendmail.cf.`;

/** sendmail's command line arrives with the command-line issue; until then say so plainly. */
function notYet(name: string): number {
  process.stderr.write(`${name}: not yet available in Postern ${VERSION}; use "postern serve" for the SMTP daemon\n`);
  return 69;
}

export async function main(invokedAs: string, argv: readonly string[]): Promise<number> {
  const name = basename(invokedAs);
  if (name === 'newaliases') return newaliasesCommand(argv);
  if (name === 'sendmail' || name === 'mailq') return notYet(name);
  const [cmd, ...rest] = argv;
  switch (cmd) {
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
