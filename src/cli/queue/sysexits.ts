// The sysexits.h values the queue commands end with (cli.md §7).

export { EX_OK, EX_USAGE, EX_NOINPUT, EX_UNAVAILABLE, EX_SOFTWARE, EX_OSERR, EX_IOERR, EX_TEMPFAIL, EX_NOPERM, EX_CONFIG } from '../../util/sysexits.js';
