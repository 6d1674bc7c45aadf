// The benchmark's generated map, at a tenth of its size: it must load cleanly and every sample the
// benchmark times as a hit must be found. (The million-entry run is `npm run bench`: building it here
// would take several seconds on the 2-core machine.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAccessMap } from '../../bench/access-bench.js';
import { AccessMapSource } from '../../src/maps/access-source.js';

test('100,000 generated entries load without a diagnostic and every sample is found', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-access-scale-'));
  try {
    const path = join(dir, 'access');
    const { text, samples } = generateAccessMap(100_000);
    await writeFile(path, text);
    const r = await AccessMapSource.open({ spec: { path, optional: false, flags: [] } });
    assert.ok(r.ok, JSON.stringify(r.ok ? [] : r.diagnostics.slice(0, 3)));
    assert.deepEqual(r.diagnostics, []);
    const m = r.source;
    assert.equal(m.table.size, 100_000);
    assert.equal(m.table.stats.untagged, 5_000);
    const all = [
      ...samples.hostHits.map((h) => m.lookupDomain('Connect', h)),
      ...samples.senderDomainHits.map((d) => m.lookupDomain('From', d)),
      ...samples.ipv4Hits.map((a) => m.lookupAddress('Connect', a)),
      ...samples.ipv6Hits.map((a) => m.lookupAddress('Connect', a)),
      ...samples.senderHits.map((a) => m.lookupFull('From', a)),
      ...samples.userHits.map((u) => m.lookupUser('To', u)),
    ];
    assert.ok(all.length > 50_000);
    // Every sample matches a key: found, or a SKIP entry that ends the search.
    const unmatched = all.filter((x) => x.status !== 'found' && !(x.status === 'not-found' && x.skip !== undefined));
    assert.deepEqual(unmatched, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
