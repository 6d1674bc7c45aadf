// The first session: the greeting (banner-version, banner-not-smtp, banner-refuses), the EHLO list
// (ehlo-facts, starttls-missing, auth-cleartext) and the commands that give information away
// (expn-enabled, vrfy-enabled, verb-enabled). It also learns the target's address literal and, unless
// --domain was given, the local domain the relay vectors use.

import { ProbeIoError, type ProbeConnection } from '../connection.js';
import { cleartextMechanisms, extensions, offers } from '../ehlo.js';
import type { Finding } from '../../audit/findings.js';
import { finding, skipped } from '../finding.js';
import { domainFromName, greetingName, versionToken } from '../greeting.js';
import { replyText, type Reply } from '../reply.js';
import type { SessionRunner } from '../session.js';
import type { ProbeSettings } from '../settings.js';
import { addressLiteral } from '../target.js';
import { greet, type Greeted } from './greet.js';

export type FirstSession =
  | { kind: 'unreachable'; reason: string }
  /** the run ends here; `unexplained` is set when no finding says why */
  | { kind: 'stop'; unexplained?: string }
  | { kind: 'go'; domain: string; literal: string; extensions: string[] };

function bannerFindings(greeting: Reply, transcript: readonly string[], out: Finding[]): void {
  const token = versionToken(greeting.lines);
  if (token !== undefined) out.push(finding('banner-version', 'greeting', `the greeting discloses "${token}"`, transcript));
}

function ehloFindings(settings: ProbeSettings, g: Greeted, transcript: readonly string[], out: Finding[]): string[] {
  const exts = g.extended && g.reply.code === 250 ? extensions(g.reply) : [];
  if (g.extended && g.reply.code === 250) {
    out.push(finding('ehlo-facts', 'EHLO', `extensions: ${exts.length === 0 ? '(none)' : exts.join(', ')}`, transcript));
  } else {
    out.push(finding('ehlo-facts', 'EHLO', `EHLO not accepted (${replyText(g.reply)}): no extensions`, transcript));
  }
  const port = settings.target.port;
  if (settings.tls !== 'off' && settings.starttlsPorts.includes(port) && !offers(exts, 'STARTTLS')) {
    out.push(finding('starttls-missing', 'EHLO', `STARTTLS is not offered on port ${port}: mail to and from this server travels in clear`, transcript));
  }
  const clear = cleartextMechanisms(exts);
  if (clear.length > 0) {
    out.push(finding('auth-cleartext', 'AUTH', `AUTH ${clear.join(' ')} offered on an unencrypted connection: passwords travel in clear`, transcript));
  }
  return exts;
}

interface Probe {
  id: 'expn-enabled' | 'vrfy-enabled' | 'verb-enabled';
  command: string;
  message: (r: Reply) => string;
}

const DISCLOSURE: readonly Probe[] = [
  { id: 'expn-enabled', command: 'EXPN postmaster', message: (r) => `EXPN reveals alias contents: ${replyText(r)}` },
  { id: 'vrfy-enabled', command: 'VRFY postmaster', message: (r) => `VRFY confirms addresses: ${replyText(r)}` },
  { id: 'vrfy-enabled', command: 'VRFY root', message: (r) => `VRFY confirms addresses: ${replyText(r)}` },
  { id: 'verb-enabled', command: 'VERB', message: (r) => `VERB is accepted: ${replyText(r)}` },
];

async function disclosure(conn: ProbeConnection, transcript: readonly string[], out: Finding[]): Promise<void> {
  for (const [i, p] of DISCLOSURE.entries()) {
    let r: Reply;
    try {
      r = await conn.command(p.command);
    } catch (err) {
      if (!(err instanceof ProbeIoError)) throw err;
      for (const rest of DISCLOSURE.slice(i)) out.push(skipped(rest.id, `${rest.command}: ${err.message}`, transcript));
      return;
    }
    if (r.code === 250) out.push(finding(p.id, p.command, p.message(r), transcript));
  }
}

export async function firstSession(settings: ProbeSettings, runner: SessionRunner, out: Finding[]): Promise<FirstSession> {
  const res = await runner.run('greeting, EHLO, EXPN, VRFY, VERB', async ({ conn, greeting, transcript }) => {
    bannerFindings(greeting, transcript.lines, out);
    const literal = addressLiteral(conn.remoteAddress);
    const domain = settings.domain ?? domainFromName(greetingName(greeting.lines));
    let exts: string[] = [];
    try {
      exts = ehloFindings(settings, await greet(conn, settings.helo), transcript.lines, out);
    } catch (err) {
      if (!(err instanceof ProbeIoError)) throw err;
      out.push(skipped('ehlo-facts', `EHLO: ${err.message}`, transcript.lines));
      throw err;
    }
    await disclosure(conn, transcript.lines, out);
    return { domain, literal, extensions: exts };
  });
  if (res.ok) return { kind: 'go', ...res.value };
  if (res.stage === 'connect') return { kind: 'unreachable', reason: res.reason };
  if (res.stage === 'dialogue') return { kind: 'stop', unexplained: res.reason };
  const g = res.greeting;
  if (g !== undefined) {
    bannerFindings(g, res.transcript, out);
    if (g.code === 554) {
      out.push(finding('banner-refuses', 'greeting', `the server refuses this host: ${replyText(g)}; most checks skipped`, res.transcript));
      return { kind: 'stop' };
    }
  }
  out.push(finding('banner-not-smtp', 'greeting', `no SMTP greeting (${res.reason}); other checks skipped`, res.transcript));
  return { kind: 'stop' };
}
