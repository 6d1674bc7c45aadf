// Start-up of the real daemon: the embedded default, the three configuration formats giving the same
// server, and every way start-up refuses (configuration errors, an unsafe queue directory, a port in
// use), plus `postern config check|show` through the binary.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  baseConf,
  E2E_ALIASES,
  E2E_HOST,
  LOOPBACK_LISTENER,
  postern,
  removeDir,
  spawnDaemon,
  startDaemon,
  tempDaemonDir,
  writeDaemonConfig,
} from '../helpers/daemon.js';
import { RFC5322_DATE, transaction } from './smtp.js';

const DATE = new RegExp(`^${RFC5322_DATE}$`);

test('embedded default: greeting, ./spool 0700 under the working directory, queue files 0600', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const d = await startDaemon({ cwd: dir, args: ['-O', `DaemonPortOptions=${LOOPBACK_LISTENER}`] });
  t.after(() => d.stop());
  const ready = d.logs.find((l) => l.event === 'ready')!;
  assert.equal(ready.spool, join(dir, 'spool'));

  const c = await d.connect();
  const greeting = await c.text();
  const m = /^220 (\S+) ESMTP Postern; (.+)$/.exec(greeting);
  assert.ok(m, greeting);
  assert.equal(m[1], ready.host);
  assert.match(m[2]!, DATE);
  assert.match(await c.cmd('EHLO client.example'), /^250-/);
  // A sender at this host: the embedded daemon asks the system's DNS, which a test must not depend on.
  const sent = await transaction(c, 'alice@localhost', ['postmaster@localhost'], 'Subject: embedded\r\n\r\nhello\r\n');
  assert.ok(sent.qid, sent.reply);
  await c.cmd('QUIT');

  const spool = join(dir, 'spool');
  assert.equal((await stat(spool)).mode & 0o777, 0o700);
  const files = await readdir(spool);
  assert.ok(files.length > 0);
  for (const f of files) {
    const st = await stat(join(spool, f));
    if (st.isFile()) assert.equal(st.mode & 0o777, 0o600, f);
  }
  assert.deepEqual(await d.stop(), { code: 0, signal: null });
});

async function formats(dir: string): Promise<Record<'conf' | 'mc' | 'cf', string>> {
  await writeFile(join(dir, 'aliases'), E2E_ALIASES);
  const shared = {
    listener: LOOPBACK_LISTENER,
    privacy: 'goaway,noreceipts,restrictmailq,restrictqrun',
    size: '1000000',
    greeting: '$j Example relay; $b',
  };
  const conf = join(dir, 'postern.conf');
  await writeFile(
    conf,
    [
      `DaemonPortOptions = ${shared.listener}`,
      `QueueDirectory = ${join(dir, 'spool-conf')}`,
      `AliasFile = ${join(dir, 'aliases')}`,
      `Macro j ${E2E_HOST}`,
      'RunAsUser = root',
      `PrivacyOptions = ${shared.privacy}`,
      `MaxMessageSize = ${shared.size}`,
      `SmtpGreetingMessage = ${shared.greeting}`,
      'Feature no_default_msa',
      '',
    ].join('\n'),
  );
  const mc = join(dir, 'sendmail.mc');
  await writeFile(
    mc,
    [
      'divert(-1)dnl',
      'divert(0)dnl',
      `define(\`confDOMAIN_NAME', \`${E2E_HOST}')dnl`,
      `define(\`QUEUE_DIR', \`${join(dir, 'spool-mc')}')dnl`,
      `define(\`ALIAS_FILE', \`${join(dir, 'aliases')}')dnl`,
      "define(`confRUN_AS_USER', `root')dnl",
      `define(\`confPRIVACY_FLAGS', \`\`${shared.privacy}'')dnl`,
      `define(\`confMAX_MESSAGE_SIZE', \`${shared.size}')dnl`,
      `define(\`confSMTP_LOGIN_MSG', \`${shared.greeting}')dnl`,
      `DAEMON_OPTIONS(\`${shared.listener}')dnl`,
      "FEATURE(`no_default_msa')dnl",
      "FEATURE(`nocanonify')dnl",
      "MAILER(`local')dnl",
      "MAILER(`smtp')dnl",
      '',
    ].join('\n'),
  );
  const cf = join(dir, 'sendmail.cf');
  await writeFile(
    cf,
    [
      '#####  $Id: no_default_msa.m4,v 8.3 2013-11-22 20:51:11 ca Exp $  #####',
      'V10/Berkeley',
      `Dj${E2E_HOST}`,
      `O DaemonPortOptions=${shared.listener}`,
      `O QueueDirectory=${join(dir, 'spool-cf')}`,
      `O AliasFile=${join(dir, 'aliases')}`,
      'O RunAsUser=root',
      `O PrivacyOptions=${shared.privacy}`,
      `O MaxMessageSize=${shared.size}`,
      `O SmtpGreetingMessage=${shared.greeting}`,
      '',
    ].join('\n'),
  );
  return { conf, mc, cf };
}

