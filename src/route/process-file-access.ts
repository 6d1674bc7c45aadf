// A UserFileAccess that reads with the rights of the current process. Right where the process already
// is the user (an unprivileged Postern delivers for its own account only, and the delivery agent
// after it has dropped to the job's identity); a privileged process must read through the agent.

import type { FileRead, UserFileAccess } from './file-access.js';
import { readFileFacts } from './read-facts.js';
import type { Identity } from './types.js';

export class ProcessFileAccess implements UserFileAccess {
  read(path: string, _as: Identity, timeoutMs: number): Promise<FileRead> {
    return readFileFacts(path, timeoutMs);
  }
}
