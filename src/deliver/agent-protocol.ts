// Stand-in for D2's src/deliver/agent-protocol.ts (branch agents): the contract of
// /work/delivery-design.md, verbatim, so the master/worker split builds before that branch lands.
// Take D2's file at the merge.

import type { Identity, StatusText } from '../route/types.js';
import type { FileRead } from '../route/file-access.js';

export interface MessageMeta { id: string; sender: string /* '' = <> */; recipient: string; created: number }
export type AgentJob =
  | { kind: 'mailbox'; user: Identity; spoolDir: string; format: 'mbox' | 'maildir'; maildir: string /* path template, $z = home */ ; meta: MessageMeta }
  | { kind: 'file'; path: string; as: Identity; safeFileEnvironment: string | undefined; tempFileMode: number; dontBlame: string[]; meta: MessageMeta }
  | { kind: 'program'; command: string; as: Identity; smrshDirectory: string; smrshPath: string; timeoutMs: number; dontBlame: string[]; meta: MessageMeta }
  | { kind: 'read'; path: string; as: Identity; timeoutMs: number };
export type AgentResult =
  | { status: 'delivered'; detail?: string }
  | { status: 'temp' | 'perm'; reply: StatusText; output?: string }
  | { status: 'read'; read: FileRead };
export interface DeliveryService { run(job: AgentJob, message?: Buffer): Promise<AgentResult> }
