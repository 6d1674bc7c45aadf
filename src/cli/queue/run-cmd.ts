// One queue run (-q, -qf, -qI/-qR/-qS/-q!…, -qG, -qQ) or a quarantine change (-Q) against a queue this
// process or the daemon reaches (queue-and-bounces.md §4, cli.md §4.2). Permission is checked by the
// caller of these functions. Filtered runs ignore the retry schedule (op.me §3.3).

import type { QueueAccess } from './access.js';
import { quarantine, release, type ActionBy, type ActionResult } from './actions.js';
import type { QueueArgs } from './args.js';
import { hasFilter, matchesFilter } from './filter.js';
import type { Output } from './output.js';
import { EX_OK, EX_TEMPFAIL, EX_USAGE } from './sysexits.js';

/** The only queue group Postern has (queue-and-bounces.md §4, -qG). */
export const QUEUE_GROUP = 'mqueue';

/** Mistakes in the combination of -q and -Q arguments; undefined when the request makes sense. */
export function runArgsProblem(args: QueueArgs): string | undefined {
  if (args.lost) return 'Can not use -qL for a queue run';
  if (args.group !== undefined && args.group !== QUEUE_GROUP) return `Queue group ${args.group} unknown`;
  if (args.quarantine !== undefined) {
    if (args.interval !== undefined) return 'Can not use -Q with -q<time>';
    if (!hasFilter(args.filter)) return 'Can not use -Q without -qI, -qR, -qS or -qQ<reason>';
  }
  return undefined;
}

export interface RunOptions {
  /** -OTimeout.queuereturn=now: return every message processed. */
  expireNow: boolean;
  by: ActionBy;
}

/** -Q<reason>: quarantine the matching normal messages; -qQ -Q: release; -qQ -Q<reason>: new reason. */
async function changeQuarantine(access: QueueAccess, args: QueueArgs, opts: RunOptions, out: Output): Promise<number> {
  const reason = args.quarantine ?? '';
  const ids: string[] = [];
  for await (const m of access.reader.list()) {
    if ((m.state.quarantine !== undefined) !== args.quarantined) continue;
    if (matchesFilter(args.filter, m)) ids.push(m.envelope.id);
  }
  if (!args.quarantined && reason === '') {
    // -Q alone on normal messages: nothing is quarantined, so there is nothing to release.
    return EX_OK;
  }
  let busy = false;
  for (const id of ids) {
    const r: ActionResult = reason === '' ? await release(access, id, opts.by) : await quarantine(access, id, reason, opts.by);
    if (!r.ok) {
      if (r.why === 'locked') busy = true;
      out.err(`${r.text}\n`);
    } else if (args.verbose) out.out(`${r.text}\n`);
  }
  return busy ? EX_TEMPFAIL : EX_OK;
}

export async function runOnce(access: QueueAccess, args: QueueArgs, opts: RunOptions, out: Output): Promise<number> {
  const problem = runArgsProblem(args);
  if (problem !== undefined) {
    out.err(`${problem}\n`);
    return EX_USAGE;
  }
  if (args.quarantine !== undefined) return changeQuarantine(access, args, opts, out);
  if (args.quarantined) {
    // Quarantined messages are held: a run over them delivers nothing (release them with -qQ -Q).
    if (args.verbose) out.out('quarantined messages are not delivered; release them with -qQ -Q and a filter\n');
    return EX_OK;
  }
  const filtered = hasFilter(args.filter);
  const summary = await access.run({
    ...(filtered ? { force: true, match: (m) => matchesFilter(args.filter, m) } : {}),
    ...(opts.expireNow ? { expireNow: true, force: true } : {}),
  });
  if (args.verbose) {
    out.out(`Running queue ${access.dir}: ${summary.selected} selected, ${summary.attempted} attempted, ${summary.finished} finished, ${summary.locked} being processed elsewhere\n`);
  }
  return EX_OK;
}
