// Shared by the queue tests: temporary queue directories, sample envelopes and message data whose
// content follows from the queue id, so a test can check any listed message byte for byte.

import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Envelope } from '../../src/queue/envelope.js';
import { SpoolReader, type QueuedMessage } from '../../src/queue/reader.js';
import { SegmentScanner } from '../../src/queue/segment-scan.js';
import { sortedSegments } from '../../src/queue/segment-name.js';

/** A fresh directory under the system temp dir, removed after the test. */
export async function tempDir(t: TestContext): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'postern-queue-'));
  t.after(() => rm(d, { recursive: true, force: true }));
  return d;
}

/** Deterministic message data for an id: a header line naming it, then bytes of every value. */
export function messageData(id: string, size: number): Buffer {
  const b = Buffer.alloc(size);
  const head = Buffer.from(`Subject: ${id}\r\n\r\n`);
  head.copy(b, 0, 0, Math.min(head.length, size));
  let x = 0;
  for (const ch of id) x = (x * 31 + ch.charCodeAt(0)) >>> 0;
  for (let i = head.length; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

export function sampleEnvelope(id: string, size: number, extra: Partial<Envelope> = {}): Envelope {
  return {
    version: 1,
    id,
    created: Date.now(),
    sender: 'alice@example.com',
    size,
    eightBit: false,
    protocol: 'ESMTP',
    helo: 'client.example.com',
    client: 'client.example.com [192.0.2.1]',
    clientAddr: '192.0.2.1',
    recipients: [{ address: 'bob@example.net', primary: true }],
    ...extra,
  };
}

export async function listAll(dir: string): Promise<QueuedMessage[]> {
  const out: QueuedMessage[] = [];
  for await (const m of new SpoolReader(dir).list()) out.push(m);
  return out;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Every segment file of a directory with how far its valid records reach (clean: validEnd = size). */
export async function segmentReport(dir: string): Promise<{ name: string; size: number; validEnd: number; problem?: string }[]> {
  const out = [];
  for (const name of sortedSegments(await readdir(dir))) {
    const fh = await open(join(dir, name), 'r');
    try {
      const size = (await fh.stat()).size;
      const scanner = new SegmentScanner(fh, size);
      for await (const rec of scanner.records()) void rec;
      out.push({ name, size, validEnd: scanner.end.validEnd, ...(scanner.end.problem ? { problem: scanner.end.problem } : {}) });
    } finally {
      await fh.close();
    }
  }
  return out;
}

export async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

/** A message size that follows from the id (100..12099 octets), so a child and its parent agree. */
export function sizeFor(id: string): number {
  let x = 7;
  for (const ch of id) x = (x * 131 + ch.charCodeAt(0)) % 1_000_003;
  return 100 + (x % 12_000);
}
