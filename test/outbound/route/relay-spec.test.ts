// SMART_HOST and mailertable values: hosts, brackets, ports, host lists, local: and error:.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouteSpec } from '../../../src/outbound/route/relay-spec.js';

function spec(text: string): unknown {
  const r = parseRouteSpec(text);
  return r.ok ? r.spec : `error: ${r.message}`;
}

test('a plain host (MX lookup), a bracketed host (no MX lookup), an address, an IPv6 literal', () => {
  assert.deepEqual(spec('relay.example.net'), { kind: 'relay', mailer: 'relay', targets: [{ host: 'relay.example.net', literal: false }] });
  assert.deepEqual(spec('[Relay.Example.NET.]'), { kind: 'relay', mailer: 'relay', targets: [{ host: 'relay.example.net', literal: true }] });
  assert.deepEqual(spec('[192.0.2.1]'), { kind: 'relay', mailer: 'relay', targets: [{ host: '192.0.2.1', literal: true }] });
  assert.deepEqual(spec('192.0.2.1'), { kind: 'relay', mailer: 'relay', targets: [{ host: '192.0.2.1', literal: true }] });
  assert.deepEqual(spec('[IPv6:2001:db8::25]'), { kind: 'relay', mailer: 'relay', targets: [{ host: '2001:db8::25', literal: true }] });
});

test('mailer names, ports and host lists', () => {
  assert.deepEqual(spec('esmtp:[mail.example.com]'), { kind: 'relay', mailer: 'esmtp', targets: [{ host: 'mail.example.com', literal: true }] });
  assert.deepEqual(spec('smtp:relay.example.com:2525'), { kind: 'relay', mailer: 'smtp', targets: [{ host: 'relay.example.com', literal: false, port: 2525 }] });
  assert.deepEqual(spec('relay.example.com:587'), { kind: 'relay', mailer: 'relay', targets: [{ host: 'relay.example.com', literal: false, port: 587 }] });
  assert.deepEqual(spec('esmtp:[a.example]:[b.example]:2526'), {
    kind: 'relay',
    mailer: 'esmtp',
    targets: [
      { host: 'a.example', literal: true },
      { host: 'b.example', literal: true, port: 2526 },
    ],
  });
  assert.deepEqual(spec('[IPv6:2001:db8::25]:2525'), { kind: 'relay', mailer: 'relay', targets: [{ host: '2001:db8::25', literal: true, port: 2525 }] });
});

test('local: and error: values', () => {
  assert.deepEqual(spec('local:postmaster'), { kind: 'local', user: 'postmaster' });
  assert.deepEqual(spec('local:'), { kind: 'local', user: '' });
  assert.deepEqual(spec('error:5.1.1:550 No such user here'), { kind: 'error', status: { code: 550, enh: '5.1.1', text: 'No such user here' } });
  assert.deepEqual(spec('error:550 Gone'), { kind: 'error', status: { code: 550, enh: '5.0.0', text: 'Gone' } });
  assert.deepEqual(spec('error:4.4.1:451 try later'), { kind: 'error', status: { code: 451, enh: '4.4.1', text: 'try later' } });
  assert.deepEqual(spec('error:5.7.1:Refused'), { kind: 'error', status: { code: 550, enh: '5.7.1', text: 'Refused' } });
});

test('what is refused, with a reason', () => {
  assert.equal(spec(''), 'error: empty value');
  assert.match(String(spec('uucp:host!path')), /mailer uucp is not supported/);
  assert.match(String(spec('[bad host]')), /not a host name/);
  assert.match(String(spec('esmtp:[a.example')), /unbalanced brackets/);
  assert.match(String(spec('relay.example:99999')), /out of range/);
  assert.match(String(spec('error:4.1.1:550 text')), /does not go with/);
  assert.match(String(spec('error:no code')), /neither a status code/);
  assert.match(String(spec('[2001:db8::1]')), /written \[IPv6:/);
  assert.match(String(spec('local:bob@example.com')), /not a local user/);
});
