// smtp-session.md §3.1 (line discipline) and §8.2 (end of data): every bare-LF/bare-CR and smuggling
// variant the spec lists, on the wire. Each violation closes with the right 421 and queues nothing; the
// near-misses of the end marker are message text; the real marker ends the message exactly once however
// it is split across TCP segments.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../helpers/raw-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { envelope, expectClose, greeted, pause, qidOf, queuedWith, r, talk } from './conformance.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

/** What a smuggler appends behind a fake end marker: a whole second transaction. */
const smuggle = (tag: string): string =>
  `MAIL FROM:<evil@attacker.example>\r\nRCPT TO:<bob@mx.example.com>\r\nDATA\r\nsmuggled-${tag}\r\n.\r\n`;
const SMUGGLED = smuggle('x');

/** A session inside DATA (354 received), segments sent one by one (so each is its own TCP write). */
async function inData(): Promise<RawClient> {
  const c = await greeted(srv);
  c.sock.setNoDelay(true);
  await envelope(c, '<alice@example.org>', ['<bob@mx.example.com>']);
  assert.equal(await c.cmd('DATA'), r('startData'));
  return c;
}

async function sendSegments(c: RawClient, segments: readonly string[]): Promise<void> {
  for (const [i, s] of segments.entries()) {
    if (i > 0) await pause(30);
    c.send(s);
  }
}

test('§3.1 [Postern] bare LF or bare CR in a command line: 421 and close', async () => {
  const cases: Array<[string[], string]> = [
    [['NOOP\n'], r('bareLF')],
    [['\n'], r('bareLF')],
    [['EHLO client.example\n'], r('bareLF')],
    [['MAIL FROM:<a@b.example>\nRCPT TO:<c@b.example>\r\n'], r('bareLF')],
    [['NOOP\rQUIT\r\n'], r('bareCR')],
    // The CR ends one segment; only the next one shows that no LF follows it.
    [['NOOP\r', 'QUIT\r\n'], r('bareCR')],
    [['NOOP', '\n'], r('bareLF')],
  ];
  await Promise.all(
    cases.map(async ([segments, want]) => {
      const c = await srv.session();
      c.sock.setNoDelay(true);
      await sendSegments(c, segments);
      await expectClose(c, want);
    }),
  );
});

test('§3.1 [Postern] a NUL in a command line: 500 with the line sanitised, the session goes on', async () => {
  const c = await greeted(srv);
  await talk(c, [
    ['NOOP\0QUIT', r('unrecognized', { line: 'NOOP?QUIT' })],
    ['MAIL FROM:<a@b.example>\0<c@d.example>', r('unrecognized', { line: 'MAIL FROM:<a@b.example>?<c@d.example>' })],
    ['NOOP', r('ok')],
    ['MAIL FROM:<a@b.example>', r('senderOk', undefined, '<a@b.example>')],
  ]);
  c.close();
});

test('§3.1/§8.2 bare LF and bare CR in message text: 421, close, nothing queued', async () => {
  // [marker, what follows "Subject: <marker>" CR LF, expected reply]
  const variants: Array<[string, string, string]> = [
    ['lf-dot-lf', `\r\nbody\n.\n${smuggle('v')}`, r('bareLF')],
    ['lf-dot-crlf', `\r\nbody\n.\r\n${smuggle('v')}`, r('bareLF')],
    ['crlf-dot-lf', `\r\nbody\r\n.\n${smuggle('v')}`, r('bareLF')],
    ['cr-dot-cr', `\r\nbody\r.\r${smuggle('v')}`, r('bareCR')],
    ['lf-lf-dot-crlf', `\r\nbody\n\n.\r\n${smuggle('v')}`, r('bareLF')],
    ['lf-in-header', `X-Long: a\nb\r\n\r\nbody\r\n.\r\n`, r('bareLF')],
    ['cr-in-body', `\r\nbody\rmore\r\n.\r\n`, r('bareCR')],
  ];
  await Promise.all(
    variants.map(async ([marker, rest, want]) => {
      const c = await inData();
      c.send(`Subject: ${marker}\r\n${rest}`);
      await expectClose(c, want);
    }),
  );
  // A client that ends every line with LF alone is stopped at its first line of text.
  const lfOnly = await inData();
  lfOnly.send('Subject: lf-only\n\nbody\n.\n');
  await expectClose(lfOnly, r('bareLF'));
  for (const marker of ['lf-dot-lf', 'lf-dot-crlf', 'crlf-dot-lf', 'cr-dot-cr', 'lf-lf-dot-crlf', 'lf-in-header', 'cr-in-body', 'lf-only', 'smuggled-v']) {
    assert.deepEqual(await queuedWith(srv, marker), [], `nothing queued for ${marker}`);
  }
});

test('§8.2 CR LF NUL . CR LF and CR LF . NUL CR LF are not end markers (RejectNUL: 554 at the real end)', async () => {
  const variants = ['\r\n\0.\r\n', '\r\n.\0\r\n'];
  await Promise.all(
    variants.map(async (fake, i) => {
      const c = await inData();
      // The smuggled transaction's own final dot is the real end of this message.
      c.send(`Subject: nul-marker-${i}\r\n\r\nbody${fake}${SMUGGLED}`);
      // One reply for the whole text, smuggled commands included; the session goes on.
      assert.equal(await c.text(), r('nulByte'));
      assert.equal(await c.cmd('NOOP'), r('ok'));
      c.close();
    }),
  );
  assert.deepEqual(await queuedWith(srv, 'nul-marker-'), []);
});

