// Delivery status notifications: plan who gets which report (dsnTargets), write it (buildDsn).

export { buildDsn, dsnEnvelope } from './dsn.js';
export { dsnTargets, type DsnOutcome, type DsnPolicy, type DsnTargets, type LastResort, type ReportPlan } from './targets.js';
export { durationWords } from './duration-words.js';
export { notifyAllows, delayWarningAllowed } from './notify.js';
export { returnedContent, headerBlock } from './returned.js';
export type { BuiltDsn, DsnAction, DsnContext, DsnKind, DsnRecipient } from './types.js';
