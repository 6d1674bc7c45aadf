// The mailertable and the TLS policy map as text: keys, sendmail's lookup order, errors with lines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMailertable, parseTlsPolicyMap } from '../../../src/outbound/route/maps.js';

const TABLE = `# mailertable
example.com        esmtp:[mail.example.com]
.example.com       smtp:relay.example.com:2525
gone.example       error:5.1.2:550 This domain is gone
Local.Example.     local:postmaster
.                  relay:[smarthost.example.net]
`;

test('lookup order: the domain itself, then .parent keys from the nearest, then the . default', () => {
  const p = parseMailertable(TABLE, '/etc/mail/mailertable');
  assert.equal(p.errors, 0);
  assert.deepEqual(p.diagnostics, []);
  assert.equal(p.map.size, 5);
  assert.equal(p.map.lookup('example.com')?.key, 'example.com');
  assert.equal(p.map.lookup('EXAMPLE.COM.')?.key, 'example.com');
  assert.equal(p.map.lookup('a.b.example.com')?.key, '.example.com');
  assert.deepEqual(p.map.lookup('local.example')?.value, { kind: 'local', user: 'postmaster' });
  assert.equal(p.map.lookup('elsewhere.org')?.key, '.');
  assert.equal(p.map.lookup('notexample.com')?.key, '.');
});

test('without a . entry an unknown domain has no entry', () => {
  const p = parseMailertable('.example.com esmtp:[x.example.com]\n', 'mt');
  assert.equal(p.map.lookup('example.com'), undefined, '.example.com does not match example.com itself');
  assert.equal(p.map.lookup('other.org'), undefined);
});

test('bad lines are errors with file and line; a duplicate key is a warning and the first wins', () => {
  const p = parseMailertable('a.example esmtp:[x.example]\nb.example\nc.example uucp:x!y\nbad/key esmtp:x.example\na.example esmtp:[y.example]\n', 'mt');
  assert.equal(p.errors, 3);
  assert.deepEqual(
    p.diagnostics.map((d) => [d.severity, d.line]),
    [
      ['error', 2],
      ['error', 3],
      ['error', 4],
      ['warning', 5],
    ],
  );
  assert.deepEqual(p.map.lookup('a.example')?.value, { kind: 'relay', mailer: 'esmtp', targets: [{ host: 'x.example', literal: true }] });
});

test('TLS policy words', () => {
  const p = parseTlsPolicyMap('bank.example verify\n.partner.example secure\nlegacy.example none\n. may\nodd.example sometimes\n', 'tls');
  assert.equal(p.errors, 1);
  assert.match(p.diagnostics[0]!.message, /unknown TLS policy "sometimes"/);
  assert.equal(p.map.lookup('bank.example')?.value, 'verify');
  assert.equal(p.map.lookup('mx.partner.example')?.value, 'verify');
  assert.equal(p.map.lookup('legacy.example')?.value, 'none');
  assert.equal(p.map.lookup('other.example')?.value, 'opportunistic');
});
