// Routing's DNS cache: definite answers reused within its time, shared by concurrent questions;
// temporary failures asked again at once; everything asked again once the time is over.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDns, testResolver } from '../../helpers/dns-server.js';
import { CachingResolver } from '../../../src/outbound/route/dns-cache.js';
import { Router } from '../../../src/outbound/route/router.js';

test('answers are reused for the cache time; failures that are temporary are not', async () => {
  const dns = await startTestDns({
    MX: { 'a.test': [{ preference: 10, exchange: 'mx.a.test' }] },
    A: { 'mx.a.test': ['127.0.0.7'] },
    special: { 'MX flaky.test': 'servfail' },
  });
  const resolver = testResolver(dns);
  try {
    let now = 1_000_000;
    const cache = new CachingResolver(resolver, 30_000, () => now);
    const router = new Router({ dns: cache, isOwnName: () => false, j: 'mx.example.com', port: 25 });
    const asked = (): number => dns.queries.length;
    const [r1, r2] = await Promise.all([router.route('x@a.test'), router.route('y@a.test')]);
    assert.equal(r1.kind, 'hops');
    assert.deepEqual(r2, r1);
    const first = asked();
    assert.equal(first, 3, `MX, A and AAAA once for two concurrent routes: ${dns.queries.join(', ')}`);
    await router.route('z@a.test');
    assert.equal(asked(), first, 'within the cache time: no question');
    assert.equal((await router.route('x@flaky.test')).kind, 'temp');
    const afterFlaky = asked();
    await router.route('x@flaky.test');
    assert.ok(asked() > afterFlaky, 'a temporary failure is asked again');
    now += 30_001;
    await router.route('x@a.test');
    assert.ok(dns.queries.slice(afterFlaky).filter((q) => q === 'MX a.test').length === 1, 'asked again after the cache time');
  } finally {
    resolver.cancel();
    await dns.close();
  }
});
