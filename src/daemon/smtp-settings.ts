// EffectiveConfig → SmtpSettings: the one place that knows which options the SMTP engine uses and in
// which unit, so the hot path never looks options up by name.

import type { EffectiveConfig } from '../config/effective.js';
import { configVersion, mailerName } from '../config/macros.js';
import type { ListenerSettings, PrivacyFlags, SmtpSettings } from '../smtp/settings.js';
import type { HostNames } from './host-names.js';
import { isSupported } from '../smtp/sasl.js';

function privacyFlags(flags: ReadonlySet<string>): PrivacyFlags {
  const f = (n: string): boolean => flags.has(n);
  return {
    needmailhelo: f('needmailhelo'),
    needexpnhelo: f('needexpnhelo'),
    needvrfyhelo: f('needvrfyhelo'),
    noexpn: f('noexpn'),
    novrfy: f('novrfy'),
    noverb: f('noverb'),
    noetrn: f('noetrn'),
    authwarnings: f('authwarnings'),
    noreceipts: f('noreceipts'),
    nobodyreturn: f('nobodyreturn'),
    noactualrecipient: f('noactualrecipient'),
    restrictmailq: f('restrictmailq'),
    restrictqrun: f('restrictqrun'),
    restrictexpand: f('restrictexpand'),
  };
}

const EIGHT_BIT: Record<string, 'm' | 'p' | 's'> = { mimefy: 'm', pass8: 'p', strict: 's' };

export function smtpSettings(cfg: EffectiveConfig, names: HostNames, version: string): SmtpSettings {
  const o = cfg.options;
  const listeners: ListenerSettings[] = cfg.listeners.map((l) => ({
    name: l.name,
    addr: l.addr,
    port: l.port,
    family: l.family === 'inet6' ? 'inet6' : 'inet',
    backlog: l.backlog ?? 4096,
    modifiers: l.modifierLetters,
  }));
  return {
    hostname: names.j,
    macros: {
      j: names.j,
      w: names.w,
      m: names.m,
      v: version,
      Z: configVersion(cfg, version),
      n: mailerName(cfg),
    },
    greeting: o.SmtpGreetingMessage,
    privacy: privacyFlags(o.PrivacyOptions.flags),
    maxMessageSize: o.MaxMessageSize,
    maxRecipients: o.MaxRecipientsPerMessage,
    maxHeadersLength: o.MaxHeadersLength,
    maxHopCount: o.MaxHopCount,
    maxCommandLength: o.MaxCommandLength,
    maxNoopCommands: o.MaxNOOPCommands,
    minFreeBlocks: o.MinFreeBlocks,
    badRcptThrottle: o.BadRcptThrottle,
    rejectNul: o.RejectNUL,
    strictCRLF: o.StrictCRLF,
    strictPipelining: o.StrictPipelining,
    eightBitMode: EIGHT_BIT[o.EightBitMode] ?? 'p',
    smtputf8: o.SMTPUTF8,
    sendMimeErrors: o.SendMimeErrors,
    allowBogusHelo: o.AllowBogusHELO,
    timeouts: {
      command: o['Timeout.command'],
      datablock: o['Timeout.datablock'],
      starttls: o['Timeout.starttls'],
      auth: o['Timeout.auth'],
    },
    penaltyBase: o.SmtpPenaltyBase,
    maxPenaltyDelay: o.MaxPenaltyDelay,
    maxDaemonChildren: o.MaxDaemonChildren,
    maxConnectionsPerClient: o.MaxConnectionsPerClient,
    connectionRateThrottle: o.ConnectionRateThrottle,
    listeners,
    auth: authSettings(cfg),
  };
}

function authSettings(cfg: EffectiveConfig): SmtpSettings['auth'] {
  const o = cfg.options;
  const mechanisms = [...new Set(o.AuthMechanisms.map((m) => m.toUpperCase()).filter(isSupported))];
  const trustWords = (cfg.classes['TrustAuthMech'] ?? []).map((e) => e.word.toUpperCase());
  return {
    mechanisms,
    requireTls: o.AuthOptions.includes('p'),
    trusted: trustWords.length > 0 ? new Set(trustWords) : undefined,
    maxFailures: o.AuthMaxFailures,
    failureWindow: o.AuthFailureWindow,
  };
}
