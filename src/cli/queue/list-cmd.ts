// mailq / sendmail -bp against a queue this process (or the daemon, for a control request) can read.

import { errorCode, errorMessage } from '../../queue/errors.js';
import type { QueueAccess } from './access.js';
import type { QueueArgs } from './args.js';
import { lostListing, queueListing, type LostListing, type QueueListing } from './listing.js';
import { formatListing, formatLost } from './mailq-format.js';
import type { Output } from './output.js';
import { EX_IOERR, EX_OK } from './sysexits.js';

function listingJson(l: QueueListing): string {
  const messages = l.messages.map((m) => ({ ...m, created: new Date(m.created).toISOString() }));
  return `${JSON.stringify({ directory: l.directory, total: l.total, printed: l.messages.length, messages }, null, 2)}\n`;
}

function lostJson(l: LostListing): string {
  return `${JSON.stringify(l, null, 2)}\n`;
}

/** Prints the listing (permission already checked). A queue directory not made yet is an empty queue. */
export async function printQueue(access: QueueAccess, args: QueueArgs, out: Output): Promise<number> {
  const dir = access.dir;
  try {
    if (args.lost) {
      const l = await lostListing(dir, access.reader);
      out.out(args.json ? lostJson(l) : formatLost(l));
      return EX_OK;
    }
    const l = await queueListing(access.cfg, dir, access.reader, access.locks, { filter: args.filter, quarantined: args.quarantined });
    out.out(args.json ? listingJson(l) : formatListing(l, { verbose: args.verbose, quarantine: args.quarantined }));
    return EX_OK;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') {
      const empty = { directory: dir, total: 0, messages: [] };
      if (args.lost) out.out(args.json ? lostJson({ directory: dir, lost: [] }) : formatLost({ directory: dir, lost: [] }));
      else out.out(args.json ? listingJson(empty) : formatListing(empty, { verbose: false, quarantine: false }));
      return EX_OK;
    }
    out.err(`mailq: cannot read the queue ${dir}: ${errorMessage(err)}\n`);
    return EX_IOERR;
  }
}
