// Shared steps of the SMTP conformance tests: expected replies rendered from the one reply table, and the
// few dialogues every file needs (EHLO, a transaction, a message). Everything goes through a real socket.

import assert from 'node:assert/strict';
import { REPLIES, render, replyText, type Vars } from '../../src/smtp/replies.js';
import type { RawClient } from '../helpers/raw-client.js';
import { TEST_HOST, type TestServer } from '../helpers/server.js';

export const J = TEST_HOST;
/** $_ of a client at 127.0.0.1 (named through /etc/hosts). */
export const LOCAL = 'localhost [127.0.0.1]';
/** A client at another loopback address: no PTR (the test DNS is dead), so $_ is the bracketed address. */
export const FOREIGN_IP = '127.0.0.2';
export const FOREIGN = `[${FOREIGN_IP}]`;

export type ReplyName = keyof typeof REPLIES;

/** One expected reply line from the table; `j` and `client` default to the local client's values. */
export function r(name: ReplyName, vars?: Vars, addr?: string): string {
  return render(REPLIES[name], { j: J, client: LOCAL, ...vars }, addr);
}

/** The EHLO reply for the given keywords (after the Hello line). */
export function ehloReply(keywords: readonly string[], client = LOCAL): string {
  const texts = [replyText(REPLIES.heloOk, { j: J, client }), ...keywords];
  return texts.map((t, i) => `250${i === texts.length - 1 ? ' ' : '-'}${t}`).join('\n');
}

/** The EHLO list of the Postern defaults without TLS and AUTH (smtp-session.md §5). */
export const DEFAULT_KEYWORDS = ['ENHANCEDSTATUSCODES', 'PIPELINING', '8BITMIME', 'SIZE 26214400', 'DSN', 'ETRN', 'HELP'];

type Expected = string | RegExp;

function check(got: string, want: Expected, what: string): void {
  if (typeof want === 'string') assert.equal(got, want, what);
  else assert.match(got, want, what);
}

/** Sends each command in turn (waiting for its reply) and compares the reply. */
export async function talk(c: RawClient, steps: ReadonlyArray<readonly [string, Expected]>): Promise<void> {
  for (const [line, want] of steps) check(await c.cmd(line), want, `reply to ${JSON.stringify(line)}`);
}

/** Reads the given replies in order (for pipelined input). */
export async function expectReplies(c: RawClient, wants: readonly Expected[]): Promise<void> {
  for (const [i, want] of wants.entries()) check(await c.text(), want, `pipelined reply #${i + 1}`);
}

/** Reads one reply, compares it, then waits for the server to close the connection. */
export async function expectClose(c: RawClient, want: Expected): Promise<void> {
  check(await c.text(), want, 'closing reply');
  await c.closed();
  assert.equal(c.pending, '', 'nothing after the closing reply');
}

/** EHLO from the local client, checked against the default list unless `keywords` says otherwise. */
export async function ehlo(c: RawClient, keywords: readonly string[] = DEFAULT_KEYWORDS, client = LOCAL): Promise<void> {
  assert.equal(await c.cmd('EHLO client.example'), ehloReply(keywords, client));
}

/** A session with EHLO done. */
export async function greeted(srv: TestServer, opts?: { localAddress?: string }): Promise<RawClient> {
  const c = await srv.session(opts);
  const client = opts?.localAddress !== undefined ? `[${opts.localAddress}]` : LOCAL;
  assert.match(await c.cmd('EHLO client.example'), new RegExp(`^250-${J.replace(/\./g, '\\.')} Hello ${client.replace(/[.[\]]/g, '\\$&')}, pleased`));
  return c;
}

/** MAIL and RCPTs, each expected to be accepted. */
export async function envelope(c: RawClient, from: string, rcpts: readonly string[]): Promise<void> {
  assert.equal(await c.cmd(`MAIL FROM:${from}`), r('senderOk', undefined, from));
  for (const to of rcpts) assert.equal(await c.cmd(`RCPT TO:${to}`), r('recipientOk', undefined, to));
}

/** DATA, 354, the raw text (which must end in CR LF or be empty), the final dot; returns the reply. */
export async function message(c: RawClient, text: string): Promise<string> {
  assert.equal(await c.cmd('DATA'), r('startData'));
  c.send(`${text}.\r\n`);
  return c.text();
}

const ACCEPTED = /^250 2\.0\.0 ([0-9A-Za-z]{14}) Message accepted for delivery$/;

/** The queue id of a `250 ... Message accepted for delivery` reply (asserting that it is one). */
export function qidOf(reply: string): string {
  const m = ACCEPTED.exec(reply);
  assert.ok(m, `not an acceptance: ${reply}`);
  return m[1]!;
}

/** A whole accepted message: envelope, text; returns the queue id. */
export async function deliver(c: RawClient, from: string, rcpts: readonly string[], text: string): Promise<string> {
  await envelope(c, from, rcpts);
  return qidOf(await message(c, text));
}

/** Ids of the queued messages whose text contains `marker` (for "nothing was queued" checks). */
export async function queuedWith(srv: TestServer, marker: string): Promise<string[]> {
  const out: string[] = [];
  for (const m of await srv.messages()) {
    if ((await srv.data(m.envelope.id)).includes(marker)) out.push(m.envelope.id);
  }
  return out;
}

/** Waits `ms` milliseconds. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Time `work` takes, in milliseconds. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await work();
  return { value, ms: performance.now() - t0 };
}

/** Escapes a string for use inside a RegExp. */
export function re(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
