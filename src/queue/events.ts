// What the spool tells its caller to log. The spool never logs by itself: the daemon, the CLI and
// the tests each decide where these go.

export type SpoolEventKind =
  | 'torn-tail' // a segment ended in an incomplete record (a crash while writing); it was cut off
  | 'bogus-segment' // SECURITY ALERT: damage or an unsafe file; the bytes were set aside as lost
  | 'bogus-record' // SECURITY ALERT: a checksummed record that does not decode; never processed
  | 'unknown-record' // a record type this version does not know (a newer writer); skipped
  | 'empty-segment' // a segment without records was removed
  | 'stale-lock' // a writer lock left by a process that no longer runs was taken over
  | 'mode-lowered' // QueueFileMode had group/other bits; they were masked off
  | 'write-failed'; // a batch could not be written; its commits were rejected

export interface SpoolEvent {
  kind: SpoolEventKind;
  level: 'info' | 'notice' | 'warning' | 'alert';
  message: string;
  /** The file concerned, relative to the queue directory. */
  file?: string;
}
