// The runner's RemoteService: routes each recipient domain of a message once (router.ts), puts the
// recipients whose next hops are the same into one request to the SMTP client (which sends at most 100
// per transaction and tries the hops in order), and turns the client's per-recipient outcomes into
// what the runner records: the reply (the remote one, or routing's), Remote-MTA, a transcript for the
// DSN (`... while talking to host.:`, `>>> command`, `<<< reply`), relay= and TLS facts for the log.
// SoftBounce: every permanent failure becomes temporary (queue-and-bounces.md §7).

import type { Envelope } from '../../queue/envelope.js';
import type { RemoteRecipient, RemoteRequest, RemoteResult, RemoteService } from '../../queue/runner-types.js';
import type { StatusText } from '../../route/types.js';
import { domainOf, type Router } from './router.js';
import { outboundMessage } from '../client/from-queue.js';
import type { DeliveryReport, OutboundMessage, RecipientOutcome, TlsFacts } from '../client/types.js';
import type { NextHop, RouteDecision } from './types.js';

/** The SMTP client's deliver() with its options bound. */
export type SendFn = (hops: NextHop[], msg: OutboundMessage) => Promise<DeliveryReport>;

export interface DispatchOptions {
  router: Router;
  send: SendFn;
  softBounce: boolean;
}

/** The client command whose reply decided a recipient's outcome, as sendmail's transcript shows it. */
function commandOf(stage: string, address: string, sender: string): string | undefined {
  switch (stage) {
    case 'mail':
      return `MAIL From:<${sender}>`;
    case 'rcpt':
      return `RCPT To:<${address}>`;
    case 'data':
      return 'DATA';
    case 'datafinal':
      return '.';
    case 'starttls':
      return 'STARTTLS';
    case 'quit':
      return 'QUIT';
    case 'ehlo':
      return 'EHLO';
    default:
      return undefined;
  }
}

function softened(st: StatusText): StatusText {
  return { code: st.code - 100, enh: `4${st.enh.slice(1)}`, text: st.text };
}

function routeFailure(key: string, d: Extract<RouteDecision, { kind: 'temp' | 'perm' }>, softBounce: boolean): RemoteResult {
  if (d.kind === 'perm' && softBounce) return { key, status: 'temp', reply: softened(d.status) };
  return { key, status: d.kind, reply: d.status };
}

/** Hops that name the same servers are one destination, whatever order the shuffle gave them. */
function hopsKey(hops: NextHop[]): string {
  return hops
    .map((h) => `${h.host}|${h.port}|${h.tls}|${h.addresses.join(',')}`)
    .sort()
    .join(' ');
}

/** sendmail's STARTTLS=client facts: version, cipher, bits, verify (OK, or FAIL when not verified). */
function tlsFields(tls: TlsFacts | undefined): Record<string, string> {
  if (tls === undefined) return {};
  return { tls_version: tls.version, cipher: tls.cipher, bits: String(tls.bits), verify: tls.verified ? 'OK' : 'FAIL' };
}

/** The client's message: the envelope's parameters, with the sender of this request (owner-X lists). */
function messageOf(env: Envelope, sender: string, recipients: RemoteRecipient[], data: Buffer): OutboundMessage {
  const rcpts = recipients.map((r) => ({ address: r.address, ...(r.notify !== undefined ? { notify: r.notify } : {}), ...(r.orcpt !== undefined ? { orcpt: r.orcpt } : {}) }));
  return { ...outboundMessage(env, rcpts, data), sender };
}

export class RemoteDispatcher implements RemoteService {
  constructor(private readonly o: DispatchOptions) {}

