// Every check the probe can report (audit-and-probe.md §3.2): severity, what it looks for, why it
// matters and the one-line fix, kept in one table so that the checks only say what they saw. The same
// table gives the SARIF rules.

import type { Severity } from '../audit/findings.js';
import type { RuleInfo } from '../audit/report-sarif.js';

export interface CheckInfo {
  severity: Severity;
  title: string;
  why: string;
  fix: string;
}

export const CHECKS = {
  'banner-version': {
    severity: 'info',
    title: 'the greeting names the software version',
    why: 'a version in the greeting tells attackers which published holes to try',
    fix: 'leave the version out of the greeting (sendmail: SmtpGreetingMessage=$j ESMTP)',
  },
  'banner-not-smtp': {
    severity: 'high',
    title: 'the port does not greet with 220',
    why: 'senders cannot deliver to a server that does not greet them',
    fix: 'make the SMTP service on this port greet with 220',
  },
  'banner-refuses': {
    severity: 'info',
    title: 'the server refuses the probing host',
    why: 'most checks cannot be made from a refused host',
    fix: 'probe from a host the server accepts',
  },
  'ehlo-facts': {
    severity: 'info',
    title: 'the EHLO extension list',
    why: 'the extensions show what the server offers to every client',
    fix: 'none needed',
  },
  'expn-enabled': {
    severity: 'medium',
    title: 'EXPN answers',
    why: 'EXPN shows the members of aliases and lists to anyone: addresses for spam and social engineering',
    fix: 'disable EXPN (PrivacyOptions goaway or noexpn)',
  },
  'vrfy-enabled': {
    severity: 'medium',
    title: 'VRFY confirms addresses',
    why: 'VRFY lets anyone harvest valid user names',
    fix: 'disable VRFY (PrivacyOptions goaway or novrfy)',
  },
  'verb-enabled': {
    severity: 'low',
    title: 'VERB is accepted',
    why: 'verbose mode shows delivery details to the client',
    fix: 'disable VERB (PrivacyOptions goaway or noverb)',
  },
  'helo-not-required': {
    severity: 'low',
    title: 'MAIL is accepted without HELO',
    why: 'clients that skip HELO are mostly spam tools; requiring it costs legitimate senders nothing',
    fix: 'require HELO before MAIL (PrivacyOptions goaway or needmailhelo)',
  },
  'open-relay': {
    severity: 'critical',
    title: 'a stranger can relay mail to a foreign domain',
    why: 'an open relay is abused for spam within hours and then blocklisted',
    fix: 'relay only for your own networks and authenticated users (remove promiscuous_relay and broad relay entries)',
  },
  'relay-tempfail': {
    severity: 'info',
    title: 'a relay vector got a temporary failure',
    why: 'a 4xx does not show whether relaying would be allowed',
    fix: 'repeat the probe later; a temporary failure does not show whether relaying is allowed',
  },
  'smtp-smuggling': {
    severity: 'critical',
    title: 'SMTP smuggling: a bad end-of-data marker ends the message',
    why: 'anyone can smuggle a second message with a forged sender through this server (CVE-2023-51764/51765/51766)',
    fix: 'accept only CR LF . CR LF as end of data (sendmail 8.18 or a patched 8.17, Postfix smtpd_forbid_bare_newline=yes)',
  },
  'smuggling-inconclusive': {
    severity: 'info',
    title: 'a smuggling vector gave no clear answer',
    why: 'the server may or may not be vulnerable',
    fix: 'read the transcript, and look for a message from postern-smuggled@ in the --rcpt-local mailbox',
  },
  'bare-lf-accepted': {
    severity: 'medium',
    title: 'a bare LF ends a command line',
    why: 'RFC 5321 §2.3.8 forbids it, and lenient line ends are what smuggling attacks build on',
    fix: 'take only CR LF as the end of a command line (RFC 5321 §2.3.8): upgrade or configure the MTA to refuse a bare LF',
  },
  'starttls-missing': {
    severity: 'medium',
    title: 'STARTTLS is not offered',
    why: 'without STARTTLS all mail to this server travels in clear',
    fix: 'configure a certificate and key (ServerCertFile, ServerKeyFile)',
  },
  'starttls-failed': {
    severity: 'high',
    title: 'STARTTLS is offered but does not work',
    why: 'senders that try TLS fail, and many then deliver in clear or not at all',
    fix: "check the server's certificate, key and TLS settings",
  },
  'tls-old-protocol': {
    severity: 'medium',
    title: 'TLS below 1.2 is accepted',
    why: 'TLS 1.0 and 1.1 are deprecated (RFC 8996) and weaken the encryption',
    fix: 'allow TLS 1.2 and later only',
  },
  'starttls-injection': {
    severity: 'critical',
    title: 'plaintext sent with STARTTLS is executed inside TLS',
    why: 'a man in the middle can inject commands into the encrypted session (CVE-2011-0411)',
    fix: 'upgrade the server: plaintext pipelined behind STARTTLS must be discarded (CVE-2011-0411)',
  },
  'auth-cleartext': {
    severity: 'high',
    title: 'password AUTH is offered without TLS',
    why: 'PLAIN and LOGIN send the password readable by anyone on the path',
    fix: 'offer PLAIN and LOGIN only after STARTTLS (sendmail AuthOptions=p)',
  },
  'pipelining-ehlo-tolerated': {
    severity: 'info',
    title: 'EHLO pipelined with other commands is answered normally',
    why: 'strict servers refuse it, which stops some smuggling and stuffing tricks',
    fix: 'none needed; stricter servers refuse an EHLO pipelined with other commands',
  },
  'check-skipped': {
    severity: 'info',
    title: 'a check could not be made',
    why: 'a check that was not made has not passed',
    fix: 'see the message',
  },
} as const satisfies Record<string, CheckInfo>;

export type CheckId = keyof typeof CHECKS;

/** The SARIF rules: every check the probe can report. */
export function probeRules(): RuleInfo[] {
  return Object.entries(CHECKS).map(([id, c]) => ({ id, severity: c.severity, title: c.title, why: c.why, fix: c.fix }));
}
