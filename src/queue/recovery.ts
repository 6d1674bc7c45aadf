// Start-up recovery of one writer's segments (queue-and-bounces.md §2.3, for a log). Runs before the
// writer appends anything, while it holds its writer lock, so nobody else writes these files.
//
// - A segment file that is not a regular file of ours with mode 0600 or stricter, or whose format is
//   unknown, is renamed to <name>.lost as a whole: SECURITY ALERT.
// - A segment whose valid records end in an incomplete or damaged tail with nothing valid after it
//   (a crash during a write) is cut back to its last valid record: a notice.
// - Damage followed by valid records is not a crash: the rest of the segment from the damage on is
//   copied to <name>.<offset>.lost and cut off: SECURITY ALERT. It is never processed automatically.
// - A record with a good checksum that does not decode is reported (SECURITY ALERT) and left in
//   place; readers list it as lost and never deliver it.
// - Segments left without records are removed.

import { constants } from 'node:fs';
import { open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeEnvelope } from './envelope.js';
import { errorCode, errorMessage } from './errors.js';
import type { SpoolEvent } from './events.js';
import { queueIdTime } from './queue-id.js';
import { isSegmentHeader, RecordType, RECORD_VERSION } from './record.js';
import { findNextRecord, SegmentScanner, type ScannedRecord } from './segment-scan.js';
import { lostSegmentName, lostTailName, parseLostName, parseSegmentName } from './segment-name.js';
import { checkStateUpdate } from './state.js';
import { effectiveUid, unsafeFileProblem } from './file-safety.js';
import { fsyncDirectory } from './directory.js';

export interface RecoveryResult {
  /** Sequence number for the writer's next segment (above every existing or lost one). */
  nextSeq: number;
  /** Newest time found in the writer's records: new queue ids must start above it. */
  newestTime: number;
  /** Whether directory entries were renamed or removed (the caller fsyncs the directory). */
  changedEntries: boolean;
}

interface Context {
  dir: string;
  writer: string;
  fileMode: number;
  emit: (e: SpoolEvent) => void;
  newestTime: number;
  changedEntries: boolean;
}

export async function recoverWriter(
  dir: string,
  writer: string,
  fileMode: number,
  emit: (e: SpoolEvent) => void,
): Promise<RecoveryResult> {
  const names = (await readdir(dir)).sort();
  let maxSeq = 0;
  const own: string[] = [];
  for (const n of names) {
    const seg = parseSegmentName(n) ?? parseLostName(n);
    if (seg === null || seg.writer !== writer) continue;
    maxSeq = Math.max(maxSeq, seg.seq);
    if (parseSegmentName(n) !== null) own.push(n);
  }
  const ctx: Context = { dir, writer, fileMode, emit, newestTime: 0, changedEntries: false };
  for (const name of own) await recoverSegment(ctx, name);
  return { nextSeq: maxSeq + 1, newestTime: ctx.newestTime, changedEntries: ctx.changedEntries };
}

async function setAsideWhole(ctx: Context, name: string, why: string): Promise<void> {
  await rename(join(ctx.dir, name), join(ctx.dir, lostSegmentName(name)));
  ctx.changedEntries = true;
  ctx.emit({
    kind: 'bogus-segment',
    level: 'alert',
    file: name,
    message: `SECURITY ALERT: bogus queue file ${name}, ${why}; set aside as ${lostSegmentName(name)}`,
  });
}