test('the same settings as postern.conf, sendmail.mc and sendmail.cf give the same greeting and EHLO', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const files = await formats(dir);
  const seen: Record<string, { greeting: string; ehlo: string }> = {};
  for (const [kind, path] of Object.entries(files)) {
    const d = await startDaemon({ cwd: dir, config: path });
    try {
      const c = await d.connect();
      const greeting = (await c.text()).replace(new RegExp(`${RFC5322_DATE}$`), '<date>');
      const ehlo = await c.cmd('EHLO client.example');
      await c.cmd('QUIT');
      seen[kind] = { greeting, ehlo };
    } finally {
      assert.deepEqual(await d.stop(), { code: 0, signal: null }, kind);
    }
  }
  assert.equal(seen.conf!.greeting, `220 ${E2E_HOST} ESMTP Example relay; <date>`);
  assert.equal(
    seen.conf!.ehlo,
    [
      `250-${E2E_HOST} Hello localhost [127.0.0.1], pleased to meet you`,
      '250-ENHANCEDSTATUSCODES',
      '250-PIPELINING',
      '250-8BITMIME',
      '250-SIZE 1000000',
      '250-ETRN',
      '250 HELP',
    ].join('\n'),
  );
  assert.deepEqual(seen.mc, seen.conf);
  assert.deepEqual(seen.cf, seen.conf);
});

test('a configuration error stops start-up with exit 78 and file:line on stderr', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const conf = await writeDaemonConfig(dir, ['MaxMessageSize = lots']);
  const line = baseConf(dir).length + 1; // the first line after the base configuration
  const d = spawnDaemon({ cwd: dir, config: conf });
  assert.deepEqual(await d.waitExit(), { code: 78, signal: null });
  assert.match(d.stderr, new RegExp(`^postern: ${conf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}: .*MaxMessageSize`, 'm'));
  assert.equal(d.events('ready').length, 0);

  const bad = await postern(['config', 'check', '--config', conf]);
  assert.equal(bad.code, 78);
  assert.match(bad.stderr, new RegExp(`:${line}: `));
  const good = await postern(['config', 'check', '--config', await writeDaemonConfig(dir)]);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /configuration OK/);
});

test('config show --json through the binary reports values and their sources', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const conf = await writeDaemonConfig(dir, ['MaxMessageSize = 123456']);
  const r = await postern(['config', 'show', '--json', '--config', conf]);
  assert.equal(r.code, 0, r.stderr);
  const shown = JSON.parse(r.stdout) as { options: Array<{ name: string; value: unknown; sourceDetail: Record<string, unknown> }> };
  const size = shown.options.find((o) => o.name === 'MaxMessageSize');
  assert.equal(size?.value, 123456);
  assert.deepEqual(size?.sourceDetail, { kind: 'file', file: conf, line: baseConf(dir).length + 1, layer: 'native' });
  const hop = shown.options.find((o) => o.name === 'MaxHopCount');
  assert.deepEqual(hop?.sourceDetail, { kind: 'default' });
});

test('a queue directory writable by its group, or a symbolic link, stops start-up with exit 78 naming it', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const groupWritable = join(dir, 'gw');
  await mkdir(groupWritable);
  await chmod(groupWritable, 0o770);
  const target = join(dir, 'real');
  await mkdir(target, { mode: 0o700 });
  const link = join(dir, 'link');
  await symlink(target, link);
  for (const [q, problem] of [
    [groupWritable, /writable by group/],
    [link, /symbolic link/],
  ] as const) {
    const conf = await writeDaemonConfig(dir, [`QueueDirectory = ${q}`]);
    const d = spawnDaemon({ cwd: dir, config: conf });
    assert.deepEqual(await d.waitExit(), { code: 78, signal: null }, q);
    assert.ok(d.stderr.includes(q), d.stderr);
    assert.match(d.stderr, problem);
    assert.equal(d.events('ready').length, 0);
  }
});

test('a listener that cannot bind stops start-up with exit 71', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => busy.close(() => r())));
  const port = (busy.address() as { port: number }).port;
  // A second listener (the base one on port 0 binds; this one cannot).
  const conf = await writeDaemonConfig(dir, [`DaemonPortOptions = Name=MTA2, Addr=127.0.0.1, Port=${port}`]);
  const d = spawnDaemon({ cwd: dir, config: conf });
  assert.deepEqual(await d.waitExit(), { code: 71, signal: null });
  assert.match(d.stderr, /^postern: cannot listen: .*EADDRINUSE/m);
});

test('a second daemon on the same spool stops with exit 78 naming the process that holds it', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const conf = await writeDaemonConfig(dir);
  const first = await startDaemon({ cwd: dir, config: conf });
  t.after(() => first.stop());
  const second = spawnDaemon({ cwd: dir, config: conf });
  assert.deepEqual(await second.waitExit(), { code: 78, signal: null });
  assert.match(second.stderr, new RegExp(`^postern: queue directory ${join(dir, 'spool')}: .*in use by process ${first.pid}\\b`, 'm'));
  // The first one is unaffected.
  const c = await first.session();
  assert.equal(await c.cmd('NOOP'), '250 2.0.0 OK');
  c.close();
});
