// kill -9 of the daemon while deliveries are in flight: after a restart on the same spool every
// message reaches every recipient, and the only repeats are deliveries that were in flight at the
// kill. "In flight" is measured, not assumed: once the killed daemon's agents have finished what they
// had (they are separate processes), a delivery that is in the mailbox or the program's output but
// not recorded as delivered in the spool was in flight; only those may be made again. (Mailbox jobs are
// batched, so their number is not bounded by MaxRunnersPerQueue.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SpoolReader } from '../../src/queue/index.js';
import { Site } from './delivery-fixture.js';

const MESSAGES = 30;
const PARALLEL = 4;

function count(texts: string[], subject: string): number {
  let n = 0;
  for (const t of texts) for (let i = t.indexOf(`\nSubject: ${subject}\n`); i !== -1; i = t.indexOf(`\nSubject: ${subject}\n`, i + 1)) n++;
  return n;
}

for (const format of ['mbox', 'maildir'] as const) {
  test(`${format}: kill -9 during deliveries loses nothing and repeats only what was in flight`, async (t) => {
    const site = await Site.create(t, { format, aliases: [], conf: [`MaxRunnersPerQueue = ${PARALLEL}`] });
    // A program that takes a moment, so that the kill finds deliveries in flight.
    await writeFile(join(site.smrsh, 'slowrec'), `#!/bin/sh\nsleep 0.1\ncat >> ${site.out}/slow.txt\n`, { mode: 0o755 });
    await writeFile(join(site.dir, 'aliases'), `slow: "|slowrec"\n`, { flag: 'a' });
    const slow = join(site.out, 'slow.txt');
    const subjects = Array.from({ length: MESSAGES }, (_, i) => `k9-${format}-${i}`);

    const d1 = await site.start();
    const qids = new Map<string, string>();
    for (const s of subjects) qids.set(s, await site.send(d1, 'alice@client.example', [site.address(site.bob), site.address('slow')], s));
    // Kill once a few messages are through and others are under way.
    await site.waitForFile(slow, (text) => subjects.filter((s) => count([text], s) > 0).length >= 6, 20_000);
    assert.deepEqual(await d1.kill9(), { code: null, signal: 'SIGKILL' });
    // The agents outlive the daemon just long enough to finish the job they hold.
    await new Promise((r) => setTimeout(r, 1500));
    const before = { mailbox: await site.mailbox(site.bob), slow: await site.file(slow) };
    const sentBefore = subjects.filter((s) => count(before.mailbox, s) > 0 && count([before.slow], s) > 0).length;
    assert.ok(sentBefore < MESSAGES, 'the kill came before the end');
    const reader = new SpoolReader(join(site.dir, 'spool'));
    const unrecorded = new Map<string, number>();
    for (const s of subjects) {
      const m = await reader.get(qids.get(s)!);
      const recorded = m === undefined ? 2 : [...m.state.deliveries.values()].filter((x) => x.status === 'delivered').length;
      const present = (count(before.mailbox, s) > 0 ? 1 : 0) + (count([before.slow], s) > 0 ? 1 : 0);
      assert.ok(present >= recorded, `${s}: ${recorded} deliveries recorded but only ${present} made`);
      unrecorded.set(s, present - recorded);
    }
    const inFlight = [...unrecorded.values()].reduce((a, b) => a + b, 0);

    const d2 = await site.start();
    await site.waitForMail(site.bob, (m) => subjects.every((s) => count(m, s) >= 1), 20_000, 'every message in the mailbox');
    await site.waitForFile(slow, (text) => subjects.every((s) => count([text], s) >= 1), 20_000);
    await site.waitForQueue((q) => q.length === 0);
    const mailbox = await site.mailbox(site.bob);
    const program = await site.file(slow);
    let repeats = 0;
    for (const s of subjects) {
      const r = count(mailbox, s) - 1 + (count([program], s) - 1);
      assert.ok(r <= unrecorded.get(s)!, `${s}: ${r} deliveries repeated, ${unrecorded.get(s)} were in flight`);
      repeats += r;
    }
    // Nothing half-written: every mailbox entry is a whole message.
    for (const m of mailbox) assert.match(m, /Subject: k9-[a-z]+-\d+\n[\s\S]*\nHello\.\n/);
    t.diagnostic(`${sentBefore} of ${MESSAGES} fully delivered before the kill; ${inFlight} in flight; ${repeats} repeated`);
    // The restarted daemon took over the locks the killed one left.
    assert.ok(d2.logs.some((l) => l.event === 'stale-lock'));
  });
}
