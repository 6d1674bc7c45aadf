// The root master makes the control socket's directory for the worker, which creates the socket as
// RunAsUser. Only a directory the master creates is handed over: an existing one (/tmp, a site's own
// directory) keeps its owner, and the worker then needs write access there itself.

import { chown, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { UserEntry } from '../maps/users.js';

export async function prepareControlDirectory(socketPath: string, user: UserEntry): Promise<void> {
  const dir = dirname(socketPath);
  const created = await mkdir(dir, { recursive: true, mode: 0o755 });
  if (created !== undefined) await chown(dir, user.uid, user.gid);
}
