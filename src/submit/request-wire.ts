// The `submit` request of the control socket: a SubmitRequest, the run's delivery and error modes, and
// its -O/-o options, checked field by field (the client is any local user and may send anything).

import type { RunOption } from './run-options.js';
import type { SubmitRequest } from './submit.js';

export type DeliveryModeLetter = 'i' | 'b' | 'q' | 'd';
export type ErrorModeLetter = 'p' | 'm' | 'q' | 'w' | 'e';

export interface SubmitWire {
  kind: 'submit';
  request: SubmitRequest;
  deliveryMode?: DeliveryModeLetter;
  errorMode?: ErrorModeLetter;
  options: RunOption[];
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const strList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);

function optional<T>(o: Obj, key: string, check: (v: unknown) => v is T): T | undefined | Error {
  const v = o[key];
  if (v === undefined) return undefined;
  return check(v) ? v : new Error(`bad ${key}`);
}

/** The request, or what is wrong with it. */
export function decodeSubmitWire(h: unknown): SubmitWire | string {
  if (!isObj(h) || h['kind'] !== 'submit' || !isObj(h['request'])) return 'not a submit request';
  const r = h['request'];
  if (!strList(r['addresses']) || typeof r['readTo'] !== 'boolean') return 'bad addresses';
  const req: SubmitRequest = { addresses: r['addresses'], readTo: r['readTo'] };
  const from = r['from'];
  if (from !== undefined) {
    if (!isObj(from) || !isStr(from['address']) || (from['flag'] !== 'f' && from['flag'] !== 'r')) return 'bad from';
    req.from = { address: from['address'], flag: from['flag'] };
  }
  const fields: Array<[keyof SubmitRequest, (v: unknown) => boolean]> = [
    ['fullName', isStr],
    ['notify', (v) => strList(v) && v.every((w) => ['SUCCESS', 'FAILURE', 'DELAY', 'NEVER'].includes(w)) && v.length > 0],
    ['ret', (v) => v === 'FULL' || v === 'HDRS'],
    ['envid', isStr],
    ['bodyType', (v) => v === '7BIT' || v === '8BITMIME'],
    ['smtputf8', (v) => typeof v === 'boolean'],
    ['proto', isStr],
    ['fromLine', isStr],
    ['alternateConfig', isStr],
    ['macros', (v) => Array.isArray(v) && v.every((m) => isObj(m) && isStr(m['name']) && isStr(m['value']))],
  ];
  for (const [key, check] of fields) {
    const v = optional(r, key, (x): x is unknown => check(x));
    if (v instanceof Error) return v.message;
    // The checks above establish each field's type.
    if (v !== undefined) (req as unknown as Obj)[key] = v;
  }
  const dm = h['deliveryMode'];
  const em = h['errorMode'];
  if (dm !== undefined && !(isStr(dm) && /^[ibqd]$/.test(dm))) return 'bad deliveryMode';
  if (em !== undefined && !(isStr(em) && /^[pmqwe]$/.test(em))) return 'bad errorMode';
  const opts = h['options'] ?? [];
  if (!Array.isArray(opts) || !opts.every((o) => isObj(o) && isStr(o['name']) && isStr(o['value']))) return 'bad options';
  return {
    kind: 'submit',
    request: req,
    ...(dm !== undefined ? { deliveryMode: dm as DeliveryModeLetter } : {}),
    ...(em !== undefined ? { errorMode: em as ErrorModeLetter } : {}),
    options: (opts as Obj[]).map((o) => ({ name: o['name'] as string, value: o['value'] as string })),
  };
}
