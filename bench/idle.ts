// The idle-connection test: open N SMTP connections (greeting and EHLO done), hold them, and measure
// how much the server's memory grew. Connections are spread over several loopback source addresses
// so that no single address runs out of ephemeral ports.

import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcSample } from './proc.js';
import { ReplyReader } from './reply-reader.js';

export interface IdleOptions {
  host: string;
  port: number;
  connections: number;
  holdSec: number;
  /** Source addresses, used round robin; empty: the system's choice. */
  localAddresses: readonly string[];
  /** Connections being opened at the same time (keeps the server's accept queue from overflowing). */
  openConcurrency: number;
  timeoutMs: number;
  ehlo: Buffer;
  /** Samples the server; undefined when the server cannot be measured. */
  sample?: () => ProcSample;
}

export interface IdleResult {
  requested: number;
  established: number;
  /** Failed openings by reason (e.g. "connect ECONNREFUSED", "greeting 421"). */
  failures: Record<string, number>;
  /** Established connections the server closed during the hold. */
  droppedDuringHold: number;
  openMs: number;
  holdMs: number;
  before?: ProcSample;
  after?: ProcSample;
  /** Server RSS (KiB) sampled during the hold, oldest first. */
  rssDuringHoldKiB: number[];
}

/** Samples every `everyMs` until two consecutive samples' RSS are within 1% (at most `maxTries` samples); returns the last. */
export async function settledSample(sample: () => ProcSample, everyMs: number, maxTries = 8): Promise<ProcSample> {
  let prev = sample();
  for (let i = 1; i < maxTries; i++) {
    await sleep(everyMs);
    const cur = sample();
    if (Math.abs(cur.rssKiB - prev.rssKiB) <= prev.rssKiB * 0.01) return cur;
    prev = cur;
  }
  return prev;
}

interface Held {
  socket: Socket;
  open: boolean;
}

export async function runIdle(opts: IdleOptions): Promise<IdleResult> {
  const failures: Record<string, number> = {};
  const fail = (why: string): void => {
    failures[why] = (failures[why] ?? 0) + 1;
  };
  // Short holds (tests) sample faster; a real run samples twice a second.
  const every = Math.max(50, Math.min(500, (opts.holdSec * 1000) / 4));
  const before = opts.sample === undefined ? undefined : await settledSample(opts.sample, every);
  const held: Held[] = [];
  let dropped = 0;
  let holding = false;

  const openOne = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const addrs = opts.localAddresses;
      const socket = connect({
        host: opts.host,
        port: opts.port,
        ...(addrs.length > 0 ? { localAddress: addrs[i % addrs.length] } : {}),
      });
      const entry: Held = { socket, open: false };
      let step = 0; // 0 greeting, 1 EHLO, 2 established
      let settled = false;
      const done = (why: string | undefined): void => {
        if (settled) return;
        settled = true;
        socket.setTimeout(0);
        if (why === undefined) {
          entry.open = true;
          held.push(entry);
        } else {
          fail(why);
          socket.destroy();
        }
        resolve();
      };
      const reader = new ReplyReader({
        reply: (code) => {
          if (step === 0) {
            if (code !== 220) return done(`greeting ${code}`);
            step = 1;
            socket.write(opts.ehlo);
          } else if (step === 1) {
            if (code !== 250) return done(`EHLO ${code}`);
            step = 2;
            done(undefined);
          }
        },
        malformed: () => done('malformed reply'),
      });
      socket.setTimeout(opts.timeoutMs);
      socket.on('data', (c: Buffer) => reader.push(c));
      socket.on('timeout', () => done(step === 0 ? 'no greeting (timeout)' : 'no EHLO reply (timeout)'));
      socket.on('error', (err: NodeJS.ErrnoException) => done(`${step === 0 ? 'connect' : 'socket'} ${err.code ?? err.message}`));
      socket.on('close', () => {
        if (entry.open && holding) dropped++;
        entry.open = false;
        done(`closed by the server (${step === 0 ? 'before the greeting' : 'after the greeting'})`);
      });
    });

  const openStart = performance.now();
  let nextIndex = 0;
  const worker = async (): Promise<void> => {
    while (nextIndex < opts.connections) await openOne(nextIndex++);
  };
  await Promise.all(Array.from({ length: Math.min(opts.openConcurrency, opts.connections) }, worker));
  const openMs = performance.now() - openStart;

  holding = true;
  const holdStart = performance.now();
  const holdEnd = holdStart + opts.holdSec * 1000;
  const rssDuringHold: number[] = [];
  while (performance.now() < holdEnd) {
    await sleep(Math.min(every, Math.max(0, holdEnd - performance.now())));
    if (opts.sample !== undefined) rssDuringHold.push(opts.sample().rssKiB);
  }
  // The figure is taken once the server's memory has stopped moving, not at a fixed moment.
  const after = opts.sample === undefined ? undefined : await settledSample(opts.sample, every);
  const holdMs = performance.now() - holdStart;
  holding = false;

  const established = held.length;
  const closing = held.map(
    (h) =>
      new Promise<void>((resolve) => {
        if (h.socket.destroyed) return resolve();
        h.socket.once('close', () => resolve());
        h.socket.destroy();
      }),
  );
  await Promise.all(closing);
  return {
    requested: opts.connections,
    established,
    failures,
    droppedDuringHold: dropped,
    openMs,
    holdMs,
    ...(before === undefined ? {} : { before }),
    ...(after === undefined ? {} : { after }),
    rssDuringHoldKiB: rssDuringHold,
  };
}
