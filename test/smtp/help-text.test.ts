import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HELP_TOPICS, helpReply } from '../../src/smtp/help-text.js';
import { REPLIES, render, replyText } from '../../src/smtp/replies.js';

test('§13 HELP without topic: 214-2.0.0 lines, no version, End of HELP info', () => {
  for (const r of [helpReply(), helpReply(''), helpReply('   ')]) {
    assert.equal(r.code, 214);
    assert.ok(r.lines.length > 2);
    for (const l of r.lines.slice(0, -1)) assert.match(l, /^214-2\.0\.0 /);
    assert.equal(r.lines[r.lines.length - 1], render(REPLIES.helpEnd));
    assert.equal(r.lines[r.lines.length - 1], '214 2.0.0 End of HELP info');
    const all = r.lines.join('\n');
    assert.doesNotMatch(all, /version|\d+\.\d+\.\d+\.\d+|sendmail/i);
    for (const topic of HELP_TOPICS) assert.ok(all.includes(topic), topic);
  }
});

test('§13 HELP <topic>: every known topic, case-insensitive, first line the syntax', () => {
  const expected = ['HELO', 'EHLO', 'MAIL', 'RCPT', 'DATA', 'RSET', 'NOOP', 'QUIT', 'HELP', 'VRFY', 'EXPN', 'VERB', 'ETRN', 'DSN', 'AUTH', 'STARTTLS'];
  assert.deepEqual([...HELP_TOPICS].sort(), [...expected].sort());
  for (const topic of expected) {
    const r = helpReply(topic.toLowerCase());
    assert.deepEqual(helpReply(topic), r);
    assert.equal(r.code, 214);
    assert.ok(r.lines.length >= 3, topic);
    assert.equal(r.lines[r.lines.length - 1], '214 2.0.0 End of HELP info');
    assert.match(r.lines[1], /^214-2\.0\.0 \t\S/, `${topic}: indented description`);
    for (const l of r.lines) assert.ok(Buffer.byteLength(l) <= 510);
  }
  assert.equal(helpReply('mail').lines[0], '214-2.0.0 MAIL From:<sender> [ <parameters> ]');
  assert.equal(helpReply('Rcpt').lines[0], replyText(REPLIES.helpLine, { text: 'RCPT To:<recipient> [ <parameters> ]' }).replace(/^/, '214-'));
});

test('§13 HELP <unknown>: the topic cut to 10 characters and lower-cased', () => {
  assert.deepEqual(helpReply('UNKNOWNTOPIC').lines, [render(REPLIES.helpUnknown, { topic: 'unknowntop' })]);
  assert.deepEqual(helpReply('UNKNOWNTOPIC').lines, ['504 5.3.0 HELP topic "unknowntop" unknown']);
  assert.deepEqual(helpReply('x\x01y').lines, ['504 5.3.0 HELP topic "x?y" unknown']);
  assert.equal(helpReply('SEND').code, 504);
});
