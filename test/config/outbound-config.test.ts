// Outbound routing in the configuration (issue 7): FEATURE(mailertable) from an .mc, a .cf and
// postern.conf; the smart host from SMART_HOST, DS and the SmartHost option; OutboundPort and
// TLSPolicyFile.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { smartHost } from '../../src/config/macros.js';
import { renderJson, renderText } from '../../src/config/show.js';
import { lines, messages, withTempDir } from './helpers.js';

const MARK = (name: string): string => `#####  $Id: ${name}.m4,v 8.1 2013-11-22 20:51:11 ca Exp $  #####`;

test('FEATURE(mailertable) in an .mc: the default text source, or the one given', async () => {
  await withTempDir(async (t) => {
    const a = await t.write('a.mc', lines('divert(0)dnl', "FEATURE(`mailertable')dnl"));
    const ra = await loadConfig({ path: a });
    assert.deepEqual(messages(ra.diagnostics, 'error'), []);
    assert.equal(ra.config!.mailertable?.path, '/etc/mail/mailertable');
    assert.equal(ra.config!.mailertable?.optional, true);
    assert.equal(ra.config!.features['mailertable']?.length, 1);
    const b = await t.write('b.mc', lines('divert(0)dnl', "FEATURE(`mailertable', `hash /srv/mail/mailertable.db')dnl"));
    const rb = await loadConfig({ path: b });
    assert.deepEqual(messages(rb.diagnostics, 'error'), []);
    assert.equal(rb.config!.mailertable?.path, '/srv/mail/mailertable');
    assert.equal(rb.config!.mailertable?.optional, false);
    const c = await t.write('c.mc', lines('divert(0)dnl', "FEATURE(`mailertable', `ldap -1 -v x')dnl"));
    const rc = await loadConfig({ path: c });
    assert.match(messages(rc.diagnostics, 'error').join('\n'), /FEATURE\(mailertable\): mailertable class ldap is not supported/);
  });
});

test('Kmailertable in a .cf; Feature mailertable in postern.conf; none without it', async () => {
  await withTempDir(async (t) => {
    const cf = await t.write('s.cf', lines(MARK('proto'), MARK('mailertable'), 'Kmailertable hash -o /etc/mail/mailertable', 'DSesmtp:[relay.example.net]'));
    const r = await loadConfig({ path: cf });
    assert.deepEqual(messages(r.diagnostics, 'error'), []);
    assert.equal(r.config!.mailertable?.path, '/etc/mail/mailertable');
    assert.equal(smartHost(r.config!), 'esmtp:[relay.example.net]');
    const conf = await t.write('postern.conf', lines(`Feature mailertable, ${t.path('mt')}`, 'OutboundPort = 2525', `TLSPolicyFile = ${t.path('tls')}`));
    const n = await loadConfig({ path: conf });
    assert.deepEqual(messages(n.diagnostics, 'error'), []);
    assert.equal(n.config!.mailertable?.path, t.path('mt'));
    assert.equal(n.config!.options.OutboundPort, 2525);
    assert.equal(n.config!.options.TLSPolicyFile, t.path('tls'));
    assert.match(renderText(n.config!), new RegExp(`^  mailertable: ${t.path('mt')}$`, 'm'));
    assert.deepEqual((renderJson(n.config!) as Record<string, unknown>)['mailertable'], { path: t.path('mt'), optional: false });
    const none = await loadConfig({});
    assert.equal(none.config!.mailertable, undefined);
    assert.equal(none.config!.options.OutboundPort, 25);
    assert.equal(none.config!.options.TLSPolicyFile, undefined);
  });
});

test('SmartHost in postern.conf wins over the SMART_HOST of an imported .mc', async () => {
  await withTempDir(async (t) => {
    await t.write('s.mc', lines('divert(0)dnl', "define(`SMART_HOST', `relay:[old.example.net]')dnl"));
    const conf = await t.write('postern.conf', lines(`Import ${t.path('s.mc')}`));
    assert.equal(smartHost((await loadConfig({ path: conf })).config!), 'relay:[old.example.net]');
    const conf2 = await t.write('postern2.conf', lines(`Import ${t.path('s.mc')}`, 'SmartHost = [new.example.net]:587'));
    assert.equal(smartHost((await loadConfig({ path: conf2 })).config!), '[new.example.net]:587');
    const bad = await t.write('bad.conf', lines('OutboundPort = 0'));
    assert.match(messages((await loadConfig({ path: bad })).diagnostics, 'error').join('\n'), /OutboundPort/);
  });
});
