// From a final delivery (routing's answer) to the agent job that performs it, and the mailer name
// sendmail would log for it (local, prog, *file*, esmtp).

import type { AgentJob, MessageMeta } from '../deliver/agent-protocol.js';
import type { FinalDelivery } from '../route/types.js';
import type { JobSettings } from './runner-types.js';

export type LocalDelivery = Exclude<FinalDelivery, { kind: 'remote' }>;

export function mailerOf(d: FinalDelivery | undefined): string {
  switch (d?.kind) {
    case 'program':
      return 'prog';
    case 'file':
      return '*file*';
    case 'remote':
      return 'esmtp';
    default:
      return 'local';
  }
}

export function jobFor(d: LocalDelivery, meta: MessageMeta, s: JobSettings): AgentJob {
  switch (d.kind) {
    case 'mailbox':
      return { kind: 'mailbox', user: d.user, spoolDir: s.mailSpoolDirectory, format: s.mailboxFormat, maildir: s.maildirPath, meta };
    case 'file':
      return {
        kind: 'file',
        path: d.path,
        as: d.as,
        safeFileEnvironment: s.safeFileEnvironment,
        tempFileMode: s.tempFileMode,
        dontBlame: [...s.dontBlame],
        meta,
        openTimeoutMs: s.fileOpenTimeoutMs,
      };
    case 'program':
      return {
        kind: 'program',
        command: d.command,
        as: d.as,
        smrshDirectory: s.smrshDirectory,
        smrshPath: s.smrshPath,
        timeoutMs: s.progTimeoutMs,
        dontBlame: [...s.dontBlame],
        meta,
      };
  }
}
