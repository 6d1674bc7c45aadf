// Which configuration the command reads when no -C is given: <sysconfdir>/postern/postern.conf, where
// sysconfdir follows from where the command is installed (/usr/sbin/sendmail → /etc; a package or
// test prefix, <prefix>/sbin/sendmail → <prefix>/etc); when that file does not exist, the embedded
// default (as `postern serve` without --config). The file only tells the command where the daemon's
// control socket is; what a submission may do is decided by the daemon from its own configuration.

import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export function sysconfdirFor(commandPath: string): string {
  const dir = dirname(resolve(commandPath));
  const prefix = ['bin', 'sbin', 'lib'].includes(basename(dir)) ? dirname(dir) : dir;
  return prefix === '/usr' || prefix === '/' ? '/etc' : join(prefix, 'etc');
}

/** The default configuration file for a command installed at `commandPath`, if there is one. */
export function defaultConfigPath(commandPath: string | undefined): string | undefined {
  if (commandPath === undefined) return undefined;
  const path = join(sysconfdirFor(commandPath), 'postern', 'postern.conf');
  return existsSync(path) ? path : undefined;
}
