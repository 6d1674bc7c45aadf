// Where the daemon's control socket is: the ControlSocket option, else next to the embedded daemon's
// spool (its working directory), else /run/postern/control (the master creates /run/postern for the
// worker). Commands and daemon resolve it the same way, so both find the same path.

import { dirname, resolve } from 'node:path';
import type { EffectiveConfig } from '../config/effective.js';

export const SYSTEM_CONTROL_SOCKET = '/run/postern/control';
export const EMBEDDED_CONTROL_SOCKET = 'postern-control.sock';

export function controlSocketPath(cfg: EffectiveConfig): string {
  const set = cfg.options.ControlSocket;
  if (set !== undefined && set !== '') return resolve(set);
  if (cfg.embedded) return resolve(dirname(resolve(cfg.options.QueueDirectory)), EMBEDDED_CONTROL_SOCKET);
  return SYSTEM_CONTROL_SOCKET;
}
