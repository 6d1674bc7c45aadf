// The programs that call sendmail, as Debian ships them, against Postern installed as `sendmail` in a
// temporary prefix (test/cli/sendmail/fixture.ts): php-cli's mail() with its default flags, git
// send-email, mutt in batch mode and cron's own command line. Each runs as an ordinary account (carol);
// the daemon's runner delivers, and each message must arrive in bob's mailbox with the right envelope
// sender (the mbox From_ line) and header.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Daemon } from '../helpers/daemon.js';
import { installPrefix, runAs } from '../cli/sendmail/fixture.js';
import { Site } from './delivery-fixture.js';

let site: Site;
let daemon: Daemon;
let prefix: string;

const sendmail = (): string => join(prefix, 'sbin', 'sendmail');

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

before(async () => {
  site = await Site.create({ after: (fn) => cleanups.push(fn) }, { format: 'mbox' });
  daemon = await site.start();
  prefix = await installPrefix(site.dir, site.conf);
});

/** The From_ line of an mbox entry: `From <envelope sender> <date>`. */
function envelopeSender(entry: string): string {
  return /^From (\S+) /.exec(entry)?.[1] ?? '';
}

function headerOf(entry: string): string {
  const end = entry.indexOf('\n\n');
  return end === -1 ? entry : entry.slice(0, end);
}

async function arrived(subject: string): Promise<string> {
  const msgs = await site.waitForMail(site.bob, (m) => m.some((x) => x.includes(`Subject: ${subject}`)), 20_000, subject);
  return msgs.find((x) => x.includes(`Subject: ${subject}`))!;
}

test("php-cli mail() with the default sendmail_path's flags (-t -i)", async () => {
  // PHP's compiled-in default is "/usr/sbin/sendmail -t -i"; only the path is the prefix's.
  const defaultPath = execFileSync('php', ['-n', '-r', 'echo ini_get("sendmail_path");'], { encoding: 'utf8' });
  assert.equal(defaultPath, '/usr/sbin/sendmail -t -i');
  const path = defaultPath.replace('/usr/sbin/sendmail', sendmail());
  const code = `exit(mail(${JSON.stringify(site.address(site.bob))}, "php mail", "first line\\n.\\nafter a lone dot", "From: Carol <${site.address(site.carol)}>") ? 0 : 1);`;
  const r = await runAs(site.carol, ['php', '-n', '-d', `sendmail_path=${path}`, '-r', code], { cwd: site.carol.home });
  assert.deepEqual([r.code, r.stderr], [0, '']);
  const m = await arrived('php mail');
  assert.equal(envelopeSender(m), site.address(site.carol));
  assert.match(headerOf(m), new RegExp(`^To: ${site.address(site.bob)}$`, 'm'));
  assert.match(headerOf(m), new RegExp(`^From: Carol <${site.address(site.carol)}>$`, 'm'));
  assert.match(headerOf(m), new RegExp(`^Received: \\(from ${site.carol.name}@localhost\\)`, 'm'));
  assert.match(headerOf(m), /^Message-Id: </m);
  assert.ok(m.includes('\n\nfirst line\n.\nafter a lone dot\n'), m);
  assert.doesNotMatch(m, /X-Authentication-Warning/);
});

