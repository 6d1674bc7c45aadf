// The examples the spec gives (config-formats.md §3.3 and §4.2, aliases-forward.md §10), shared by the tests of
// the loaders, audit, routing and newaliases.

/** The hardened .mc of config-formats.md §3.3. */
export const HARDENED_MC = [
  'divert(-1)dnl',
  'divert(0)dnl',
  "VERSIONID(`example hardened mta')dnl",
  "OSTYPE(`linux')dnl",
  "DOMAIN(`generic')dnl",
  "define(`confPRIVACY_FLAGS', ``goaway,restrictmailq,restrictqrun'')dnl",
  "define(`confSMTP_LOGIN_MSG', `$j Sendmail; $b')dnl",
  "define(`confSAFE_FILE_ENV', `/var/mail-files')dnl",
  "define(`confTEMP_FILE_MODE', `0600')dnl",
  "define(`confQUEUE_FILE_MODE', `0600')dnl",
  "define(`confCOPY_ERRORS_TO', `postmaster,securitymaster')dnl",
  "define(`confTRUSTED_USER', `mailadm')dnl",
  "FEATURE(`smrsh')dnl",
  "FEATURE(`use_cw_file')dnl",
  "FEATURE(`access_db')dnl",
  "FEATURE(`blocklist_recipients')dnl",
  "FEATURE(`relay_hosts_only')dnl",
  "FEATURE(`dnsbl', `bl.example.org')dnl",
  "MAILER(`local')dnl",
  "MAILER(`smtp')dnl",
  '',
].join('\n');

/** The generated lines of config-formats.md §4.2 (with their VERSIONID markers). */
export const GENERATED_CF = [
  '#####  $Id: smrsh.m4,v 8.15 2013-11-22 20:51:11 ca Exp $  #####',
  '#####  $Id: access_db.m4,v 8.28 2013-11-22 20:51:11 ca Exp $  #####',
  '#####  $Id: relay_hosts_only.m4,v 8.11 2013-11-22 20:51:11 ca Exp $  #####',
  'V10/Berkeley',
  'Cwlocalhost',
  'Fw/etc/mail/local-host-names',
  'FR-o /etc/mail/relay-domains',
  'Kaccess hash -T<TMPF> /etc/mail/access',
  'DZ8.17.1.9',
  'O AliasFile=/etc/mail/aliases',
  'O QueueFileMode=0600',
  'O TempFileMode=0600',
  'O PrivacyOptions=goaway,restrictmailq,restrictqrun',
  'O PostmasterCopy=postmaster,securitymaster',
  'O QueueDirectory=/var/spool/mqueue',
  'O SafeFileEnvironment=/var/mail-files',
  'O SmtpGreetingMessage=$j Sendmail; $b',
  'O TrustedUser=mailadm',
  'Troot',
  'Tdaemon',
  'Tuucp',
  'Mprog,\t\tP=/usr/sbin/smrsh, F=lsDFMoqeu9, S=EnvFromL/HdrFromL, R=EnvToL/HdrToL, D=$z:/,',
  '\t\tT=X-Unix/X-Unix/X-Unix,',
  '\t\tA=smrsh -c $u',
  '',
].join('\n');

/** The alias file of aliases-forward.md §10 (routing, the alias map and newaliases are tested on it). */
export const SPEC_ALIASES = `# test aliases
postmaster: root
MAILER-DAEMON: postmaster
team: bob,
\tcarol
list: bob, carol, bob
owner-list: list-request
list-request: carol
loop1: loop2
loop2: loop1
erin: erin, erin@remote.example
direct: \\bob
prog: "|/usr/bin/vacation bob"
archive: /var/mail-archive/team
gone: error:5.1.1:550 This address is no longer in use
`;
