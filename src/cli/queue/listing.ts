// What mailq shows, read from the spool (queue-and-bounces.md §3): the messages still queued that match
// the filters, in QueueSortOrder, each with its status character, size, priority, sender, status text
// and pending recipients. Plain data: printed by mailq-format.ts, sent as JSON over the control socket.

import { readdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { EffectiveConfig } from '../../config/effective.js';
import { scheduleOptions } from '../../daemon/runner-settings.js';
import { LOCK_DIR, type MessageLocks } from '../../queue/message-lock.js';
import type { SpoolReader } from '../../queue/reader.js';
import { isDue, priority, queueComparator } from '../../queue/schedule.js';
import { matchesFilter, type QueueFilter } from './filter.js';

export interface ListedRecipient {
  address: string;
  status: 'pending' | 'deferred';
  text?: string;
}

export interface ListedMessage {
  id: string;
  /** `*` being processed, `-` too young (MinQueueAge), `X` load too high, else a space. */
  mark: '*' | '-' | 'X' | ' ';
  size: number;
  priority: number;
  /** ms since the epoch */
  created: number;
  sender: string;
  status?: string;
  /** A delay warning was sent (mailq -v `+`). */
  warned: boolean;
  quarantine?: string;
  attempts: number;
  recipients: ListedRecipient[];
}

export interface QueueListing {
  directory: string;
  /** Messages matching the filters (before MaxQueueRunSize cut the list). */
  total: number;
  messages: ListedMessage[];
}

export interface LostListing {
  directory: string;
  lost: Array<{ file: string; reason: string; id?: string }>;
}

export interface ListOptions {
  filter: QueueFilter;
  /** -qQ: the quarantined messages instead of the others. */
  quarantined: boolean;
  now?: number;
  /** The 1-minute load average (default: the system's). */
  load?: number;
}

export async function queueListing(cfg: EffectiveConfig, directory: string, reader: SpoolReader, locks: MessageLocks, opts: ListOptions): Promise<QueueListing> {
  const now = opts.now ?? Date.now();
  const schedule = scheduleOptions(cfg);
  const queued = [];
  for await (const m of reader.list()) {
    if ((m.state.quarantine !== undefined) !== opts.quarantined) continue;
    if (!matchesFilter(opts.filter, m)) continue;
    queued.push(m);
  }
  // `now` seeds QueueSortOrder=random: one shuffle per listing.
  queued.sort(queueComparator(cfg.options.QueueSortOrder, schedule, now));
  const max = cfg.options.MaxQueueRunSize;
  const shown = max > 0 ? queued.slice(0, max) : queued;
  // QueueLA: above it sendmail's runners leave the queue alone, and mailq marks the entries X.
  const loadTooHigh = cfg.options.QueueLA > 0 && (opts.load ?? loadavg()[0] ?? 0) >= cfg.options.QueueLA;
  // One look at the lock directory, so only the messages with a lock file cost a read.
  const lockFiles = new Set(await readdir(join(directory, LOCK_DIR)).catch(() => [] as string[]));
  const messages: ListedMessage[] = [];
  for (const m of shown) {
    const e = m.envelope;
    const st = m.state;
    const locked = lockFiles.has(e.id) && (await locks.isLocked(e.id).catch(() => false));
    const mark = locked ? '*' : loadTooHigh ? 'X' : st.quarantine === undefined && !isDue(st, e, schedule, now) ? '-' : ' ';
    messages.push({
      id: e.id,
      mark,
      size: m.dataSize,
      priority: priority(e, st, schedule),
      created: e.created,
      sender: e.sender,
      ...(st.status !== undefined ? { status: st.status } : {}),
      warned: st.warningSent,
      ...(st.quarantine !== undefined ? { quarantine: st.quarantine } : {}),
      attempts: st.attempts,
      recipients: st.recipients
        .filter((r) => r.status === 'pending' || r.status === 'deferred')
        .map((r) => ({ address: r.address, status: r.status as 'pending' | 'deferred', ...(r.text !== undefined ? { text: r.text } : {}) })),
    });
  }
  return { directory, total: queued.length, messages };
}

export async function lostListing(directory: string, reader: SpoolReader): Promise<LostListing> {
  const lost = [];
  for await (const l of reader.lost()) lost.push({ file: l.file, reason: l.reason, ...(l.id !== undefined ? { id: l.id } : {}) });
  return { directory, lost };
}
