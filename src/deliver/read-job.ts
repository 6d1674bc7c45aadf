// The `read` job (UserFileAccess as an agent job, delivery-design.md): a .forward or :include: file read
// as its user, after the agent has become that user. The facts are gathered by routing's own reader, so
// the rules that judge them and the code that collects them are one.

import { readFileFacts } from '../route/read-facts.js';
import type { FileRead } from '../route/file-access.js';
import type { ReadJob } from './agent-protocol.js';

export function readAsUser(job: ReadJob): Promise<FileRead> {
  return readFileFacts(job.path, job.timeoutMs);
}
