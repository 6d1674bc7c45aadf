import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileMacros, expandMacros, lookupIn } from '../../src/smtp/macros.js';

const values = lookupIn({
  j: 'mx.example.com',
  v: '1.2.0',
  Z: '1.2.0',
  b: 'Mon, 1 Jan 2024 12:00:00 +0000',
  s: 'client.example.net',
  _: 'client.example.net [192.0.2.1]',
  empty: '',
  client_addr: '192.0.2.1',
  tricky: '$j ${client_addr} $$',
});

test('§11 syntax: $x, ${name}, $$, undefined names', () => {
  const rows: [string, string][] = [
    ['$j Postern; $b', 'mx.example.com Postern; Mon, 1 Jan 2024 12:00:00 +0000'],
    ['$j Sendmail $v/$Z; $b NO UCE C=xx L=xx', 'mx.example.com Sendmail 1.2.0/1.2.0; Mon, 1 Jan 2024 12:00:00 +0000 NO UCE C=xx L=xx'],
    ['[${client_addr}]', '[192.0.2.1]'],
    ['cost: $$5', 'cost: $5'],
    ['$q<$x>${nothing}', '<>'],
    ['plain text', 'plain text'],
    ['', ''],
    ['trailing $', 'trailing $'],
    ['${unclosed', '${unclosed'],
    ['$&j', 'mx.example.com'],
  ];
  for (const [t, out] of rows) assert.equal(expandMacros(t, values), out, t);
});

test('§11: expansion is single pass', () => {
  assert.equal(expandMacros('${tricky}', values), '$j ${client_addr} $$');
});

test('§11: conditionals, with and without $|, nested, on long names', () => {
  const rows: [string, string][] = [
    ['$?sfrom $s $.', 'from client.example.net '],
    ['$?xyes$|no$.', 'no'],
    ['$?jyes$|no$.', 'yes'],
    ['$?{empty}set$|unset$.', 'unset'],
    ['$?{client_addr}[${client_addr}]$.', '[192.0.2.1]'],
    ['$?x only-if-x$.after', 'after'],
    ['$?s($?x x$|no-x$.)$|none$.', '(no-x)'],
    ['$?x a $?s b $. c $| d $?s e $| f $. g $.', ' d  e  g '],
    ['$?sunterminated', 'unterminated'],
    ['stray $| and $. are dropped', 'stray  and  are dropped'],
  ];
  for (const [t, out] of rows) assert.equal(expandMacros(t, values), out, t);
});

test('a compiled template is reusable across lookups', () => {
  const c = compileMacros('$?s$s$|anonymous$.');
  assert.equal(c.expand(lookupIn({ s: 'a.example' })), 'a.example');
  assert.equal(c.expand(lookupIn({})), 'anonymous');
  assert.equal(c.source, '$?s$s$|anonymous$.');
  assert.equal(compileMacros('no macros').expand(() => 'x'), 'no macros');
});
