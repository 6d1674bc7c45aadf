// The AUTH settings the SMTP engine gets from a configuration (docs/auth.md): mechanisms Postern
// implements in the configured order, AuthOptions p, TrustAuthMech from a sendmail.mc, the failure limit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { hostNames } from '../../src/daemon/host-names.js';
import { smtpSettings } from '../../src/daemon/smtp-settings.js';
import { lines, withTempDir } from '../config/helpers.js';

async function authOf(name: string, text: string): Promise<ReturnType<typeof smtpSettings>['auth']> {
  return withTempDir(async (t) => {
    const r = await loadConfig({ path: await t.write(name, text) });
    assert.ok(r.config, JSON.stringify(r.diagnostics));
    return smtpSettings(r.config, hostNames('mx.example.com'), '0').auth;
  });
}

test('defaults: PLAIN LOGIN, only inside TLS, every mechanism trusted, 5 failures per 15 minutes', async () => {
  assert.deepEqual(await authOf('postern.conf', 'MaxHopCount = 25\n'), {
    mechanisms: ['PLAIN', 'LOGIN'],
    requireTls: true,
    trusted: undefined,
    maxFailures: 5,
    failureWindow: 15 * 60 * 1000,
  });
});

test('a sendmail.mc: unimplemented mechanisms dropped, TRUST_AUTH_MECH, AuthOptions without p', async () => {
  const a = await authOf(
    'sendmail.mc',
    lines(
      'divert(0)dnl',
      "define(`confAUTH_MECHANISMS', `EXTERNAL GSSAPI DIGEST-MD5 CRAM-MD5 LOGIN PLAIN')dnl",
      "TRUST_AUTH_MECH(`LOGIN PLAIN')dnl",
      "define(`confAUTH_OPTIONS', `A')dnl",
      "MAILER(`local')dnl",
      "MAILER(`smtp')dnl",
    ),
  );
  assert.deepEqual(a.mechanisms, ['LOGIN', 'PLAIN']);
  assert.deepEqual(a.trusted, new Set(['LOGIN', 'PLAIN']));
  assert.equal(a.requireTls, false);
});

test('postern.conf: AuthMaxFailures, AuthFailureWindow, lower-case mechanism names', async () => {
  const a = await authOf('postern.conf', lines('AuthMechanisms = login', 'AuthMaxFailures = 0', 'AuthFailureWindow = 1h', 'AuthOptions = p,y'));
  assert.deepEqual(a.mechanisms, ['LOGIN']);
  assert.equal(a.maxFailures, 0);
  assert.equal(a.failureWindow, 3600 * 1000);
  assert.equal(a.requireTls, true);
});
