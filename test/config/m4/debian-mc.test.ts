// A realistic Debian sendmail.mc (the shape /etc/mail/sendmail.mc has on Debian), read with host macros
// that record their calls, as the sendmail interpretation layer will use the engine.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runM4, type HostMacro, type SourceLoc } from '../../../src/config/m4/engine.js';
import { outputItems } from '../../../src/config/m4/output.js';
import { diskIncludes, tempDir } from './helpers.js';

const DEBIAN_MC = [
  /* 1 */ 'divert(-1)dnl',
  /* 2 */ '#-----------------------------------------------------------------------------',
  /* 3 */ '# $Sendmail: debproto.mc,v 8.15.2 2020-03-08 00:39:49 cowboy Exp $',
  /* 4 */ '#',
  /* 5 */ '# Copyright (c) 1998-2010 Richard Nelson.  All Rights Reserved.',
  /* 6 */ '#',
  /* 7 */ '# cf/debian/sendmail.mc.  Generated from sendmail.mc.in by configure.',
  /* 8 */ '#',
  /* 9 */ '# Debian Sendmail sendmail.mc file',
  /* 10 */ '#',
  /* 11 */ '# Note: the .cf file is regenerated from this file by sendmailconfig,',
  /* 12 */ '#       so any changes you make here will be kept.',
  /* 13 */ '#-----------------------------------------------------------------------------',
  /* 14 */ 'divert(0)dnl',
  /* 15 */ "define(`_USE_ETC_MAIL_')dnl",
  /* 16 */ "include(`/usr/share/sendmail/cf/m4/cf.m4')dnl",
  /* 17 */ "VERSIONID(`$Id: sendmail.mc, v 8.15.2-22 2021-03-08 00:00:00 cowboy Exp $')",
  /* 18 */ "OSTYPE(`debian')dnl",
  /* 19 */ "DOMAIN(`debian-mta')dnl",
  /* 20 */ 'dnl # Items controlled by /etc/mail/sendmail.conf - DO NOT TOUCH HERE',
  /* 21 */ "undefine(`confHOST_STATUS_DIRECTORY')dnl        #DAEMON_HOSTSTATS=",
  /* 22 */ 'dnl # Items controlled by /etc/mail/sendmail.conf - DO NOT TOUCH HERE',
  /* 23 */ 'dnl #',
  /* 24 */ "dnl # Daemon options - restrict to servicing LOCALHOST ONLY !!!",
  /* 25 */ "dnl # Remove `, Addr=' clauses to receive from any interface",
  /* 26 */ "FEATURE(`no_default_msa')dnl",
  /* 27 */ "dnl DAEMON_OPTIONS(`Family=inet6, Name=MTA-v6, Port=smtp, Addr=::1')dnl",
  /* 28 */ "DAEMON_OPTIONS(`Family=inet,  Name=MTA-v4, Port=smtp, Addr=127.0.0.1')dnl",
  /* 29 */ "DAEMON_OPTIONS(`Family=inet,  Name=MSP-v4, Port=submission, M=Ea, Addr=127.0.0.1')dnl",
  /* 30 */ 'dnl #',
  /* 31 */ 'dnl # Be somewhat anal in what we allow',
  /* 32 */ "define(`confPRIVACY_FLAGS',dnl",
  /* 33 */ "`needmailhelo,needexpnhelo,needvrfyhelo,restrictqrun,restrictexpand,nobodyreturn,authwarnings')dnl",
  /* 34 */ 'dnl #',
  /* 35 */ "define(`confCONNECTION_RATE_THROTTLE', `15')dnl",
  /* 36 */ "define(`confCONNECTION_RATE_WINDOW_SIZE',`10m')dnl",
  /* 37 */ "FEATURE(`use_cw_file')dnl",
  /* 38 */ "FEATURE(`access_db', , `skip')dnl",
  /* 39 */ "FEATURE(`greet_pause', `1000')dnl 1 seconds",
  /* 40 */ 'dnl #',
  /* 41 */ 'dnl # Dialup/LAN connection overrides',
  /* 42 */ 'dnl #',
  /* 43 */ "include(`/etc/mail/m4/dialup.m4')dnl",
  /* 44 */ "include(`/etc/mail/m4/provider.m4')dnl",
  /* 45 */ 'dnl #',
  /* 46 */ 'dnl # Default Mailer setup',
  /* 47 */ 'MAILER_DEFINITIONS',
  /* 48 */ "MAILER(`local')dnl",
  /* 49 */ "MAILER(`smtp')dnl",
  '',
].join('\n');

const DIALUP_M4 = [
  /* 1 */ 'divert(-1)dnl',
  /* 2 */ '#-----------------------------------------------------------------------------',
  /* 3 */ '# $Sendmail: dialup.m4,v 8.15.2 2020-03-08 00:39:49 cowboy Exp $',
  /* 4 */ '#',
  /* 5 */ '# Debian dialup/LAN overrides; edit to suit',
  /* 6 */ '#-----------------------------------------------------------------------------',
  /* 7 */ 'divert(0)dnl',
  /* 8 */ "define(`confCON_EXPENSIVE', `True')dnl",
  /* 9 */ "define(`confDIRECT_SUBMISSION_MODIFIERS', `C')dnl",
  '',
].join('\n');

const PROVIDER_M4 = ['divert(-1)dnl', '# provider specific overrides: none here', 'divert(0)dnl', ''].join('\n');