  async deliver(req: RemoteRequest): Promise<RemoteResult[]> {
    const routes = new Map<string, Promise<RouteDecision>>();
    const decided = await Promise.all(
      req.recipients.map(async (r) => {
        const domain = domainOf(r.address);
        let p = routes.get(domain);
        if (p === undefined) routes.set(domain, (p = this.o.router.route(r.address)));
        return { r, d: await p };
      }),
    );
    const results: RemoteResult[] = [];
    const groups = new Map<string, { hops: NextHop[]; recipients: RemoteRecipient[] }>();
    for (const { r, d } of decided) {
      if (d.kind === 'temp' || d.kind === 'perm') results.push(routeFailure(r.key, d, this.o.softBounce));
      else if (d.kind === 'local') {
        // withMailertable() handles local: entries at expansion; reaching here means it pointed back out.
        const st: StatusText = { code: 554, enh: '5.3.5', text: `<${r.address}>... mailertable local: target routes back to remote delivery` };
        results.push(routeFailure(r.key, { kind: 'perm', status: st }, this.o.softBounce));
      } else {
        const k = hopsKey(d.hops);
        const g = groups.get(k);
        if (g === undefined) groups.set(k, { hops: d.hops, recipients: [r] });
        else g.recipients.push(r);
      }
    }
    const sent = await Promise.all([...groups.values()].map((g) => this.#send(req, g.hops, g.recipients)));
    return [...results, ...sent.flat()];
  }

  async #send(req: RemoteRequest, hops: NextHop[], recipients: RemoteRecipient[]): Promise<RemoteResult[]> {
    let report: DeliveryReport;
    try {
      report = await this.o.send(hops, messageOf(req.envelope, req.sender, recipients, req.data));
    } catch (err) {
      const reply: StatusText = { code: 451, enh: '4.4.0', text: `SMTP client error: ${(err as Error).message}` };
      return recipients.map((r) => ({ key: r.key, status: 'temp', reply }));
    }
    const byAddress = new Map<string, RecipientOutcome>();
    for (const o of report.outcomes) byAddress.set(o.address.toLowerCase(), o);
    return recipients.map((r): RemoteResult => {
      const o = byAddress.get(r.address.toLowerCase());
      if (o === undefined) return { key: r.key, status: 'temp', reply: { code: 451, enh: '4.4.0', text: 'no outcome from the SMTP client' } };
      return this.#result(req, r, o, report);
    });
  }

  #result(req: RemoteRequest, r: RemoteRecipient, o: RecipientOutcome, report: DeliveryReport): RemoteResult {
    const cls = String(o.reply.code).charAt(0);
    let reply: StatusText = { code: o.reply.code, enh: o.reply.enh ?? `${cls === '2' || cls === '5' ? cls : '4'}.0.0`, text: o.reply.text };
    let status = o.status;
    // The client applies SoftBounce itself; this keeps the rule whole if it ever did not.
    if (status === 'perm' && this.o.softBounce) {
      status = 'temp';
      reply = softened(reply);
    }
    // A pooled connection is shared by every host name on its address and port; its session keeps the
    // name it was opened for. The report names the hop of the last session: prefer it for its address.
    const host = report.host !== undefined && o.hostAddress !== undefined && o.hostAddress === report.address ? report.host : o.host;
    const remote = o.source === 'remote' && host !== undefined;
    const line = `${o.reply.code}${o.reply.enh !== undefined ? ` ${o.reply.enh}` : ''} ${o.reply.text}`;
    const cmd = commandOf(o.stage, r.address, req.sender);
    const relay = host !== undefined ? `${host}.${o.hostAddress !== undefined ? ` [${o.hostAddress}]` : ''}` : undefined;
    const log: Record<string, string> = { ...(relay !== undefined ? { relay } : {}), ...(status === 'sent' ? tlsFields(report.tls) : {}) };
    return {
      key: r.key,
      status,
      reply,
      ...(remote ? { remoteMta: host } : {}),
      ...(remote && o.reply.enh === undefined ? { diagnostic: line } : {}),
      ...(status !== 'sent' && remote ? { transcript: [`... while talking to ${host}.:`, ...(cmd !== undefined ? [`>>> ${cmd}`] : []), `<<< ${line}`] } : {}),
      // RFC 3461 §4.1: the peer took NOTIFY on (it offers DSN) unless the client says it was relayed.
      ...(status === 'sent' && o.relayed !== true ? { dsnPassedOn: true } : {}),
      ...(Object.keys(log).length > 0 ? { log } : {}),
    };
  }
}
