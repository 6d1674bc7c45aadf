// Every check the probe can report (audit-and-probe.md §3.2): its severity and the one-line fix, kept in
// one table so that the checks only say what they saw.

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export interface CheckInfo {
  severity: Severity;
  fix: string;
}

export const CHECKS = {
  'banner-version': { severity: 'info', fix: 'leave the version out of the greeting (sendmail: SmtpGreetingMessage=$j ESMTP)' },
  'banner-not-smtp': { severity: 'high', fix: 'make the SMTP service on this port greet with 220' },
  'banner-refuses': { severity: 'info', fix: 'probe from a host the server accepts' },
  'ehlo-facts': { severity: 'info', fix: 'none needed' },
  'expn-enabled': { severity: 'medium', fix: 'disable EXPN (PrivacyOptions goaway or noexpn)' },
  'vrfy-enabled': { severity: 'medium', fix: 'disable VRFY (PrivacyOptions goaway or novrfy)' },
  'verb-enabled': { severity: 'low', fix: 'disable VERB (PrivacyOptions goaway or noverb)' },
  'helo-not-required': { severity: 'low', fix: 'require HELO before MAIL (PrivacyOptions goaway or needmailhelo)' },
  'open-relay': {
    severity: 'critical',
    fix: 'relay only for your own networks and authenticated users (remove promiscuous_relay and broad relay entries)',
  },
  'relay-tempfail': { severity: 'info', fix: 'repeat the probe later; a temporary failure does not show whether relaying is allowed' },
  'smtp-smuggling': {
    severity: 'critical',
    fix: 'accept only CR LF . CR LF as end of data (sendmail 8.18 or a patched 8.17, Postfix smtpd_forbid_bare_newline=yes)',
  },
  'smuggling-inconclusive': { severity: 'info', fix: 'read the transcript, and look for a message from postern-smuggled@ in the --rcpt-local mailbox' },
  'bare-lf-accepted': { severity: 'medium', fix: 'take only CR LF as a line end (Postfix smtpd_forbid_bare_newline=yes; Postern does by default)' },
  'starttls-missing': { severity: 'medium', fix: 'configure a certificate and key (ServerCertFile, ServerKeyFile)' },
  'starttls-failed': { severity: 'high', fix: "check the server's certificate, key and TLS settings" },
  'tls-old-protocol': { severity: 'medium', fix: 'allow TLS 1.2 and later only' },
  'starttls-injection': { severity: 'critical', fix: 'upgrade the server: plaintext pipelined behind STARTTLS must be discarded (CVE-2011-0411)' },
  'auth-cleartext': { severity: 'high', fix: 'offer PLAIN and LOGIN only after STARTTLS (sendmail AuthOptions=p)' },
  'pipelining-ehlo-tolerated': { severity: 'info', fix: 'none needed; stricter servers refuse an EHLO pipelined with other commands' },
  'check-skipped': { severity: 'info', fix: 'see the message' },
} as const satisfies Record<string, CheckInfo>;

export type CheckId = keyof typeof CHECKS;
