// What a session may ask of the server that owns it. The server swaps `settings` and `directory` as a
// whole on SIGHUP; sessions read them per command, so a reload takes effect without dropping anyone.

import type { Logger } from 'pino';
import type { LocalDirectory } from '../policy/local-directory.js';
import type { Spool } from '../queue/spool.js';
import type { Policy } from '../policy/engine.js';
import type { SmtpSettings } from './settings.js';
import type { Session } from './session.js';

export interface SessionHost {
  readonly settings: SmtpSettings;
  readonly directory: LocalDirectory;
  readonly policy: Policy;
  readonly spool: Spool;
  readonly log: Logger;
  /** STARTTLS can be offered (a certificate and key are loaded). */
  readonly tlsOffered: boolean;
  /** Checks whether the certificate files changed (throttled) and loads them again if so. */
  refreshTls(): Promise<void>;
  /** Wraps the session's socket in TLS after `220 2.0.0 Ready to start TLS` (smtp-session.md §10.1). */
  startTls(session: Session): void;
  /** Postern's version ($v). */
  readonly version: string;
  /** The host's own non-loopback addresses, as ${client_addr} values (relaying from them is local). */
  readonly ownAddresses: ReadonlySet<string>;
  now(): number;
  /** Free space of the queue file system, refreshed in the background; undefined until known. */
  freeSpace(): { blocks: number; blockSize: number } | undefined;
  /** ETRN: start an asynchronous queue run for recipients at `node`. */
  etrn(node: string): void;
  /** The credential source for AUTH; undefined: AUTH is not offered (smtp-session.md §10.2). */
  readonly authenticator: Authenticator | undefined;
  /** Failed AUTH attempts per client address, across sessions (docs/auth.md). */
  readonly authFailures: AuthFailureCounter;
}

export interface Authenticator {
  /** True when `user` exists and `password` is theirs. */
  verify(user: string, password: Buffer): Promise<boolean>;
}

export interface AuthFailureCounter {
  /** Failures of this client in the current window. */
  count(ip: string, now: number): number;
  /** Counts one more failure and returns the new count. */
  add(ip: string, now: number): number;
}
