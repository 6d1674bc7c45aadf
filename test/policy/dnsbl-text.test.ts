import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRuleText, renderRuleText, splitReply, staticReplyCode, type MacroLookup } from '../../src/policy/dnsbl-text.js';

// The reply texts of FEATURE(dnsbl) arguments 2 and 3, written in sendmail's rule syntax
// (relay-and-access.md §8.1), rebuilt as sendmail's error mailer does.

const macros: MacroLookup = (n) =>
  ({ client_addr: '192.0.2.7', client_name: 'host.example.net', j: 'mx.example.com', empty: '' })[n];

function render(src: string, lookup: MacroLookup = macros): string {
  const r = parseRuleText(src);
  if (!r.ok) assert.fail(r.error);
  return renderRuleText(r.text, lookup);
}

test('quoted strings and deferred macros are joined as written (the cf/README example)', () => {
  assert.equal(render('"550 Mail from " $&{client_addr} " refused"'), '550 Mail from 192.0.2.7 refused');
  assert.equal(render('"550 Rejected: " $&{client_addr} " listed at bl.example.org"'), '550 Rejected: 192.0.2.7 listed at bl.example.org');
});

test('bare words get one space between them, none next to special characters or quoted strings', () => {
  assert.equal(render('550   Go    away'), '550 Go away');
  assert.equal(render('550 Refused. See http://x.example/'), '550 Refused.See http://x.example/');
  assert.equal(render('550 Mail from $&{client_addr} refused'), '550 Mail from 192.0.2.7 refused');
  assert.equal(render('550 Mail from "["$&{client_addr}"]"'), '550 Mail from[192.0.2.7]');
  assert.equal(render('550 a , b ; c'), '550 a,b;c');
});

test('every macro form: $x, ${name}, $&x, $&{name}, $$; undefined and empty macros vanish', () => {
  assert.equal(render('"550 " $j " says no to " ${client_name}'), '550 mx.example.com says no to host.example.net');
  assert.equal(render('"550 " $&j'), '550 mx.example.com');
  assert.equal(render('550 costs $$5'), '550 costs $5');
  assert.equal(render('"550 x" $&{nothing} $&{empty} "y"'), '550 xy');
});

test('[Postern] macros inside a quoted string are expanded', () => {
  assert.equal(render('"550 Mail from $&{client_addr} refused"'), '550 Mail from 192.0.2.7 refused');
});

test('backslash escapes; macro values lose quotes and control characters', () => {
  assert.equal(render('550 a\\"b'), '550 a"b');
  assert.equal(render('"550 say \\"hi\\""'), '550 say "hi"');
  const evil: MacroLookup = (n) => (n === 'client_name' ? 'x"y\r\n250 OK' : undefined);
  assert.equal(render('"550 from " $&{client_name}', evil), '550 from xy??250 OK');
});

test('a line break in the configured text never reaches the wire', () => {
  assert.equal(render('"550 two\r\nlines"'), '550 two??lines');
});

test('syntax errors are reported', () => {
  assert.deepEqual(parseRuleText('"550 open'), { ok: false, error: 'unbalanced " in "550 open' });
  const bad = parseRuleText('550 $#error');
  assert.ok(!bad.ok && /is not a macro/.test(bad.error));
  assert.ok(!parseRuleText('550 ${client_addr').ok);
  assert.ok(!parseRuleText('550 ${a b}').ok);
});

test('splitReply: own code, own enhanced code of the same class, or the defaults', () => {
  const listed = { code: 550, enh: '5.7.1' };
  const temp = { code: 451, enh: '4.4.3' };
  assert.deepEqual(splitReply('550 Mail refused', listed), { code: 550, enh: '5.7.1', text: 'Mail refused' });
  assert.deepEqual(splitReply('554 5.7.0 Go away', listed), { code: 554, enh: '5.7.0', text: 'Go away' });
  assert.deepEqual(splitReply('550 4.7.0 Go away', listed), { code: 550, enh: '5.7.1', text: '4.7.0 Go away' });
  assert.deepEqual(splitReply('451 Try later', listed), { code: 451, enh: '4.7.1', text: 'Try later' });
  assert.deepEqual(splitReply('Go away', listed), { code: 550, enh: '5.7.1', text: 'Go away' });
  assert.deepEqual(splitReply('451 Lookup failed', temp), { code: 451, enh: '4.4.3', text: 'Lookup failed' });
  assert.deepEqual(splitReply('550 Lookup failed', temp), { code: 550, enh: '5.4.3', text: 'Lookup failed' });
  assert.deepEqual(splitReply('250 fine', temp), { code: 451, enh: '4.4.3', text: '250 fine' });
});

test('staticReplyCode reads the code a text starts with', () => {
  const code = (s: string): string | undefined => {
    const r = parseRuleText(s);
    return r.ok ? staticReplyCode(r.text) : 'error';
  };
  assert.equal(code('"550 Mail from " $&{client_addr}'), '550');
  assert.equal(code('250 fine'), '250');
  assert.equal(code('Go away'), undefined);
});
