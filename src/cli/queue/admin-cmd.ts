// `postern queue show|hold|release|delete|requeue|bounce [options] QID...`: the administrator's tools
// for single messages. Permission follows the sendmail command each one stands for: show is a listing
// (restrictmailq), hold/release are -Q, requeue is -qI (restrictqrun); delete, bounce and show --message,
// which discard, return or reveal other people's mail and have no sendmail command line, are for root and
// the queue owner only.

import { isQueueId } from '../../queue/queue-id.js';
import type { QueueAccess } from './access.js';
import { attemptNow, quarantine, release, remove, type ActionBy, type ActionResult } from './actions.js';
import type { Output } from './output.js';
import { isQueueAdmin, mayListQueue, mayRunQueue, NOT_PERMITTED_MAILQ, NOT_PERMITTED_QRUN, type Caller, type QueueOwner } from './permission.js';
import { showJson, showText } from './show.js';
import { EX_IOERR, EX_NOINPUT, EX_OK, EX_TEMPFAIL, EX_USAGE } from './sysexits.js';
import type { EffectiveConfig } from '../../config/effective.js';

export const ADMIN_ACTIONS = ['show', 'hold', 'release', 'delete', 'requeue', 'bounce'] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

export interface AdminRequest {
  action: AdminAction;
  ids: string[];
  /** hold: the quarantine reason. */
  reason?: string;
  /** show: the message itself too. */
  message: boolean;
  /** show: JSON. */
  json: boolean;
}

export const ADMIN_USAGE = `usage: postern queue ACTION [--config FILE] [options] QID...
  show [--message] [--json] QID...   envelope and delivery state (--message: the message too)
  hold [-r REASON] QID...            quarantine (not delivered until released)
  release QID...                     end the quarantine
  delete QID...                      remove without delivering and without a report
  requeue QID...                     attempt delivery now, whatever the retry schedule says
  bounce QID...                      return to the sender now (a failure report, Timeout.queuereturn=now)`;

export type ParsedAdmin = { ok: true; req: AdminRequest } | { ok: false; error: string };

export function parseAdminArgs(argv: readonly string[]): ParsedAdmin {
  const [action, ...rest] = argv;
  if (action === undefined) return { ok: false, error: 'no action given' };
  if (!(ADMIN_ACTIONS as readonly string[]).includes(action)) return { ok: false, error: `unknown action ${action}` };
  const req: AdminRequest = { action: action as AdminAction, ids: [], message: false, json: false };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string;
    if (a === '--message' && req.action === 'show') req.message = true;
    else if (a === '--json' && req.action === 'show') req.json = true;
    else if ((a === '-r' || a === '--reason') && req.action === 'hold') {
      const v = rest[++i];
      if (v === undefined || v === '') return { ok: false, error: `${a} needs a reason` };
      req.reason = v;
    } else if (a.startsWith('-')) return { ok: false, error: `unknown option ${a} for ${req.action}` };
    else if (!isQueueId(a)) return { ok: false, error: `${a}: not a queue id` };
    else req.ids.push(a);
  }
  if (req.ids.length === 0) return { ok: false, error: `${req.action}: no queue id given` };
  return { ok: true, req };
}

/** undefined when `c` may do `req`; else the refusal text (exit 77). */
export function adminRefusal(cfg: EffectiveConfig, c: Caller, owner: QueueOwner | undefined, req: AdminRequest): string | undefined {
  switch (req.action) {
    case 'show':
      if (!mayListQueue(cfg, c, owner)) return NOT_PERMITTED_MAILQ;
      // The message itself is other people's mail: only for those who can read the queue files anyway.
      return req.message && !isQueueAdmin(c, owner) ? NOT_PERMITTED_MAILQ : undefined;
    case 'hold':
    case 'release':
    case 'requeue':
      return mayRunQueue(cfg, c, owner) ? undefined : NOT_PERMITTED_QRUN;
    case 'delete':
    case 'bounce':
      return isQueueAdmin(c, owner) ? undefined : NOT_PERMITTED_QRUN;
  }
}

/** Whether the request only reads (a listing-level view the caller may get from a readable queue). */
export const readsOnly = (req: AdminRequest): boolean => req.action === 'show';

function exitFor(r: ActionResult): number {
  if (r.ok) return EX_OK;
  switch (r.why) {
    case 'missing':
      return EX_NOINPUT;
    case 'locked':
      return EX_TEMPFAIL;
    case 'state':
      return EX_USAGE;
    case 'error':
      return EX_IOERR;
  }
}

async function show(access: QueueAccess, req: AdminRequest, out: Output): Promise<number> {
  let status = EX_OK;
  const json: unknown[] = [];
  for (const id of req.ids) {
    const m = await access.reader.get(id);
    if (m === undefined || m.state.done) {
      out.err(`${id}: not in the queue\n`);
      if (status === EX_OK) status = EX_NOINPUT;
      continue;
    }
    const data = req.message ? await access.reader.readData(id) : undefined;
    if (req.json) json.push({ ...(showJson(m) as object), ...(data !== undefined ? { message: data.toString('latin1') } : {}) });
    else {
      out.out(showText(access, m));
      if (data !== undefined) out.out(`\n${data.toString('latin1')}${data.length > 0 && data[data.length - 1] !== 0x0a ? '\n' : ''}`);
      if (req.ids.length > 1) out.out('\n');
    }
  }
  if (req.json) out.out(`${JSON.stringify(json, null, 2)}\n`);
  return status;
}

/** Carries out a request whose permission has been checked. */
export async function runAdmin(access: QueueAccess, req: AdminRequest, by: ActionBy, out: Output): Promise<number> {
  if (req.action === 'show') return show(access, req, out);
  let status = EX_OK;
  for (const id of req.ids) {
    let r: ActionResult;
    switch (req.action) {
      case 'hold':
        r = await quarantine(access, id, req.reason ?? `held by ${by.login}`, by, 'hold');
        break;
      case 'release':
        r = await release(access, id, by);
        break;
      case 'delete':
        r = await remove(access, id, by);
        break;
      case 'requeue':
      case 'bounce':
        r = await attemptNow(access, id, by, req.action);
        break;
    }
    if (r.ok) out.out(`${r.text}\n`);
    else {
      out.err(`${r.text}\n`);
      if (status === EX_OK) status = exitFor(r);
    }
  }
  return status;
}