test('§8.2 CR LF . SP CR LF is not an end marker: one 250 at the real end, the rest is text', async () => {
  const c = await inData();
  c.send(`Subject: dot-space\r\n\r\nbody\r\n. \r\n${SMUGGLED}`);
  const id = qidOf(await c.text());
  assert.equal(await c.cmd('NOOP'), r('ok'));
  c.close();
  assert.deepEqual(await queuedWith(srv, 'dot-space'), [id]);
  const text = await srv.data(id);
  // `. ` is unstuffed to ` `; the smuggled commands are message text, and their final dot is the real end.
  assert.ok(text.endsWith(`\r\nSubject: dot-space\r\n\r\nbody\r\n \r\n${SMUGGLED.slice(0, -3)}`), JSON.stringify(text));
});

test('§8.2 the end marker split across segments at any position ends the message exactly once', async () => {
  const splits: string[][] = [
    ['body\r', '\n.\r\n'],
    ['body\r\n', '.\r\n'],
    ['body\r\n.', '\r\n'],
    ['body\r\n.\r', '\n'],
    ['body', '\r', '\n', '.', '\r', '\n'],
    ['body\r\n..', 'x\r\n.', '\r\n'],
  ];
  const ids = await Promise.all(
    splits.map(async (segments, i) => {
      const c = await inData();
      c.send(`Subject: split-${i}\r\n\r\n`);
      await sendSegments(c, segments);
      const id = qidOf(await c.text());
      // Exactly once: the next reply is the NOOP's.
      assert.equal(await c.cmd('NOOP'), r('ok'));
      c.close();
      return id;
    }),
  );
  for (const [i, id] of ids.entries()) {
    const text = await srv.data(id);
    const body = i === 5 ? 'body\r\n.x\r\n' : 'body\r\n';
    assert.ok(text.endsWith(`Subject: split-${i}\r\n\r\n${body}`), `split ${i}: ${JSON.stringify(text)}`);
  }
});

test('§8.2 the first CR LF of the marker may be the one that ended DATA (empty message)', async () => {
  const whole = await inData();
  whole.send('.\r\n');
  qidOf(await whole.text());
  const split = await inData();
  await sendSegments(split, ['.', '\r', '\n']);
  qidOf(await split.text());
  assert.equal(await split.cmd('NOOP'), r('ok'));
  whole.close();
  split.close();
});

test('§8.2 a message fed one octet per segment, stuffed dots included, is read exactly', async () => {
  const c = await inData();
  const text = 'Subject: trickle\r\n\r\n..a\r\n.\r\n';
  for (const ch of text) {
    c.send(ch);
    await pause(3);
  }
  const id = qidOf(await c.text());
  assert.ok((await srv.data(id)).endsWith('Subject: trickle\r\n\r\n.a\r\n'));
  c.close();
});

test('§8.2 with RejectNUL=False a NUL is text: CR LF NUL . CR LF does not end the message', async () => {
  const lax = await startTestServer({ conf: ['RejectNUL = False'] });
  try {
    const c = await lax.session();
    assert.match(await c.cmd('EHLO client.example'), /^250-/);
    await envelope(c, '<alice@example.org>', ['<bob@mx.example.com>']);
    assert.equal(await c.cmd('DATA'), r('startData'));
    c.send(`Subject: nul-text\r\n\r\nbody\r\n\0.\r\n${SMUGGLED}`);
    const id = qidOf(await c.text());
    assert.equal(await c.cmd('NOOP'), r('ok'));
    c.close();
    assert.ok((await lax.data(id)).includes('body\r\n\0.\r\nMAIL FROM:<evil@attacker.example>'));
  } finally {
    await lax.close();
  }
});

test('§3.1 StrictCRLF=False: a bare LF or CR becomes a space and is never a line end', async () => {
  const lax = await startTestServer({ conf: ['StrictCRLF = False'] });
  try {
    const c = await lax.session();
    c.sock.setNoDelay(true);
    // One command each: NOOP with an argument.
    assert.equal(await c.cmd('NOOP\nQUIT'), r('ok'));
    assert.equal(await c.cmd('NOOP\rQUIT'), r('ok'));
    assert.match(await c.cmd('EHLO client.example'), /^250-/);
    await envelope(c, '<alice@example.org>', ['<bob@mx.example.com>']);
    assert.equal(await c.cmd('DATA'), r('startData'));
    c.send('Subject: relaxed\r\n\r\nbody\n.\nMAIL FROM:<evil@attacker.example>\r\nx\r.\r');
    await pause(30);
    c.send('\r\n.\r\n');
    const id = qidOf(await c.text());
    assert.equal(await c.cmd('NOOP'), r('ok'));
    c.close();
    assert.ok((await lax.data(id)).endsWith('Subject: relaxed\r\n\r\nbody . MAIL FROM:<evil@attacker.example>\r\nx . \r\n'));
  } finally {
    await lax.close();
  }
});
