// Deletion and compaction of segments (docs/spool.md "Deletion and compaction"). A segment goes when
// nothing in it is needed any more: its messages are finished, or their records have been copied
// verbatim (checksums intact) into the compacting writer's own segment together with one consolidated
// state record; and it holds no state that a surviving record still depends on.
//
// Rules kept here:
// - never touch the newest segment of any writer (it may still grow), an untrusted segment, or a
//   `.lost` file;
// - a segment holding state of a finished message goes only together with every copy of that
//   message's record, and only after them (otherwise the message would come back, even after a
//   crash half-way through the removals);
// - state of a live message goes only after a consolidated record of it is durable elsewhere;
// - copies are durable before anything is unlinked, and the directory is fsynced after the unlinks.
//   Readers keep the first copy of an id and state updates carry absolute values, so the moment when
//   both copies exist is harmless.

import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirectory } from './directory.js';
import { errorCode } from './errors.js';
import { readRawRecord } from './reader.js';
import { parseSegmentName } from './segment-name.js';
import type { SegmentSummary, SpoolIndex } from './spool-index.js';
import type { Spool } from './spool.js';
import { consolidatedUpdate, type StateUpdate } from './state.js';

export interface CompactionOptions {
  /**
   * A segment whose live records (those that would have to be copied) exceed this share of its size
   * is kept: copying most of a segment to delete it gains little. Default 0.5.
   */
  maxLiveShare?: number;
  /** Copies are written in batches of about this many octets. Default 16 MiB. */
  batchBytes?: number;
}

export interface CompactionResult {
  /** Segment files removed. */
  deleted: string[];
  /** Message records copied into the compacting writer's segment. */
  copied: number;
  /** Consolidated state records written. */
  consolidated: number;
}

/** The newest segment of each writer: it may be growing, so it is never a candidate. */
function newestPerWriter(segments: readonly SegmentSummary[]): Set<string> {
  const newest = new Map<string, { seq: number; name: string }>();
  for (const s of segments) {
    const p = parseSegmentName(s.name);
    if (p === null) continue;
    const cur = newest.get(p.writer);
    if (cur === undefined || p.seq > cur.seq) newest.set(p.writer, { seq: p.seq, name: s.name });
  }
  return new Set([...newest.values()].map((n) => n.name));
}

/**
 * Which segments can go, given what the index knows now, in the order they must be removed: every
 * layer only after the ones before it are gone (and the directory fsynced). A segment holding state
 * of a finished message comes after every segment holding a copy of that message's record; segments
 * that would have to go before each other are kept.
 */
export function planCompaction(index: SpoolIndex, opts: CompactionOptions = {}): string[][] {
  const maxLive = opts.maxLiveShare ?? 0.5;
  const segments = index.segmentSummaries();
  const keep = newestPerWriter(segments);
  const byName = new Map(segments.map((s) => [s.name, s]));
  const live = (id: string): boolean => {
    const m = index.get(id);
    return m !== undefined && !m.state.done;
  };
  // Recipients added by expansion are appended by non-idempotent updates: never consolidated.
  const consolidatable = (id: string): boolean => index.get(id)?.state.recipients.every((x) => x.primary) ?? true;
  /** Every segment holding a copy of the message record of `id`. */
  const homes = new Map<string, Set<string>>();
  for (const s of segments) {
    for (const r of s.records) {
      const h = homes.get(r.id) ?? new Set<string>();
      h.add(s.name);
      homes.set(r.id, h);
    }
  }
  const plan = new Set<string>();
  for (const s of segments) {
    if (!s.trusted || keep.has(s.name)) continue;
    let liveBytes = 0;
    let ok = true;
    for (const r of s.records) {
      if (!live(r.id)) continue;
      liveBytes += r.loc.size;
      if (!consolidatable(r.id)) ok = false;
    }
    for (const id of s.stateIds) if (live(id) && !consolidatable(id)) ok = false;
    if (ok && liveBytes <= s.size * maxLive) plan.add(s.name);
  }
  /** Segments that must be gone before `name` may go. */
  const before = (name: string): Set<string> => {
    const out = new Set<string>();
    for (const id of (byName.get(name) as SegmentSummary).stateIds) {
      if (live(id)) continue;
      for (const home of homes.get(id) ?? []) if (home !== name) out.add(home);
    }
    return out;
  };
  for (;;) {
    // A finished message's state may go only with every copy of its record.
    for (let changed = true; changed; ) {
      changed = false;
      for (const name of [...plan]) {
        if ([...before(name)].some((home) => !plan.has(home))) {
          plan.delete(name);
          changed = true;
        }
      }
    }
    const layers: string[][] = [];
    const placed = new Set<string>();
    for (let rest = [...plan].sort(); rest.length > 0; ) {
      const layer = rest.filter((name) => [...before(name)].every((b) => placed.has(b)));
      if (layer.length === 0) break;
      layers.push(layer);
      for (const name of layer) placed.add(name);
      rest = rest.filter((name) => !placed.has(name));
    }
    if (placed.size === plan.size) return layers;
    // Segments waiting for each other: keep them, and whatever waits for them.
    for (const name of [...plan]) if (!placed.has(name)) plan.delete(name);
  }
}

/**
 * Compacts the queue directory of `index` through `spool` (the compacting process's own writer).
 * Run by one process at a time (the daemon's queue runner).
 */
export async function compact(spool: Spool, index: SpoolIndex, opts: CompactionOptions = {}): Promise<CompactionResult> {
  await index.refresh();
  const layers = planCompaction(index, opts);
  const plan = new Set(layers.flat());
  const result: CompactionResult = { deleted: [], copied: 0, consolidated: 0 };
  if (plan.size === 0) return result;
  const touched = new Set<string>();
  /** Ids with a copy of their record in a segment that stays. */
  const surviving = new Set<string>();
  for (const s of index.segmentSummaries()) {
    if (!plan.has(s.name)) {
      for (const r of s.records) surviving.add(r.id);
      continue;
    }
    for (const r of s.records) touched.add(r.id);
    for (const id of s.stateIds) touched.add(id);
  }
  const batchBytes = opts.batchBytes ?? 16 * 1024 * 1024;
  let records: Buffer[] = [];
  let updates: StateUpdate[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (records.length === 0 && updates.length === 0) return;
    await spool.appendVerbatim(records, updates);
    records = [];
    updates = [];
    bytes = 0;
  };
  for (const id of touched) {
    const m = index.get(id);
    if (m === undefined || m.state.done) continue;
    if (!surviving.has(id)) {
      const raw = await readRawRecord(index.dir, m.loc, id);
      records.push(raw);
      bytes += raw.length;
      result.copied++;
    }
    updates.push(consolidatedUpdate(id, m.state));
    result.consolidated++;
    if (bytes >= batchBytes) await flush();
  }
  await flush();
  for (const layer of layers) {
    for (const name of layer) {
      try {
        await unlink(join(index.dir, name));
        result.deleted.push(name);
      } catch (err) {
        if (errorCode(err) !== 'ENOENT') throw err;
      }
    }
    // The next layer's state may only go once these records are gone for good.
    await fsyncDirectory(index.dir);
  }
  await index.refresh();
  return result;
}
