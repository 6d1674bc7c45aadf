// SIGHUP: the daemon re-reads postern.conf and its side files (aliases, class files) without dropping
// sessions; a broken new configuration is reported (`reload-failed`) and the running one kept.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { baseConf, E2E_HOST, removeDir, startDaemon, tempDaemonDir, writeDaemonConfig, type Daemon } from '../helpers/daemon.js';
import type { RawClient } from '../helpers/raw-client.js';
import { transaction } from './smtp.js';

interface Observed {
  greeting: string;
  dsn: boolean;
  carol: string;
  otherDomain: string;
}

/**
 * What a new session sees: the greeting, whether DSN is offered, an alias, and whether other.example
 * is in class w (then an unknown user there is refused; otherwise 127.0.0.1 may relay to it).
 */
async function observe(d: Daemon): Promise<Observed> {
  const c = await d.connect();
  try {
    const greeting = (await c.text()).replace(/;.*$/, '');
    const ehlo = await c.cmd('EHLO client.example');
    await c.cmd('MAIL FROM:<alice@example.org>');
    const carol = await c.cmd(`RCPT TO:<carol@${E2E_HOST}>`);
    const otherDomain = await c.cmd('RCPT TO:<nobody-here@other.example>');
    await c.cmd('QUIT');
    return { greeting, dsn: ehlo.split('\n').includes('250-DSN'), carol, otherDomain };
  } finally {
    c.close();
  }
}

/** Sends SIGHUP and returns the log line that reports the outcome. */
async function hup(d: Daemon, outcome: 'reloaded' | 'reload-failed'): Promise<Record<string, unknown>> {
  const before = d.events(outcome).length;
  d.signal('SIGHUP');
  return d.waitUntil(() => d.events(outcome)[before], 10_000, outcome);
}

async function stillUsable(c: RawClient): Promise<void> {
  assert.equal(await c.cmd('NOOP'), '250 2.0.0 OK');
  const sent = await transaction(c, 'alice@example.org', [`root@${E2E_HOST}`], 'Subject: across a reload\r\n\r\nstill here\r\n');
  assert.ok(sent.qid, sent.reply);
}

test('SIGHUP reloads the greeting, PrivacyOptions, aliases and class files; a broken file keeps the old ones', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const hosts = join(dir, 'local-host-names');
  await writeFile(hosts, 'mail.example\n');
  const conf = (greeting: string, privacy: string, extra: string[] = []): Promise<string> =>
    writeDaemonConfig(
      dir,
      [`SmtpGreetingMessage = $j ${greeting}; $b`, `PrivacyOptions = ${privacy}`, `ClassFile w ${hosts}`, ...extra],
      greeting === 'First' ? 'postmaster: root\n' : 'postmaster: root\ncarol: root\n',
    );
  const path = await conf('First', 'goaway,restrictmailq,restrictqrun');
  const d = await startDaemon({ cwd: dir, config: path });
  t.after(() => d.stop());

  const old = await d.session();
  assert.match(await old.cmd('EHLO client.example'), /^250-/);
  const first = await observe(d);
  assert.equal(first.greeting, `220 ${E2E_HOST} ESMTP First`);
  assert.equal(first.dsn, true);
  assert.equal(first.carol, `550 5.1.1 <carol@${E2E_HOST}>... User unknown`);
  assert.equal(first.otherDomain, '250 2.1.5 <nobody-here@other.example>... Recipient ok');

  await conf('Second', 'goaway,noreceipts,restrictmailq,restrictqrun');
  await writeFile(hosts, 'mail.example\nother.example\n');
  await hup(d, 'reloaded');
  const second = await observe(d);
  assert.deepEqual(second, {
    greeting: `220 ${E2E_HOST} ESMTP Second`,
    dsn: false,
    carol: `250 2.1.5 <carol@${E2E_HOST}>... Recipient ok`,
    otherDomain: '550 5.1.1 <nobody-here@other.example>... User unknown',
  });
  await stillUsable(old);

  // A broken postern.conf: reported, the running configuration stays.
  await conf('Third', 'goaway,restrictmailq,restrictqrun', ['MaxMessageSize = lots']);
  const badConf = await hup(d, 'reload-failed');
  assert.equal(badConf.level, 50);
  // Why, with file:line (base lines, then greeting, PrivacyOptions, ClassFile, then the bad line).
  const errors = badConf.errors as string[];
  assert.equal(errors.length, 1);
  assert.ok(errors[0]!.startsWith(`${join(dir, 'postern.conf')}:${baseConf(dir).length + 4}: `), errors[0]);
  assert.match(errors[0]!, /MaxMessageSize.*"lots"/);
  assert.deepEqual(await observe(d), second);

  // A mandatory class file gone: the same.
  await conf('Fourth', 'goaway,restrictmailq,restrictqrun');
  await rm(hosts);
  const noClassFile = await hup(d, 'reload-failed');
  assert.match(String((noClassFile.errors as string[])[0]), new RegExp(`^${hosts}: .*no such file`));
  assert.deepEqual(await observe(d), second);

  await stillUsable(old);
  await old.cmd('QUIT');
  assert.equal(d.hasExited, false);
  assert.deepEqual(await d.stop(), { code: 0, signal: null });
});
