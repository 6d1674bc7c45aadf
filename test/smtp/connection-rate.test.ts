import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.js';

// sendmail's ConnectionRateThrottle: no more than N connections are greeted per second; the rest wait
// for a later second instead of being refused.

test('ConnectionRateThrottle spreads a burst of connections over seconds', async () => {
  const srv = await startTestServer({ conf: ['ConnectionRateThrottle = 2'] });
  try {
    const start = Date.now();
    const greeted = await Promise.all(
      [0, 1, 2, 3, 4].map(async () => {
        const c = await srv.connect();
        const g = await c.reply(5000);
        const at = Date.now() - start;
        c.close();
        return { code: g.code, at };
      }),
    );
    assert.deepEqual(greeted.map((g) => g.code), [220, 220, 220, 220, 220]);
    const times = greeted.map((g) => g.at).sort((a, b) => a - b);
    // Five connections at two per second: the fifth is greeted about two seconds after the first.
    assert.ok(times[4]! - times[0]! >= 1500, `greeting times ${times.join(', ')} ms`);
  } finally {
    await srv.close();
  }
});