interface Call {
  name: string;
  args: string[];
  loc: SourceLoc;
}

function sendmailHost(calls: Call[]): Record<string, HostMacro> {
  const record =
    (name: string): HostMacro =>
    (args, loc) => {
      calls.push({ name, args, loc });
      return '';
    };
  return {
    VERSIONID: record('VERSIONID'),
    OSTYPE: record('OSTYPE'),
    DOMAIN: record('DOMAIN'),
    FEATURE: record('FEATURE'),
    DAEMON_OPTIONS: record('DAEMON_OPTIONS'),
    MAILER: record('MAILER'),
    MAILER_DEFINITIONS: (args, loc, ctx) => {
      calls.push({ name: 'MAILER_DEFINITIONS', args, loc });
      ctx.mark('MAILER_DEFINITIONS', loc);
      return '';
    },
  };
}

test('Debian sendmail.mc: host macro calls, arguments, lines, definitions and output', (t) => {
  const { dir: root, cleanup } = tempDir();
  t.after(cleanup);
  mkdirSync(join(root, 'etc', 'mail', 'm4'), { recursive: true });
  const mcPath = join(root, 'etc', 'mail', 'sendmail.mc');
  writeFileSync(mcPath, DEBIAN_MC);
  writeFileSync(join(root, 'etc', 'mail', 'm4', 'dialup.m4'), DIALUP_M4);
  writeFileSync(join(root, 'etc', 'mail', 'm4', 'provider.m4'), PROVIDER_M4);
  const asked: string[] = [];
  const fromDisk = diskIncludes(root);
  const calls: Call[] = [];

  const result = runM4(readFileSync(mcPath, 'latin1'), mcPath, {
    hostMacros: sendmailHost(calls),
    readInclude: (path, from) => {
      asked.push(path);
      return fromDisk(path, from);
    },
  });

  const at = (line: number) => ({ file: mcPath, line });
  assert.deepEqual(calls, [
    { name: 'VERSIONID', args: ['$Id: sendmail.mc, v 8.15.2-22 2021-03-08 00:00:00 cowboy Exp $'], loc: at(17) },
    { name: 'OSTYPE', args: ['debian'], loc: at(18) },
    { name: 'DOMAIN', args: ['debian-mta'], loc: at(19) },
    { name: 'FEATURE', args: ['no_default_msa'], loc: at(26) },
    { name: 'DAEMON_OPTIONS', args: ['Family=inet,  Name=MTA-v4, Port=smtp, Addr=127.0.0.1'], loc: at(28) },
    { name: 'DAEMON_OPTIONS', args: ['Family=inet,  Name=MSP-v4, Port=submission, M=Ea, Addr=127.0.0.1'], loc: at(29) },
    { name: 'FEATURE', args: ['use_cw_file'], loc: at(37) },
    { name: 'FEATURE', args: ['access_db', '', 'skip'], loc: at(38) },
    { name: 'FEATURE', args: ['greet_pause', '1000'], loc: at(39) },
    { name: 'MAILER_DEFINITIONS', args: [], loc: at(47) },
    { name: 'MAILER', args: ['local'], loc: at(48) },
    { name: 'MAILER', args: ['smtp'], loc: at(49) },
  ]);

  // cf.m4 is never asked for; the two site files are.
  assert.deepEqual(asked, ['/etc/mail/m4/dialup.m4', '/etc/mail/m4/provider.m4']);
  assert.deepEqual(
    result.diagnostics.map((d) => [d.severity, d.file, d.line]),
    [['notice', mcPath, 16]],
  );

  const defs = result.definitions;
  assert.equal(defs.has('confHOST_STATUS_DIRECTORY'), false);
  assert.deepEqual(defs.get('confPRIVACY_FLAGS'), {
    value: 'needmailhelo,needexpnhelo,needvrfyhelo,restrictqrun,restrictexpand,nobodyreturn,authwarnings',
    loc: at(32),
  });
  assert.equal(result.expandMacro('confCONNECTION_RATE_WINDOW_SIZE'), '10m');
  assert.deepEqual(defs.get('confCON_EXPENSIVE'), { value: 'True', loc: { file: join(root, 'etc/mail/m4/dialup.m4'), line: 8 } });
  assert.equal(defs.get('_USE_ETC_MAIL_')?.value, '');

  // What is left in the output: the newline after VERSIONID(...) (no dnl there), then the marker and the
  // newline after MAILER_DEFINITIONS.
  const items = outputItems(result.output).map((i) => (i.kind === 'marker' ? `<${i.tag}>@${i.loc.line}` : `${JSON.stringify(i.text)}@${i.loc.line}`));
  assert.deepEqual(items, ['""@17', '<MAILER_DEFINITIONS>@47', '""@47']);
});

test('reading the Debian sendmail.mc takes milliseconds', () => {
  const calls: Call[] = [];
  const includes: Record<string, string> = { '/etc/mail/m4/dialup.m4': DIALUP_M4, '/etc/mail/m4/provider.m4': PROVIDER_M4 };
  const readInclude = (path: string) => (includes[path] === undefined ? undefined : { text: includes[path], file: path });
  // Not a timing assertion (the benchmark owns those): a sanity check that many runs finish at all.
  for (let i = 0; i < 200; i++) runM4(DEBIAN_MC, 'sendmail.mc', { hostMacros: sendmailHost(calls), readInclude });
  assert.equal(calls.length, 200 * 12);
});
