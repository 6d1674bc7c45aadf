// The contract between routing (this folder), the queue runner, the delivery agents and the DSN
// builder (/work/delivery-design.md): what one envelope recipient became after alias, :include: and
// .forward expansion (aliases-forward.md §8).

/** A local account as a delivery runs it: passwd name, uid, primary gid, home and login shell. */
export interface Identity {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** A delivery status: basic code, enhanced code, and the text after them (with any `<addr>... ` prefix). */
export interface StatusText {
  code: number;
  enh: string;
  text: string;
}

export type FinalDelivery =
  /** The local mailbox of `user`. */
  | { kind: 'mailbox'; user: Identity }
  /** Append to `path` (as written in the alias, .forward or :include: file), acting as `as`. */
  | { kind: 'file'; path: string; as: Identity }
  /** Run `command` (the text after `|`) through smrsh, acting as `as`. */
  | { kind: 'program'; command: string; as: Identity }
  | { kind: 'remote'; address: string };

export interface Expanded {
  /** Index of the envelope recipient this came from. */
  recipient: number;
  /** Absent when failed or deferred. */
  delivery?: FinalDelivery;
  /** Permanent failure: User unknown, loop, unsafe entry, error: alias, .REDIRECT... */
  failed?: StatusText;
  /** Temporary failure: .forward open timeout, alias database unavailable... (retried next queue run) */
  deferred?: StatusText;
  /**
   * For the DSN's Final-Recipient: the envelope recipient this came from, as stored in the envelope
   * (RFC 3464 §2.3.2: the address the sender gave, before expansion).
   */
  finalRecipient: string;
  /**
   * For X-Actual-Recipient: the address the delivery or failure really concerns — `user@<j>` for a
   * mailbox, `|command` for a program, the path for a file, the address for a remote delivery, the
   * element as written for a failure. A value starting with `|` or `/` is of type X-Unix, any other
   * rfc822. The DSN builder leaves it out when it equals finalRecipient or with noactualrecipient.
   */
  actualRecipient?: string;
  /** The owner-X rule (§8 rule 9): the envelope sender for this delivery; undefined = unchanged. */
  envelopeSender?: string;
  /** NOTIFY for this delivery; undefined = the envelope recipient gave none (default FAILURE,DELAY). */
  notify?: string[];
  /**
   * The delivery was reached through a list (an alias of more than one element, a .forward or a
   * :include: file): RFC 3461 §6.2.7.3, the envelope recipient is "expanded" and SUCCESS is not
   * passed on (already removed from `notify`).
   */
  expanded?: boolean;
  /** Duplicate suppression (§8 rule 7): each key is delivered once per message. */
  key: string;
}
