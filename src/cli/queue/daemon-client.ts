// Asking the daemon over the control socket (src/control/): until the socket lands, nothing answers.

import type { EffectiveConfig } from '../../config/effective.js';
import type { Output } from './output.js';

export type DaemonAnswer = { reached: true; exit: number } | { reached: false; why: string };

export function askDaemon(_cfg: EffectiveConfig, _request: Record<string, unknown> & { kind: string }, _out: Output): Promise<DaemonAnswer> {
  return Promise.resolve({ reached: false, why: 'no control socket' });
}
