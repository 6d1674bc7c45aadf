// The values of -N, -R, -V, -B and -h (cli.md §3), checked as sendmail checks them.

import { decodeXtext, isXtext } from '../../smtp/xtext.js';
import type { SendmailArgs } from './argv.js';
import type { SubmitRequest } from '../../submit/submit.js';

export type DsnFlags = Pick<SubmitRequest, 'notify' | 'ret' | 'envid' | 'bodyType'>;

export function checkNotify(v: string): string[] | undefined {
  const words = v.split(',').map((w) => w.trim().toUpperCase());
  if (words.length === 1 && words[0] === 'NEVER') return ['NEVER'];
  if (words.length === 0 || words.some((w) => w !== 'SUCCESS' && w !== 'FAILURE' && w !== 'DELAY')) return undefined;
  return [...new Set(words)];
}

/** The DSN and body flags as a request carries them, or the usage message (exit 64). */
export function dsnFlags(a: SendmailArgs): DsnFlags | { error: string } {
  const out: DsnFlags = {};
  if (a.notify !== undefined) {
    const n = checkNotify(a.notify);
    if (n === undefined) return { error: 'Invalid -N argument' };
    out.notify = n;
  }
  if (a.ret !== undefined) {
    const r = a.ret.toUpperCase();
    if (r !== 'FULL' && r !== 'HDRS') return { error: 'Invalid -R value' };
    out.ret = r;
  }
  if (a.envid !== undefined) {
    const d = isXtext(a.envid) ? decodeXtext(a.envid) : undefined;
    if (d === undefined) return { error: 'Invalid syntax in -V flag' };
    out.envid = d;
  }
  if (a.bodyType !== undefined) {
    const b = a.bodyType.toUpperCase();
    if (b !== '7BIT' && b !== '8BITMIME') return { error: `Illegal body type ${a.bodyType}` };
    out.bodyType = b;
  }
  if (a.hops !== undefined && !/^\d{1,6}$/.test(a.hops)) return { error: `Bad hop count (${a.hops})` };
  return out;
}
