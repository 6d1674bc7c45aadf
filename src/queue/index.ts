// The queue's public surface: what the SMTP server, the command line, mailq and the runner import.

export { Spool, DEFAULT_SEGMENT_BYTES, DEFAULT_WRITER_ID, type CommitListener, type SpoolOptions } from './spool.js';
export { SpoolReader, type QueuedMessage, type LostItem } from './reader.js';
export { checkQueueDirectory, freeSpace } from './directory.js';
export { SpoolSetupError, SpoolWriteError, type SpoolWriteErrorKind } from './errors.js';
export type { SpoolEvent, SpoolEventKind } from './events.js';
export type { SpoolStats } from './group-commit.js';
export type { Envelope, RecipientRecord } from './envelope.js';
export { isQueueId, queueIdTime } from './queue-id.js';
export type { MessageState, RecipientState, RecipientStatus, RecipientUpdate, StateUpdate } from './state.js';
export { MessageLocks, type MessageLock } from './message-lock.js';
