import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  embeddedListeners,
  parseDaemonPortOptions,
  sendmailDefaultListeners,
  type ListenerSpec,
} from '../../src/config/daemon-options.js';
import { parseDnsServers } from '../../src/config/dns-servers.js';

function listener(text: string): ListenerSpec {
  const r = parseDaemonPortOptions(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function error(text: string): string {
  const r = parseDaemonPortOptions(text);
  assert.equal(r.ok, false, text);
  return r.ok ? '' : r.message;
}

test('DaemonPortOptions: name, address, port, family, backlog, modifiers', () => {
  const l = listener('Name=MSA, Addr=192.0.2.1, Port=587, Family=inet, Listen=64, M=Ea');
  assert.equal(l.name, 'MSA');
  assert.equal(l.addr, '192.0.2.1');
  assert.equal(l.port, 587);
  assert.equal(l.family, 'inet');
  assert.equal(l.backlog, 64);
  assert.equal(l.modifierLetters, 'Ea');
  assert.equal(l.modifiers.noEtrn, true);
  assert.equal(l.modifiers.requireAuth, true);
  assert.equal(l.modifiers.noStarttls, false);
});

test('DaemonPortOptions: service names and defaults', () => {
  assert.equal(listener('Port=smtp').port, 25);
  assert.equal(listener('Port=submission').port, 587);
  assert.equal(listener('Port=smtps, M=s').port, 465);
  const d = listener('Name=MTA');
  assert.deepEqual([d.name, d.addr, d.port, d.family], ['MTA', '0.0.0.0', 25, 'inet']);
  const v6 = listener('Family=inet6, Name=MTA-v6');
  assert.equal(v6.addr, '::');
  assert.equal(listener('Addr=::1').family, 'inet6', 'family follows an IPv6 literal');
  assert.equal(listener('Address=127.0.0.1').addr, '127.0.0.1', 'keys are recognised by their first letter');
});

test('DaemonPortOptions: every modifier letter of §5.4', () => {
  const l = listener('M=AEsSufO');
  assert.deepEqual(l.modifiers, {
    requireAuth: false,
    noAuth: true,
    noEtrn: true,
    noStarttls: true,
    tlsWrapper: true,
    allowUnqualified: true,
    requireQualified: true,
    optional: true,
  });
  const ignored = parseDaemonPortOptions('M=bcC');
  assert.equal(ignored.ok && ignored.value.modifierLetters, 'bcC');
  const unknown = parseDaemonPortOptions('M=Ez');
  assert.ok(unknown.ok);
  assert.deepEqual(unknown.ok && unknown.warnings, ['DaemonPortOptions: modifier z is not supported; ignored']);
});

test('DaemonPortOptions: errors', () => {
  assert.match(error('Port=imap'), /unknown service "imap"/);
  assert.match(error('Port=70000'), /out of range/);
  assert.match(error('Family=local'), /Family=local is not supported/);
  assert.match(error('Addr=::1, Family=inet'), /does not match Family=inet/);
  assert.match(error('Name'), /not of the form Key=value/);
  assert.match(error('Zorro=1'), /unknown key Zorro=/);
  assert.match(error('M=aA'), /contradict/);
});

test('embedded and sendmail default listeners', () => {
  assert.deepEqual(
    embeddedListeners().map((l) => [l.name, l.addr, l.port]),
    [['MTA', '127.0.0.1', 2525]],
  );
  assert.deepEqual(
    sendmailDefaultListeners(true).map((l) => [l.name, l.port, l.modifierLetters]),
    [
      ['MTA', 25, ''],
      ['MSA', 587, 'E'],
    ],
  );
  assert.equal(sendmailDefaultListeners(false).length, 1);
});

test('DnsServers: ip, ip:port, [ipv6]:port, validated', () => {
  const r = parseDnsServers('192.0.2.53, 127.0.0.1:5353, [::1]:5300, 2001:db8::53');
  assert.ok(r.ok);
  assert.deepEqual(r.ok && r.value, [
    { address: '192.0.2.53', port: 53, family: 4 },
    { address: '127.0.0.1', port: 5353, family: 4 },
    { address: '::1', port: 5300, family: 6 },
    { address: '2001:db8::53', port: 53, family: 6 },
  ]);
  for (const bad of ['ns.example.com', '127.0.0.1:0', '[::1', '[192.0.2.1]:53', '1.2.3.4:x', '']) {
    assert.equal(parseDnsServers(bad).ok, false, bad);
  }
});