test('git send-email with sendemail.smtpServer set to the sendmail command', async () => {
  const repo = join(site.carol.home, 'repo');
  await mkdir(repo, { mode: 0o755 });
  await chown(repo, site.carol.uid, site.carol.gid);
  const env = { GIT_AUTHOR_NAME: 'Carol', GIT_AUTHOR_EMAIL: site.address(site.carol), GIT_COMMITTER_NAME: 'Carol', GIT_COMMITTER_EMAIL: site.address(site.carol) };
  const git = async (...args: string[]): Promise<string> => {
    const r = await runAs(site.carol, ['git', ...args], { cwd: repo, env });
    assert.equal(r.code, 0, `git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  await git('init', '-q');
  await runAs(site.carol, ['sh', '-c', 'echo hello > file.txt'], { cwd: repo });
  await git('add', 'file.txt');
  await git('commit', '-q', '-m', 'git send-email test');
  const patch = (await git('format-patch', '-1')).trim();
  await git('send-email', `--smtp-server=${sendmail()}`, `--to=${site.address(site.bob)}`, `--from=Carol <${site.address(site.carol)}>`, '--confirm=never', '--no-validate', '--quiet', patch);
  const m = await arrived('[PATCH] git send-email test');
  assert.equal(envelopeSender(m), site.address(site.carol));
  assert.match(headerOf(m), new RegExp(`^To: ${site.address(site.bob)}$`, 'm'));
  assert.match(headerOf(m), /^X-Mailer: git-send-email/m);
  assert.ok(m.includes('+hello\n'), m);
});

test('mutt in batch mode with its default sendmail flags (-oem -oi)', async () => {
  const body = join(site.carol.home, 'mutt-body.txt');
  await writeFile(body, 'sent by mutt\n.\nstill the body\n');
  await chown(body, site.carol.uid, site.carol.gid);
  const muttrc = join(site.carol.home, 'muttrc');
  await writeFile(muttrc, `set sendmail="${sendmail()} -oem -oi"\nset from="${site.address(site.carol)}"\nset realname="Carol"\nset use_from=yes\nset record=""\nset copy=no\n`);
  await chown(muttrc, site.carol.uid, site.carol.gid);
  const r = await runAs(site.carol, ['sh', '-c', `mutt -n -F ${muttrc} -s 'mutt batch' ${site.address(site.bob)} < ${body}`], { cwd: site.carol.home });
  assert.deepEqual([r.code, r.stderr], [0, '']);
  const m = await arrived('mutt batch');
  assert.equal(envelopeSender(m), site.address(site.carol));
  assert.match(headerOf(m), new RegExp(`^From: Carol <${site.address(site.carol)}>$`, 'm'));
  assert.ok(m.includes('sent by mutt\n.\nstill the body\n'), m);
});

test("cron's command line: sendmail -FCronDaemon -i -B8BITMIME -oem <user>, as the job's owner", async () => {
  // Debian's cron (MAILARGS "%s -FCronDaemon -i -B8BITMIME -oem  %s") pipes the job's output to this.
  const mailargs = execFileSync('sh', ['-c', 'strings /usr/sbin/cron | grep CronDaemon'], { encoding: 'utf8' }).trim();
  assert.equal(mailargs, '%s -FCronDaemon -i -B8BITMIME -oem  %s');
  const cmdline = mailargs.replace('%s', sendmail()).replace('%s', site.bob.name);
  const message = [
    `From: root (Cron Daemon)`,
    `To: ${site.bob.name}`,
    `Subject: Cron <${site.carol.name}@host> echo héllo`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    `X-Cron-Env: <LOGNAME=${site.carol.name}>`,
    '',
    'héllo',
    '.',
    '',
  ].join('\n');
  const r = await runAs(site.carol, ['/bin/sh', '-c', cmdline], { input: Buffer.from(message, 'utf8'), cwd: '/' });
  assert.deepEqual([r.code, r.stderr], [0, '']);
  const m = await arrived(`Cron <${site.carol.name}@host> echo`);
  assert.equal(envelopeSender(m), site.address(site.carol));
  assert.match(headerOf(m), /^From: root \(Cron Daemon\)$/m);
  assert.ok(m.includes('\n\nhéllo\n.\n'), m);
  const q = await site.waitForQueue(() => true);
  assert.ok(Array.isArray(q));
});

test('-odi waits for the first attempt: 0 when delivered, 67 and the reason for an unknown user', async () => {
  const ok = await runAs(site.carol, [sendmail(), '-odi', site.bob.name], { input: 'Subject: odi now\n\nx\n' });
  assert.deepEqual([ok.code, ok.stderr], [0, '']);
  // Delivered before the command ended: the mailbox has it already.
  assert.ok((await site.mailbox(site.bob)).some((m) => m.includes('Subject: odi now')));
  const bad = await runAs(site.carol, [sendmail(), '-odi', 'nosuchuser'], { input: 'Subject: odi fail\n\nx\n' });
  assert.equal(bad.code, 67);
  assert.match(bad.stderr, /^nosuchuser@mx\.example\.com\.\.\. .*User unknown\n$/);
  void daemon;
});
