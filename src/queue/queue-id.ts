// Queue ids: 14 characters of [0-9A-Za-z] (queue-and-bounces.md §2.1), built from
//   7 characters  milliseconds since the epoch (base 62: good until the year 2081),
//   4 characters  the process id (Linux pids are < 2^22 < 62^4, so two live writers never share it),
//   3 characters  a counter within the millisecond (238 328 ids per ms and process).
// The time part keeps an id from coming back within a year; the pid part keeps concurrent writer
// processes apart; within a process one generator serves every Spool (processIds) and never goes
// backwards, and a restarted writer starts above the newest id it finds in its own segments
// (Spool.open), which covers a clock stepped back.
// The alphabet is in ASCII order, so ids of one process sort by creation time.

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TIME_CHARS = 7;
const PID_CHARS = 4;
const SEQ_CHARS = 3;
const SEQ_LIMIT = 62 ** SEQ_CHARS;

const ID_PATTERN = /^[0-9A-Za-z]{14}$/;

export function isQueueId(s: string): boolean {
  return ID_PATTERN.test(s);
}

function encode(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

function decode(s: string): number {
  let n = 0;
  for (const ch of s) n = n * 62 + ALPHABET.indexOf(ch);
  return n;
}

/** The creation time (ms since the epoch) encoded in a queue id. */
export function queueIdTime(id: string): number {
  return decode(id.slice(0, TIME_CHARS));
}

export class QueueIdGenerator {
  private lastMs = 0;
  private seq = -1;
  private readonly pidPart: string;

  constructor(pid: number = process.pid) {
    this.pidPart = encode(pid % 62 ** PID_CHARS, PID_CHARS);
  }

  /** Never hand out an id whose time part is at or below `ms` (used after recovery). */
  advancePast(ms: number): void {
    if (ms >= this.lastMs) {
      this.lastMs = ms + 1;
      this.seq = -1;
    }
  }

  next(now: number = Date.now()): string {
    if (now > this.lastMs) {
      this.lastMs = now;
      this.seq = 0;
    } else if (++this.seq >= SEQ_LIMIT) {
      // More ids in one millisecond than the counter holds (or the clock went back): borrow the
      // next millisecond rather than repeat an id.
      this.lastMs++;
      this.seq = 0;
    }
    return encode(this.lastMs, TIME_CHARS) + this.pidPart + encode(this.seq, SEQ_CHARS);
  }
}

/** The one generator of this process: Spools opened side by side (several writer ids) share it. */
export const processIds = new QueueIdGenerator();
