// The queue runner's settings from the effective configuration (queue-and-bounces.md §4–§6,
// program-and-file-delivery.md): plain values, so the runner itself never reads configuration.

import type { EffectiveConfig } from '../config/effective.js';
import { mailerName } from '../config/macros.js';
import type { RunnerSettings } from '../queue/runner-types.js';
import type { ScheduleOptions } from '../queue/schedule.js';
import type { Identity } from '../route/types.js';
import { expandMacros, lookupIn } from '../smtp/macros.js';
import type { HostNames } from './host-names.js';
import { jobPolicy } from './master-job-check.js';

export function scheduleOptions(cfg: EffectiveConfig): ScheduleOptions {
  const o = cfg.options;
  return {
    MinQueueAge: o.MinQueueAge,
    MaxQueueAge: o.MaxQueueAge,
    ClassFactor: o.ClassFactor,
    RecipientFactor: o.RecipientFactor,
    RetryFactor: o.RetryFactor,
    'Timeout.queuewarn.urgent': o['Timeout.queuewarn.urgent'],
    'Timeout.queuewarn.normal': o['Timeout.queuewarn.normal'],
    'Timeout.queuewarn.non-urgent': o['Timeout.queuewarn.non-urgent'],
    'Timeout.queuewarn.dsn': o['Timeout.queuewarn.dsn'],
    'Timeout.queuereturn.urgent': o['Timeout.queuereturn.urgent'],
    'Timeout.queuereturn.normal': o['Timeout.queuereturn.normal'],
    'Timeout.queuereturn.non-urgent': o['Timeout.queuereturn.non-urgent'],
    'Timeout.queuereturn.dsn': o['Timeout.queuereturn.dsn'],
    precedence: cfg.precedence,
  };
}

export function runnerSettings(cfg: EffectiveConfig, names: HostNames, defaultUser: Identity | undefined): RunnerSettings {
  const o = cfg.options;
  const n = mailerName(cfg);
  // PostmasterCopy and DoubleBounceAddress are macro-expanded at delivery time (§6.5, §6.6).
  const macros = lookupIn({ j: names.j, w: names.w, m: names.m, n });
  const expand = (s: string): string => expandMacros(s, macros).trim();
  const privacy = o.PrivacyOptions.flags;
  return {
    queueIntervalMs: o.QueueInterval,
    immediate: o.DeliveryMode !== 'queue',
    parallel: Math.max(1, o.MaxRunnersPerQueue),
    maxRunSize: o.MaxQueueRunSize,
    sortOrder: o.QueueSortOrder,
    schedule: scheduleOptions(cfg),
    jobs: jobPolicy(cfg, names.w),
    reports: {
      j: names.j,
      mailerName: n,
      postmasterCopy: (o.PostmasterCopy ?? []).map(expand).filter((a) => a !== ''),
      doubleBounceAddress: expand(o.DoubleBounceAddress),
      deadLetterDrop: o.DeadLetterDrop === undefined || o.DeadLetterDrop.trim() === '' ? undefined : o.DeadLetterDrop.trim(),
      noreceipts: privacy.has('noreceipts'),
      nobodyreturn: privacy.has('nobodyreturn'),
      noactualrecipient: privacy.has('noactualrecipient'),
    },
    deadLetterUser: defaultUser,
  };
}
