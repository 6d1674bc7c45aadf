// Every check `postern audit` can report (audit-and-probe.md §2.2): its id, default severity, the fix
// text of the spec, one sentence on why it matters, and the .mc / .cf / postern.conf lines that fix it
// where one line does. Checks take their texts from here so that each is written once.

import type { FixLines, Severity } from './findings.js';
import type { RuleInfo } from './report-sarif.js';

export interface CheckInfo {
  severity: Severity;
  title: string;
  fix: string;
  why: string;
  fixes?: FixLines;
}

const SMRSH_FIXES: FixLines = {
  mc: "FEATURE(`smrsh')dnl",
  cf: 'Mprog, P=/usr/sbin/smrsh, F=lsDFMoqeu9, S=EnvFromL/HdrFromL, R=EnvToL/HdrToL, D=$z:/, T=X-Unix/X-Unix/X-Unix, A=smrsh -c $u',
  conf: 'ProgMailer = smrsh',
};

const GREETING_FIXES: FixLines = {
  mc: "define(`confSMTP_LOGIN_MSG', `$j ESMTP; $b')dnl",
  cf: 'O SmtpGreetingMessage=$j ESMTP; $b',
  conf: 'SmtpGreetingMessage = $j Postern; $b',
};

/** The three lines that set one option (m4 name, cf name, value). */
export function optionFixes(m4: string | undefined, name: string, value: string): FixLines {
  const mc = m4 === undefined ? undefined : value.includes(',') ? `define(\`${m4}', \`\`${value}'')dnl` : `define(\`${m4}', \`${value}')dnl`;
  return { ...(mc !== undefined ? { mc } : {}), cf: `O ${name}=${value}`, conf: `${name} = ${value}` };
}

function featureFixes(feature: string, confArgs = ''): FixLines {
  const mcArgs = confArgs === '' ? '' : `, \`${confArgs}'`;
  return { mc: `FEATURE(\`${feature}'${mcArgs})dnl`, conf: `Feature ${feature}${confArgs === '' ? '' : `, ${confArgs}`}` };
}

