// The client's and pool's settings from a real configuration file: the op.me timeouts, SoftBounce,
// EightBitMode, TLSFallbacktoClear, HeloName, ClientPortOptions and the pool options.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import type { EffectiveConfig } from '../../../src/config/effective.js';
import { clientSettings, clientSourceAddresses, poolSettings } from '../../../src/outbound/client/index.js';

async function configWith(lines: string[]): Promise<EffectiveConfig> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-client-settings-'));
  try {
    const path = join(dir, 'postern.conf');
    await writeFile(path, `${[`QueueDirectory = ${join(dir, 'spool')}`, ...lines].join('\n')}\n`);
    const loaded = await loadConfig({ path });
    assert.ok(loaded.config !== undefined, JSON.stringify(loaded.diagnostics));
    return loaded.config;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('defaults: op.me client timeouts, pass8, fallback to clear, HeloName $j; pool 100/20, cache 32 for 30s', async () => {
  const cfg = await configWith([]);
  const c = clientSettings(cfg, 'mail.example.org');
  assert.equal(c.heloName, 'mail.example.org');
  assert.deepEqual(c.timeouts, {
    connect: 0,
    initial: 5 * 60_000,
    helo: 5 * 60_000,
    starttls: 60_000,
    mail: 10 * 60_000,
    rcpt: 60 * 60_000,
    datainit: 5 * 60_000,
    datablock: 3 * 60_000,
    datafinal: 60 * 60_000,
    rset: 5 * 60_000,
    quit: 2 * 60_000,
  });
  assert.equal(c.softBounce, false);
  assert.equal(c.eightBitMode, 'pass8');
  assert.equal(c.tlsFallbackToClear, true);
  assert.deepEqual(poolSettings(cfg), { maxConnections: 100, maxPerDestination: 20, cacheSize: 32, idleMs: 30_000, hostStatusMs: 30 * 60_000, quitMs: 2 * 60_000 });
});

test('configured: timeouts, SoftBounce, EightBitMode, HeloName with a macro, ClientPortOptions, the pool options', async () => {
  const cfg = await configWith([
    'Timeout.connect = 30s',
    'Timeout.datafinal = 20m',
    'SoftBounce = True',
    'EightBitMode = strict',
    'TLSFallbacktoClear = False',
    'HeloName = out.$j',
    'ClientPortOptions = Addr=192.0.2.7, Family=inet',
    'ConnectionCacheSize = 4',
    'ConnectionCacheTimeout = 2m',
    'OutboundMaxConnections = 50',
    'OutboundMaxPerDestination = 5',
  ]);
  const c = clientSettings(cfg, 'example.org');
  assert.equal(c.timeouts.connect, 30_000);
  assert.equal(c.timeouts.datafinal, 20 * 60_000);
  assert.equal(c.softBounce, true);
  assert.equal(c.eightBitMode, 'strict');
  assert.equal(c.tlsFallbackToClear, false);
  assert.equal(c.heloName, 'out.example.org');
  assert.equal(c.localAddress, '192.0.2.7');
  const p = poolSettings(cfg);
  assert.deepEqual([p.cacheSize, p.idleMs, p.maxConnections, p.maxPerDestination], [4, 120_000, 50, 5]);
});

test('ClientPortOptions: Addr for its family', () => {
  assert.deepEqual(clientSourceAddresses('Addr=[2001:db8::7], Family=inet6'), { localAddress6: '2001:db8::7' });
  assert.deepEqual(clientSourceAddresses('Family=inet'), {});
  assert.deepEqual(clientSourceAddresses(undefined), {});
});
