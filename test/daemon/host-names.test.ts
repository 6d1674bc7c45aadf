import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalHostName } from '../../src/daemon/host-names.js';
import { parseHosts } from '../../src/dns/hosts.js';

// $j without confDOMAIN_NAME: the host name, made fully qualified through the hosts file as the resolver
// library would (smtp-session.md §11); a name that stays unqualified is used as is.

test('an unqualified host name takes the canonical name of its hosts line', () => {
  const hosts = parseHosts('127.0.0.1 localhost\n127.0.1.1 mx.example.com mx\n');
  assert.equal(canonicalHostName('mx', hosts), 'mx.example.com');
  assert.equal(canonicalHostName('MX', hosts), 'mx.example.com');
});

test('a qualified name is kept; an unlisted or unqualifiable one stays as it is', () => {
  const hosts = parseHosts('127.0.1.1 other.example.com mx\n10.0.0.1 box\n');
  assert.equal(canonicalHostName('mx.example.org', hosts), 'mx.example.org');
  assert.equal(canonicalHostName('mx', hosts), 'mx');
  assert.equal(canonicalHostName('box', hosts), 'box');
  assert.equal(canonicalHostName('nowhere', hosts), 'nowhere');
});