export const CHECKS = {
  // Program delivery and smrsh
  'prog-mailer-shell': {
    severity: 'critical',
    title: 'the prog mailer runs a shell',
    fix: "FEATURE(`smrsh')",
    why: 'Any program alias, .forward or :include: entry then runs arbitrary shell commands, and a forged or mistaken alias becomes remote code execution.',
    fixes: SMRSH_FIXES,
  },
  'prog-mailer-external': {
    severity: 'high',
    title: 'the prog mailer is a program that is neither smrsh nor a shell',
    fix: 'use smrsh',
    why: 'Only smrsh restricts program deliveries to an allowlist; another program may run whatever the alias names.',
    fixes: SMRSH_FIXES,
  },
  'smrsh-dir-missing': {
    severity: 'info',
    title: 'the smrsh directory does not exist',
    fix: 'create it, owned by root, mode 0755',
    why: 'No program can run, which is safe, but every program alias and .forward pipe fails.',
  },
  'smrsh-dir-unsafe': {
    severity: 'high',
    title: 'the smrsh directory is not owned by root or is writable by group or others',
    fix: 'chown root, chmod go-w',
    why: 'Whoever can write to the allowlist directory can link any program into it, a shell included.',
  },
  'smrsh-interpreter': {
    severity: 'critical',
    title: 'the smrsh directory allows a shell, interpreter or similar program',
    fix: 'remove the entry',
    why: 'An interpreter in the allowlist runs whatever code the mail or the alias hands it, which is exactly what smrsh exists to prevent.',
  },
  'smrsh-procmail': {
    severity: 'medium',
    title: 'the smrsh directory allows procmail',
    fix: 'use a local delivery agent instead, or accept the risk knowingly',
    why: "A user's .procmailrc can run any program, which defeats smrsh (smrsh(8)), although the seed suggests adding procmail.",
  },
  'smrsh-entry-writable': {
    severity: 'high',
    title: 'an smrsh entry points to a program not owned by root or writable by group or others',
    fix: 'chown root, chmod go-w on the target',
    why: 'Whoever can rewrite the allowed program can make mail run anything.',
  },
  // Aliases
  'alias-decode-program': {
    severity: 'critical',
    title: 'the decode alias runs a program',
    fix: 'delete the decode alias, run newaliases',
    why: 'uudecode writes a file whose path the sender chooses, so anyone on the Internet can create or overwrite files.',
  },
  'alias-decode': {
    severity: 'low',
    title: 'a decode alias exists',
    fix: 'delete it',
    why: 'The seed deletes decode entirely; a harmless trap today is one edit away from the historic hole.',
  },
  'alias-program-interpreter': {
    severity: 'critical',
    title: 'an alias, :include: or .forward pipes mail into an interpreter',
    fix: 'remove the element',
    why: 'A shell, interpreter or stream editor fed by mail runs code chosen by whoever sends the message.',
  },
  'alias-program': {
    severity: 'info',
    title: 'a program alias, listed for review',
    fix: 'confirm it is needed; link only that program into the smrsh directory',
    why: 'Every program alias is reachable by anyone who can send mail, so each one should be known and wanted.',
  },
  'alias-program-not-allowed': {
    severity: 'info',
    title: 'a program alias whose command is not in the smrsh directory',
    fix: 'link it or remove the alias',
    why: 'smrsh refuses the command, so the alias always fails and its mail bounces.',
  },
  'alias-file-target': {
    severity: 'info',
    title: 'an alias delivers to a file',
    fix: 'keep file targets under SafeFileEnvironment',
    why: 'File deliveries write with the rights of the alias owner; without SafeFileEnvironment they may reach devices and FIFOs.',
  },
  'alias-pseudo-accounts': {
    severity: 'info',
    title: 'aliases the seed deletes are present',
    fix: 'delete those not needed',
    why: 'Each unused pseudo-account alias is another deliverable name for probes and spam.',
  },
  'alias-postmaster-missing': {
    severity: 'high',
    title: 'no postmaster alias or user',
    fix: 'postmaster: root (and alias root to a person)',
    why: 'RFC 5321 requires postmaster; without it, abuse reports and bounce problems are lost.',
  },
  'alias-root-unread': {
    severity: 'low',
    title: 'root is not aliased to a person',
    fix: 'root: <admin>',
    why: 'Mail to root, including security reports and bounce copies, is usually never read.',
  },
  'alias-syntax': {
    severity: 'medium',
    title: 'an alias file line that newaliases rejects',
    fix: 'fix the line',
    why: 'newaliases leaves the entry out, so mail to that name fails or reaches the wrong place.',
  },
  'alias-db-stale': {
    severity: 'medium',
    title: 'the alias database is older than its text file, or missing',
    fix: 'run newaliases',
    why: 'The server reads only the compiled database, so the alias file being looked at is not the one in use.',
  },
  'alias-file-unsafe': {
    severity: 'high',
    title: 'an alias file, or a directory on its path, is not owned by root/TrustedUser or is writable by group or others',
    fix: 'chown root, chmod go-w',
    why: 'Whoever can write an alias file can add a program alias and run commands as the default user.',
  },
  // PrivacyOptions
  'privacy-expn': {
    severity: 'high',
    title: 'noexpn is not in effect',
    fix: 'add goaway (or noexpn)',
    why: 'EXPN reveals the members of aliases and mailing lists to anyone who connects.',
  },
  'privacy-vrfy': {
    severity: 'medium',
    title: 'novrfy is not in effect',
    fix: 'add goaway (or novrfy)',
    why: 'VRFY lets anyone confirm which accounts exist, which helps spammers and password guessers.',
  },
  'privacy-verb': {
    severity: 'low',
    title: 'neither noverb nor noexpn is in effect',
    fix: 'add goaway',
    why: 'VERB shows the delivery conversation, which leaks the same information as EXPN.',
  },
  'privacy-needmailhelo': {
    severity: 'low',
    title: 'needmailhelo is not in effect',
    fix: 'add goaway',
    why: 'Clients can send mail without introducing themselves, which many spam engines do.',
  },
  'privacy-authwarnings': {
    severity: 'low',
    title: 'authwarnings is not in effect',
    fix: 'add authwarnings',
    why: 'Without X-Authentication-Warning headers, forged senders and missing HELO go unmarked.',
  },
  'privacy-restrictmailq': {
    severity: 'medium',
    title: 'restrictmailq is not set',
    fix: 'add restrictmailq',
    why: 'Any local user can list the senders and recipients of all queued mail.',
  },
  'privacy-restrictqrun': {
    severity: 'medium',
    title: 'restrictqrun is not set',
    fix: 'add restrictqrun',
    why: 'Any local user can start queue runs and play timing games with the queue.',
  },
  'privacy-goaway-keeps-dsn': {
    severity: 'info',
    title: 'goaway does not disable DSN',
    fix: 'add noreceipts only if DSN must be off',
    why: 'Older documentation and the seed say goaway turns DSN off; since sendmail 8.10 it does not.',
  },
  'privacy-restrictexpand': {
    severity: 'low',
    title: 'restrictexpand is not set',
    fix: 'add restrictexpand',
    why: "Local users can read other users' .forward and :include: targets with sendmail -bv.",
  },
  'privacy-noetrn': {
    severity: 'info',
    title: 'noetrn is not set',
    fix: 'add noetrn if ETRN is not used',
    why: 'ETRN lets anyone on the Internet trigger queue runs for a domain.',
  },
  // Greeting
  'greeting-discloses-version': {
    severity: 'info',
    title: 'the SMTP greeting shows a version',
    fix: '$j Postern; $b or $j ESMTP',
    why: 'A version number tells attackers which known vulnerabilities to try first.',
    fixes: GREETING_FIXES,
  },
  'greeting-missing-fqdn': {
    severity: 'medium',
    title: 'the SMTP greeting does not start with $j',
    fix: 'start it with $j',
    why: "RFC 5321 §4.3.1 requires the greeting to start with the server's name; some clients refuse servers that do not.",
    fixes: GREETING_FIXES,
  },
  'help-discloses-version': {
    severity: 'info',
    title: "the help file's smtp topic shows $v",
    fix: 'edit the help file',
    why: 'HELP answers anyone who connects, so the version leaks even when the greeting hides it.',
  },
  // Queue
  'queue-dir-writable': {
    severity: 'high',
    title: 'the queue directory is writable by group or others, or is a symbolic link',
    fix: 'chmod 0700',
    why: 'Whoever can write the queue can inject, alter or delete messages.',
  },
  'queue-dir-readable': {
    severity: 'medium',
    title: 'the queue directory is readable or searchable by group or others',
    fix: 'chmod 0700',
    why: 'The seed keeps the queue 0700 so that queued mail and its envelopes stay private.',
  },
  'queue-dir-owner': {
    severity: 'high',
    title: 'the queue directory is not owned by the queue owner',
    fix: 'chown',
    why: 'The owner of the queue directory controls all queued mail and, with restrictqrun, queue runs.',
  },
  'queue-file-mode': {
    severity: 'medium',
    title: 'QueueFileMode grants group or other bits',
    fix: 'QueueFileMode=0600',
    why: 'Queue files hold whole messages; group or other bits let other accounts read them.',
    fixes: optionFixes('confQUEUE_FILE_MODE', 'QueueFileMode', '0600'),
  },
  'temp-file-mode': {
    severity: 'medium',
    title: 'TempFileMode grants group or other bits',
    fix: 'TempFileMode=0600',
    why: 'Temporary files hold message text; group or other bits let other accounts read them.',
    fixes: optionFixes('confTEMP_FILE_MODE', 'TempFileMode', '0600'),
  },
  'queue-files-exposed': {
    severity: 'high',
    title: 'queue files are readable by group or others',
    fix: 'chmod 0600 them; fix the modes above',
    why: 'These files are the messages themselves; anyone who can read them reads the mail.',
  },
  // Configuration files
  'config-file-unsafe': {
    severity: 'high',
    title: 'a configuration file, or a directory on its path, is not owned by root/TrustedUser or is writable by group or others',
    fix: 'chown root, chmod go-w',
    why: 'Whoever can write the configuration controls what the mail system runs and whom it relays for.',
  },
  'config-not-immutable': {
    severity: 'info',
    title: 'configuration files lack the immutable attribute',
    fix: 'chattr +i <file> after the configuration is final',
    why: 'The seed sets chattr +i so that even root cannot change the configuration by accident or through an exploit without first removing the flag.',
  },
  'cf-no-feature-markers': {
    severity: 'medium',
    title: 'a sendmail.cf without VERSIONID marker lines',
    fix: 'regenerate the cf from an .mc',
    why: 'Without the markers the FEATUREs, and so the relay policy, cannot be audited.',
  },
  'cf-hand-edited': {
    severity: 'info',
    title: 'the sendmail.cf differs from what its .mc generates',
    fix: 'regenerate with m4',
    why: 'Hand edits are lost the next time the cf is generated, and the .mc no longer describes the running configuration.',
  },
  'hardening-floor-off': {
    severity: 'high',
    title: 'HardeningFloor=False',
    fix: 'remove it',
    why: "Imported sendmail files can then weaken every one of Postern's hardened defaults.",
    fixes: { conf: 'HardeningFloor = True' },
  },
  // Relaying and the access map
  'relay-promiscuous': {
    severity: 'critical',
    title: 'FEATURE(promiscuous_relay)',
    fix: 'remove it',
    why: "An open relay sends anyone's spam under your name and gets your addresses blocklisted.",
  },
  'relay-local-from': {
    severity: 'high',
    title: 'FEATURE(relay_local_from)',
    fix: 'remove it; use SMTP AUTH',
    why: 'Anyone who forges a local sender address may relay, and forging a sender is trivial.',
  },
  'relay-mail-from': {
    severity: 'high',
    title: 'FEATURE(relay_mail_from)',
    fix: 'remove it; use SMTP AUTH',
    why: 'Relaying is granted on the envelope sender, which any client can forge.',
  },
  'relay-loose-check': {
    severity: 'high',
    title: 'FEATURE(loose_relay_check)',
    fix: 'remove it',
    why: 'user%evil@relaydomain is then accepted, turning every relay domain into a relay to anywhere.',
  },
  'relay-based-on-mx': {
    severity: 'medium',
    title: 'FEATURE(relay_based_on_MX)',
    fix: 'list the domains in relay-domains instead',
    why: 'Anyone can point an MX record at this host and relay through it.',
  },
  'relay-entire-domain-tld': {
    severity: 'high',
    title: 'FEATURE(relay_entire_domain) with a one-label $m',
    fix: 'use relay-domains',
    why: 'Every host in the domain $m may relay; when $m is a top-level domain that is most of the Internet.',
  },
  'relay-class-broad': {
    severity: 'high',
    title: 'a relay entry covers a whole top-level domain or a huge network',
    fix: 'narrow the entry',
    why: 'A relay entry for a TLD or a one-octet network lets a large part of the Internet relay through this host.',
  },
  'relay-class-private-net': {
    severity: 'info',
    title: 'a relay entry for a private network, listed for review',
    fix: '—',
    why: 'Private networks are fine for an internal relay, but every host in them may relay.',
  },
  'relay-hosts-only-missing': {
    severity: 'low',
    title: 'class R holds host names but FEATURE(relay_hosts_only) is absent',
    fix: 'add relay_hosts_only if subdomains are not meant',
    why: 'Without relay_hosts_only every subdomain of each entry may relay too.',
    fixes: featureFixes('relay_hosts_only'),
  },
  'access-untagged': {
    severity: 'medium',
    title: 'an access entry without a tag',
    fix: 'add Connect: / From: / To:',
    why: 'An untagged entry applies to Connect, From and To at once; with blocklist_recipients a REJECT also blocks mail to it.',
  },
  'access-numeric-rhs': {
    severity: 'low',
    title: 'an access value written "ddd text"',
    fix: 'use ERROR:',
    why: 'The bare numeric form is deprecated and easy to misread; ERROR: states the intent.',
  },
  'access-db-stale': {
    severity: 'medium',
    title: 'the access text source is newer than access.db',
    fix: 'run makemap',
    why: 'sendmail reads only access.db, so the entries being looked at are not the ones in force.',
  },
  'access-db-missing': {
    severity: 'info',
    title: 'no access map',
    fix: "FEATURE(`access_db')",
    why: 'Without an access map no client, sender or recipient can be blocked or exempted.',
    fixes: { mc: "FEATURE(`access_db')dnl", cf: 'Kaccess hash -T<TMPF> -o /etc/mail/access', conf: 'Feature access_db' },
  },
  'feature-rbl-removed': {
    severity: 'medium',
    title: 'FEATURE(rbl)',
    fix: "FEATURE(`dnsbl', <zone>)",
    why: 'rbl was removed in sendmail 8.10 and m4 fails on it, so the running cf is not the one this .mc describes.',
    fixes: featureFixes('dnsbl', '<zone>'),
  },
  'feature-blacklist-name': {
    severity: 'info',
    title: 'FEATURE(blacklist_recipients) (deprecated name)',
    fix: "FEATURE(`blocklist_recipients')",
    why: 'The old name still works but is deprecated and may disappear.',
    fixes: featureFixes('blocklist_recipients'),
  },
  'dnsbl-none': {
    severity: 'info',
    title: 'no dnsbl or enhdnsbl feature',
    fix: 'consider a DNS blocklist',
    why: 'A DNS blocklist refuses known spam sources before they send anything.',
    fixes: featureFixes('dnsbl', '<zone>'),
  },
  'accept-unresolvable-domains': {
    severity: 'low',
    title: 'FEATURE(accept_unresolvable_domains)',
    fix: 'remove it',
    why: 'Mail from sender domains that do not exist is accepted, and its bounces cannot be delivered.',
  },
  'accept-unqualified-senders': {
    severity: 'low',
    title: 'unqualified senders accepted from the network',
    fix: 'remove it',
    why: 'Sender addresses without a domain cannot be answered and are typical of broken or abusive clients.',
  },
  // Files, users, shells
  'safe-file-env-unset': {
    severity: 'high',
    title: 'SafeFileEnvironment is unset',
    fix: 'SafeFileEnvironment=/ or a directory',
    why: "File deliveries may write to devices, FIFOs and other files anywhere the delivering user can write.",
    fixes: optionFixes('confSAFE_FILE_ENV', 'SafeFileEnvironment', '/'),
  },
  'default-user-root': {
    severity: 'critical',
    title: 'DefaultUser is root',
    fix: 'a dedicated unprivileged account',
    why: 'Programs and files reached through the system aliases would run and write as root.',
    fixes: optionFixes('confDEF_USER_ID', 'DefaultUser', 'nobody'),
  },
  'trusted-user-login': {
    severity: 'low',
    title: 'TrustedUser names an account with a valid login shell',
    fix: 'use a dedicated account with a nologin shell',
    why: 'TrustedUser may own and rewrite the configuration; an account that can log in widens who holds that power.',
  },
  'postmaster-copy-unset': {
    severity: 'low',
    title: 'PostmasterCopy is unset',
    fix: 'PostmasterCopy=postmaster (plus the security contact)',
    why: 'The seed sends copies of bounces, which reveal break-in attempts, to the security administrator.',
    fixes: optionFixes('confCOPY_ERRORS_TO', 'PostmasterCopy', 'postmaster'),
  },
  'shells-nologin-listed': {
    severity: 'high',
    title: '/etc/shells lists a program that is not a login shell',
    fix: 'remove the line',
    why: 'Users meant not to log in could then run programs and write files through .forward.',
  },
  'shells-any-shell': {
    severity: 'high',
    title: '/etc/shells contains /SENDMAIL/ANY/SHELL/',
    fix: 'remove the line',
    why: 'Every shell, nologin and false included, then counts as valid for program and file deliveries.',
  },
  'dont-blame-sendmail': {
    severity: 'medium',
    title: 'a DontBlameSendmail flag other than Safe',
    fix: 'remove the flag',
    why: 'Each flag switches off one of the file safety checks that keep other users from taking over deliveries.',
  },
  'unsafe-group-writes-off': {
    severity: 'medium',
    title: 'UnsafeGroupWrites=False',
    fix: 'remove it',
    why: 'Group-writable .forward and :include: files may then run programs for whoever else is in the group.',
    fixes: optionFixes('confUNSAFE_GROUP_WRITES', 'UnsafeGroupWrites', 'True'),
  },
  'forward-unsafe': {
    severity: 'medium',
    title: "a user's .forward that Postern would ignore or mark unsafe",
    fix: 'fix the file or directory modes',
    why: 'The user expects the forwarding to work; it is ignored, or its programs and files refused, until the modes are fixed.',
  },
  // SMTP engine
  'strict-crlf-off': {
    severity: 'high',
    title: 'StrictCRLF=False',
    fix: 'remove it',
    why: 'Tolerating bare LF or CR weakens the defence against SMTP smuggling.',
    fixes: { conf: 'StrictCRLF = True' },
  },
  'strict-pipelining-off': {
    severity: 'medium',
    title: 'StrictPipelining=False',
    fix: 'remove it',
    why: 'Commands sent ahead of the greeting or of a DATA reply are typical of spam engines and smuggling attempts.',
    fixes: { conf: 'StrictPipelining = True' },
  },
  'reject-nul-off': {
    severity: 'low',
    title: 'RejectNUL=False',
    fix: 'remove it',
    why: 'NUL bytes in message text confuse filters and mail stores that treat them as the end of a string.',
    fixes: optionFixes('confREJECT_NUL', 'RejectNUL', 'True'),
  },
  'limits-unbounded': {
    severity: 'low',
    title: 'a size, recipient or connection limit is unlimited',
    fix: 'set a limit',
    why: 'Unlimited sizes, recipients or daemon children let one client exhaust disk, memory or processes.',
  },
  'auth-cleartext': {
    severity: 'high',
    title: 'AUTH PLAIN/LOGIN offered without TLS',
    fix: 'AuthOptions=p',
    why: 'Passwords then cross the network in clear text where anyone on the path can read them.',
    fixes: optionFixes('confAUTH_OPTIONS', 'AuthOptions', 'p'),
  },
  'sendmail-smuggling-fix': {
    severity: 'info',
    title: 'sendmail before 8.18 may accept <LF>.<CR><LF> as end of data (CVE-2023-51765)',
    fix: 'upgrade or verify the package; run postern probe --smuggling',
    why: 'An unpatched binary lets a sender smuggle a second, forged message through this server.',
  },
  // Facts about the audit itself
  'floor-applied': {
    severity: 'info',
    title: 'the hardening floor changed an imported value',
    fix: 'none needed; change the imported file to match',
    why: 'The imported sendmail configuration would run weaker than Postern runs it.',
  },
  'check-skipped': {
    severity: 'info',
    title: 'a check could not be made',
    fix: 'run as root, or audit a copy with --root',
    why: 'A check that cannot be made proves nothing either way.',
  },
  'config-warning': {
    severity: 'info',
    title: 'a warning from reading the configuration',
    fix: 'see the message',
    why: 'Warnings mark settings Postern reads differently from what the file says, or ignores.',
  },
  'unsupported-construct': {
    severity: 'info',
    title: 'a sendmail construct Postern v1 does not implement',
    fix: 'review it by hand',
    why: 'The audit cannot judge what it cannot read; the construct is valid sendmail.',
  },
} satisfies Record<string, CheckInfo>;

export type CheckId = keyof typeof CHECKS;

export function checkInfo(id: CheckId): CheckInfo {
  return CHECKS[id];
}

/** The SARIF rules: every check with its default severity. */
export function auditRules(): RuleInfo[] {
  return Object.entries(CHECKS).map(([id, c]) => ({ id, severity: c.severity, title: c.title, fix: c.fix, why: c.why }));
}
