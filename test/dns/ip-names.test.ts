import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandIpv6, ptrName, reversedLabels, unmapIpv4 } from '../../src/dns/ip-names.js';

test('IPv4: reversed octets (RFC 5782 §2.1) and the in-addr.arpa name', () => {
  assert.equal(reversedLabels('192.0.2.99'), '99.2.0.192');
  assert.equal(ptrName('192.0.2.99'), '99.2.0.192.in-addr.arpa');
});

test('IPv6: 32 reversed nibbles of the full address (RFC 5782 §2.4) and the ip6.arpa name', () => {
  // The example of RFC 5782 §2.4.
  assert.equal(
    reversedLabels('2001:db8:1:2:3:4:567:89ab'),
    'b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2',
  );
  assert.equal(reversedLabels('2001:DB8::1'), '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2');
  assert.equal(ptrName('::1'), `1.${'0.'.repeat(31)}ip6.arpa`);
});

test('IPv6 expansion: ::, a dotted IPv4 tail, a zone index', () => {
  assert.deepEqual(expandIpv6('::'), ['0000', '0000', '0000', '0000', '0000', '0000', '0000', '0000']);
  assert.deepEqual(expandIpv6('fe80::1%eth0'), ['fe80', '0000', '0000', '0000', '0000', '0000', '0000', '0001']);
  assert.deepEqual(expandIpv6('::ffff:192.0.2.1'), ['0000', '0000', '0000', '0000', '0000', 'ffff', 'c000', '0201']);
  assert.deepEqual(expandIpv6('2001:db8::'), ['2001', '0db8', '0000', '0000', '0000', '0000', '0000', '0000']);
  assert.equal(expandIpv6('192.0.2.1'), undefined);
});

test('anything that is not an address has no name', () => {
  assert.equal(reversedLabels('example.com'), undefined);
  assert.equal(ptrName('1.2.3'), undefined);
});

test('an IPv4-mapped IPv6 address stands for its IPv4 address', () => {
  assert.equal(unmapIpv4('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(unmapIpv4('::FFFF:192.0.2.1'), '192.0.2.1');
  assert.equal(unmapIpv4('2001:db8::1'), '2001:db8::1');
  assert.equal(unmapIpv4('192.0.2.1'), '192.0.2.1');
});
