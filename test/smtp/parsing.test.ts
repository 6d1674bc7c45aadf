// smtp-session.md §3.3 (command parsing: empty lines, spaces, verbs, SEND/SAML/SOML/TURN, unknown verbs
// and probes, the open-proxy trap) and §1 rule 4 (echoed text sanitised and cut).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { expectClose, greeted, r, talk } from './conformance.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

test('§3.3 empty line, line of spaces, leading spaces, case of the verb', async () => {
  const c = await srv.session();
  await talk(c, [
    ['', r('unrecognized', { line: '' })],
    ['   ', r('unrecognized', { line: '   ' })],
    [' NOOP', r('ok')],
    ['   noop', r('ok')],
    ['NoOp extra words', r('ok')],
    ['EHLO    client.example', /^250-/],
    ['mail   from:<a@example.org>', r('senderOk', undefined, '<a@example.org>')],
  ]);
  c.close();
});

test('§3.3 SEND, SAML, SOML, TURN: 502 not implemented, the line echoed', async () => {
  const c = await greeted(srv);
  await talk(c, [
    ['SEND FROM:<a@example.org>', r('notImplemented', { line: 'SEND FROM:<a@example.org>' })],
    ['saml FROM:<a@example.org>', r('notImplemented', { line: 'saml FROM:<a@example.org>' })],
    ['SOML FROM:<a@example.org>', r('notImplemented', { line: 'SOML FROM:<a@example.org>' })],
    ['TURN', r('notImplemented', { line: 'TURN' })],
  ]);
  c.close();
});

test('§3.3 unknown verbs: 500 with the line; SHOWQ, DEBUG, WIZ are logged as probes', async () => {
  const c = await greeted(srv);
  await talk(c, [
    ['WHATEVER', r('unrecognized', { line: 'WHATEVER' })],
    ['XYZZY some args', r('unrecognized', { line: 'XYZZY some args' })],
    ['SHOWQ', r('unrecognized', { line: 'SHOWQ' })],
    ['DEBUG', r('unrecognized', { line: 'DEBUG' })],
    ['WIZ secret', r('unrecognized', { line: 'WIZ secret' })],
    ['NOOPX', r('unrecognized', { line: 'NOOPX' })],
    ['  FOO bar', r('unrecognized', { line: '  FOO bar' })],
  ]);
  c.close();
  const probes = srv.logs.filter((l) => l.event === 'probe').map((l) => l.command);
  for (const p of ['SHOWQ', 'DEBUG', 'WIZ secret']) assert.ok(probes.includes(p), `${p} logged as a probe`);
  assert.ok(srv.logs.filter((l) => l.event === 'probe').every((l) => l.level === 40), 'probes are warnings');
});

test('§1 rule 4: echoed text has every byte outside printable ASCII replaced and is cut to 97 + "..."', async () => {
  const c = await greeted(srv);
  const long = `X${'a'.repeat(149)}`;
  await talk(c, [
    ['WHAT\x01\x7f\xe9\xff', r('unrecognized', { line: 'WHAT????' })],
    [long, r('unrecognized', { line: `${long.slice(0, 97)}...` })],
    [`X${'b'.repeat(99)}`, r('unrecognized', { line: `X${'b'.repeat(99)}` })],
    ['MAIL FR\xe9M:<a@example.org>', r('syntaxScanning', { word: 'FR?M' })],
  ]);
  c.close();
});

test('§3.3 open-proxy trap on the first command: GET/POST/CONNECT/USER followed by white space or line end', async () => {
  const first = ['GET / HTTP/1.1', 'GET', 'post /cgi-bin/x HTTP/1.0', 'CONNECT mx.example.com:25 HTTP/1.0', 'USER anonymous', 'get\t/'];
  await Promise.all(
    first.map(async (line) => {
      const c = await srv.session();
      c.send(`${line}\r\n`);
      await expectClose(c, r('openProxy'));
    }),
  );
});

test('§3.3 the open-proxy words later in the session, or glued to more letters, are unknown commands', async () => {
  const later = await srv.session();
  await talk(later, [
    ['NOOP', r('ok')],
    ['GET / HTTP/1.1', r('unrecognized', { line: 'GET / HTTP/1.1' })],
    ['USER anonymous', r('unrecognized', { line: 'USER anonymous' })],
  ]);
  later.close();
  const glued = await srv.session();
  assert.equal(await glued.cmd('GETX /'), r('unrecognized', { line: 'GETX /' }));
  glued.close();
});