async function recoverSegment(ctx: Context, name: string): Promise<void> {
  const path = join(ctx.dir, name);
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDWR | constants.O_NOFOLLOW);
  } catch (err) {
    if (errorCode(err) === 'ELOOP') return setAsideWhole(ctx, name, 'is a symbolic link');
    throw err;
  }
  let keep = true;
  try {
    const st = await fh.stat();
    const unsafe = unsafeFileProblem(st, effectiveUid());
    if (unsafe !== null) {
      keep = false;
      await fh.close();
      return await setAsideWhole(ctx, name, unsafe);
    }
    const scanner = new SegmentScanner(fh, st.size);
    let records = 0;
    let first = true;
    for await (const rec of scanner.records()) {
      if (first) {
        first = false;
        const problem = segmentHeaderProblem(rec, ctx.writer);
        if (problem !== null) {
          keep = false;
          await fh.close();
          return await setAsideWhole(ctx, name, problem);
        }
        continue;
      }
      records++;
      checkRecord(ctx, name, rec);
    }
    const end = scanner.end;
    if (end.problem !== undefined) {
      const next = end.problem === 'incomplete' ? null : await findNextRecord(fh, end.validEnd, end.size);
      if (next === null) {
        ctx.emit({
          kind: 'torn-tail',
          level: 'notice',
          file: name,
          message: `queue file ${name}: incomplete record at offset ${end.validEnd} (${end.problem}), ` +
            `${end.size - end.validEnd} bytes cut off`,
        });
      } else {
        const lost = lostTailName(name, end.validEnd);
        await copyTail(fh, end.validEnd, end.size, join(ctx.dir, lost), ctx.fileMode);
        // The copy must be durable before the original bytes are cut off.
        await fsyncDirectory(ctx.dir);
        ctx.emit({
          kind: 'bogus-segment',
          level: 'alert',
          file: name,
          message: `SECURITY ALERT: bogus queue file ${name}, damaged record at offset ${end.validEnd} ` +
            `(${end.problem}); ${end.size - end.validEnd} bytes set aside as ${lost}`,
        });
      }
      await fh.truncate(end.validEnd);
      await fh.datasync();
    }
    if (records === 0) {
      keep = false;
      await fh.close();
      await unlink(path);
      ctx.changedEntries = true;
      ctx.emit({ kind: 'empty-segment', level: 'info', file: name, message: `queue file ${name}: no records, removed` });
    }
  } finally {
    if (keep) await fh.close();
  }
}

function segmentHeaderProblem(rec: ScannedRecord, writer: string): string | null {
  if (rec.header.type !== RecordType.Segment || rec.header.version !== RECORD_VERSION) {
    return 'does not start with a segment header of a known version';
  }
  let head: unknown;
  try {
    head = JSON.parse(rec.payload.toString('utf8'));
  } catch {
    return 'segment header is not valid JSON';
  }
  if (!isSegmentHeader(head)) return 'unknown segment format';
  if (head.writer !== writer) return `segment header names writer ${head.writer}`;
  return null;
}

function checkRecord(ctx: Context, name: string, rec: ScannedRecord): void {
  const bogus = (why: string): void =>
    ctx.emit({
      kind: 'bogus-record',
      level: 'alert',
      file: name,
      message: `SECURITY ALERT: bogus queue file ${name}, record at offset ${rec.offset}: ${why}; it will not be processed`,
    });
  if (rec.header.version !== RECORD_VERSION || (rec.header.type !== RecordType.Message && rec.header.type !== RecordType.State)) {
    ctx.emit({
      kind: 'unknown-record',
      level: 'warning',
      file: name,
      message: `queue file ${name}: record of unknown type ${rec.header.type} version ${rec.header.version} at offset ${rec.offset} skipped`,
    });
    return;
  }
  try {
    if (rec.header.type === RecordType.Message) {
      const env = decodeEnvelope(rec.payload);
      if (env.size !== rec.dataSize) throw new Error(`size ${env.size} does not match the ${rec.dataSize} octets stored`);
      ctx.newestTime = Math.max(ctx.newestTime, queueIdTime(env.id), env.created);
    } else {
      const u = checkStateUpdate(JSON.parse(rec.payload.toString('utf8')));
      ctx.newestTime = Math.max(ctx.newestTime, u.at);
    }
  } catch (err) {
    bogus(errorMessage(err));
  }
}

async function copyTail(fh: FileHandle, from: number, to: number, path: string, mode: number): Promise<void> {
  const out = await open(path, 'w', mode);
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let pos = from; pos < to; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, to - pos), pos);
      if (bytesRead === 0) break;
      await out.write(buf, 0, bytesRead);
      pos += bytesRead;
    }
    await out.datasync();
  } finally {
    await out.close();
  }
}
