import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpoolReader } from '../../src/queue/reader.js';
import { Spool, type SpoolEvent } from '../../src/queue/spool.js';
import { listAll, messageData, segmentReport, sizeFor, tempDir } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/commit-child.js', import.meta.url));

/** Runs the committing child until it has acknowledged something, waits `ms` more, kills it with SIGKILL. */
function runAndKill(dir: string, ms: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, dir, 'w0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let armed = false;
    p.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (!armed) {
        armed = true;
        setTimeout(() => p.kill('SIGKILL'), ms);
      }
    });
    p.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`child ended with ${code ?? signal}: ${err}`));
      // Only complete lines count: each was printed after its commit resolved.
      resolve(out.split('\n').slice(0, -1));
    });
  });
}

test('after kill -9 at random moments every acknowledged message is complete, before and after recovery', async (t) => {
  const dir = join(await tempDir(t), 'q');
  const acknowledged = new Set<string>();
  for (let round = 0; round < 10; round++) {
    const printed = await runAndKill(dir, Math.floor(Math.random() * 100));
    assert.ok(printed.length > 0);
    for (const id of printed) acknowledged.add(id);

    // Another process (this one) reads the queue as the crash left it.
    const reader = new SpoolReader(dir);
    const listed = new Set((await listAll(dir)).map((m) => m.envelope.id));
    for (const id of printed) assert.ok(listed.has(id), `round ${round}: acknowledged ${id} not listed`);
    // Listing checked every record's checksum; the data is compared byte for byte for the last
    // messages acknowledged before the kill (the ones a crash could have hurt) and a random sample.
    const sample = [...printed.slice(-25), ...Array.from({ length: 25 }, () => printed[Math.floor(Math.random() * printed.length)] as string)];
    for (const id of sample) {
      assert.deepEqual(await reader.readData(id), messageData(id, sizeFor(id)), `round ${round}: ${id} damaged`);
    }

    // Recovery at the next open: no alert, only the notices a crash explains.
    const events: SpoolEvent[] = [];
    const spool = await Spool.open({ dir, writerId: 'w0', onEvent: (e) => events.push(e) });
    await spool.close();
    for (const e of events) assert.ok(['torn-tail', 'stale-lock', 'empty-segment'].includes(e.kind), `round ${round}: ${e.message}`);
    for (const s of await segmentReport(dir)) assert.equal(s.validEnd, s.size, `round ${round}: ${s.name} not clean`);

    const after = await listAll(dir);
    const afterIds = new Set(after.map((m) => m.envelope.id));
    for (const id of acknowledged) assert.ok(afterIds.has(id), `round ${round}: ${id} lost by recovery`);
    // Whatever is listed, acknowledged or not, is complete.
    for (const m of after) assert.equal(m.dataSize, sizeFor(m.envelope.id));
  }
  t.diagnostic(`${acknowledged.size} acknowledged messages over 10 kills`);
});
