// What every check gets: the settings, the session runner (manners), where findings go, and what the
// first session learnt about the target.

import type { Finding } from '../../audit/findings.js';
import type { SessionRunner } from '../session.js';
import type { ProbeSettings } from '../settings.js';

export interface CheckContext {
  settings: ProbeSettings;
  runner: SessionRunner;
  findings: Finding[];
  /** D: --domain, or derived from the greeting */
  domain: string;
  /** [ip]: the target's address literal */
  literal: string;
  /** the extensions of the first session's EHLO */
  extensions: readonly string[];
}
