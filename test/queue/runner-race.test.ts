// Three runner processes on one queue at once never deliver the same message twice: each message is
// locked by one of them, and a runner that gets a lock reads the state again before it delivers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RunnerWorld } from './runner-world.js';

const child = fileURLToPath(new URL('./fixtures/runner-child.js', import.meta.url));
const MESSAGES = 40;

test('three runners racing over the same messages: every message delivered exactly once', async (t) => {
  // The world's own runner attempts nothing (DeliveryMode=queue, no queue runs).
  const w = await RunnerWorld.create(t, { conf: ['DeliveryMode = queue'] });
  const ids: string[] = [];
  for (let i = 0; i < MESSAGES; i++) ids.push(await w.submit([w.address(w.bob)], { subject: `race-${i}` }));
  const runs = await Promise.all(
    ['1', '2', '3'].map((n) => promisify(execFile)(process.execPath, [child, join(w.dir, 'postern.conf'), n], { timeout: 60_000 })),
  );
  const results = runs.map((r) => JSON.parse(r.stdout) as { sent: number; locked: number });
  assert.equal(results.reduce((n, r) => n + r.sent, 0), MESSAGES, JSON.stringify(results));
  const mail = await w.mbox(w.bob);
  for (let i = 0; i < MESSAGES; i++) assert.equal(mail.filter((m) => m.includes(`\nSubject: race-${i}\n`)).length, 1, `race-${i}`);
  for (const id of ids) assert.equal((await w.message(id))?.state.done, true);
  t.diagnostic(`deliveries per runner: ${results.map((r) => r.sent).join(', ')}; skipped as locked: ${results.map((r) => r.locked).join(', ')}`);
});
