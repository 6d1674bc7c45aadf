// smtp-session.md §3.5: Timeout.command and Timeout.datablock. On expiry 421 4.4.2 and close; a message
// being received is discarded.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { envelope, expectClose, greeted, pause, queuedWith, r, timed } from './conformance.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ conf: ['Timeout.command = 1s', 'Timeout.datablock = 1s'] });
});
after(async () => {
  await srv.close();
});

// Each case waits for a timeout: they run side by side.
describe('§3.5 timeouts', { concurrency: true }, () => {
  test('§3.5 Timeout.command: an idle client, or one that stops mid-line, gets 421 4.4.2 and is closed', async () => {
    const idle = async (): Promise<number> => {
      const c = await srv.session();
      return (await timed(() => expectClose(c, r('timeout')))).ms;
    };
    const midLine = async (): Promise<number> => {
      const c = await greeted(srv);
      c.send('MAIL FROM:<a@exa');
      return (await timed(() => expectClose(c, r('timeout')))).ms;
    };
    const [a, b] = await Promise.all([idle(), midLine()]);
    assert.equal(r('timeout'), '421 4.4.2 mx.example.com Timeout waiting for input; closing connection');
    for (const ms of [a, b]) assert.ok(ms >= 900, `timed out after ${ms} ms`);
  });

  test('§3.5 activity restarts the clock', async () => {
    const c = await srv.session();
    for (let i = 0; i < 3; i++) {
      await pause(500);
      assert.equal(await c.cmd('NOOP'), r('ok'));
    }
    await expectClose(c, r('timeout'));
  });

  test('§3.5 Timeout.datablock: a client that stalls inside DATA gets 421 4.4.2; the message is not queued', async () => {
    const c = await greeted(srv);
    await envelope(c, '<a@example.org>', ['<bob@mx.example.com>']);
    assert.equal(await c.cmd('DATA'), r('startData'));
    c.send('Subject: stalled\r\n\r\nhalf a mess');
    await expectClose(c, r('timeout'));
    assert.deepEqual(await queuedWith(srv, 'stalled'), []);
    assert.ok(srv.logs.some((l) => l.event === 'timeout' && l.inData === true), 'the timeout in DATA is logged');
  });

  test('§3.5 a client that disconnects mid-message: logged as lost input channel, nothing queued', async () => {
    const c = await greeted(srv);
    await envelope(c, '<a@example.org>', ['<bob@mx.example.com>']);
    assert.equal(await c.cmd('DATA'), r('startData'));
    c.send('Subject: vanished\r\n\r\nhalf');
    await pause(50);
    c.close();
    for (let i = 0; i < 50 && !srv.logs.some((l) => l.event === 'lost-input'); i++) await pause(10);
    const line = srv.logs.find((l) => l.event === 'lost-input');
    assert.equal(line?.msg, r('lostInput'));
    assert.equal(line?.inData, true);
    assert.deepEqual(await queuedWith(srv, 'vanished'), []);
  });
});
