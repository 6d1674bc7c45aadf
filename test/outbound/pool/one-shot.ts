// A one-shot program for pool.test.ts: delivers one message through a pool and never closes it. The
// idle connection left in the pool must not keep the process alive.

import { deliver } from '../../../src/outbound/client/index.js';
import { createOutboundPool } from '../../../src/outbound/pool/index.js';
import { hop, message, SIMPLE_BODY, testOptions } from '../options.js';

const port = Number(process.argv[2]);
const pool = createOutboundPool({ maxConnections: 10, maxPerDestination: 5, cacheSize: 8, idleMs: 60_000, hostStatusMs: 0, quitMs: 1000 });
const r = await deliver([hop(port)], message(SIMPLE_BODY, ['a@dest.test']), testOptions({ pool }));
process.stdout.write(`${r.outcomes[0]!.status} idle=${pool.stats().idle}\n`);
