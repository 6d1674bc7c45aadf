// Alias expansion (aliases-forward.md §8): turns the envelope recipients of a message into final
// deliveries — mailboxes, programs, files and remote addresses — or per-address failures, following
// aliases, :include: files and .forward files. Called by the queue runner for the recipients not yet
// done, on every queue run.

import type { Envelope } from '../queue/envelope.js';
import type { AliasElement, AliasEntry } from '../maps/aliases.js';
import { canonicalize, normalizeDomain, type CanonicalAddress } from '../policy/canonical.js';
import { childBranch, type Branch, type Control, type ExpansionHost, type Result } from './branch.js';
import type { ExpandContext } from './context.js';
import { expandForward } from './forward.js';
import { expandInclude } from './include.js';
import { STATUS } from './status.js';
import type { Expanded, FinalDelivery, Identity, StatusText } from './types.js';

export type EnvelopeInput = Pick<Envelope, 'sender' | 'recipients'> & Partial<Pick<Envelope, 'protocol'>>;

/**
 * Expands the envelope's recipients (all of them, or those whose index is in `only`). The result
 * holds each final delivery once (by `key`, first path wins), and each failure or deferral.
 */
export async function expandRecipients(envelope: EnvelopeInput, ctx: ExpandContext, only?: readonly number[]): Promise<Expanded[]> {
  const ex = new Expander(ctx, envelope.sender);
  const wanted = only === undefined ? undefined : new Set(only);
  for (let i = 0; i < envelope.recipients.length; i++) {
    if (wanted !== undefined && !wanted.has(i)) continue;
    await ex.recipient(i, envelope.recipients[i]!.address, envelope.recipients[i]!.notify, envelope.protocol === 'local');
  }
  return ex.out;
}

const REDIRECT_SUFFIX = /\.REDIRECT\.?$/i;

class Expander implements ExpansionHost {
  readonly out: Expanded[] = [];
  readonly #seen = new Set<string>();
  readonly #visited = new Set<string>();
  readonly #sender: CanonicalAddress | undefined;
  readonly #envelopeCtl: Control;
  readonly #aliasCtl: Control;

  constructor(
    readonly ctx: ExpandContext,
    sender: string,
  ) {
    this.#sender = sender === '' ? undefined : canonicalize(sender, ctx.canonical);
    this.#envelopeCtl = { source: 'envelope', as: ctx.defaultUser, reader: ctx.defaultUser, unsafe: false };
    this.#aliasCtl = { source: 'alias', as: ctx.defaultUser, reader: ctx.defaultUser, unsafe: false };
  }

  async recipient(index: number, address: string, notify: string[] | undefined, commandLine: boolean): Promise<void> {
    const b: Branch = { recipient: index, top: address, depth: 0, chain: new Set(), ctl: this.#envelopeCtl, expanded: false };
    if (notify !== undefined) b.notify = notify;
    // RCPT addresses were typed in angle brackets, command-line ones bare (the `<addr>... ` prefix).
    const shown = commandLine ? address : `<${address}>`;
    await this.element(this.#envelopeElement(address), b, shown);
  }

  /** An envelope address as the element it would be in an alias value. */
  #envelopeElement(address: string): AliasElement {
    const c = canonicalize(address, this.ctx.canonical);
    if (!c.isLocal) return { kind: 'remote', raw: address, address: c.domain === undefined ? c.local : `${c.local}@${c.domain}` };
    const local = c.local;
    if (local.startsWith('|')) return { kind: 'program', raw: address, command: local.slice(1) };
    if (local.startsWith('/')) return { kind: 'file', raw: address, path: local };
    if (local.slice(0, 9).toLowerCase() === ':include:') return { kind: 'include', raw: address, path: local.slice(9).trim() };
    return c.domain === undefined ? { kind: 'local', raw: address, user: local } : { kind: 'local', raw: address, user: local, domain: c.domain };
  }

  async element(el: AliasElement, b: Branch, shown: string): Promise<Result> {
    const max = this.ctx.options.maxAliasRecursion;
    if (b.depth > max) {
      this.fail(b, STATUS.tooDeep(b.depth, max), shown);
      return {};
    }
    switch (el.kind) {
      case 'program':
        return this.#program(el.command, b, shown);
      case 'file':
        return this.#file(el.path, b, shown);
      case 'include':
        if (b.ctl.source === 'envelope') return this.#failed(b, STATUS.directInclude(shown), shown);
        return expandInclude(this, b, el.path, shown);
      case 'error':
        this.#errorValue(el, b, shown);
        return {};
      case 'remote':
        return this.#remote(el.address, el.raw, b, shown);
      case 'user':
        return this.#plainUser(el.user, b, shown);
      case 'local':
        return this.#local(el.user, b, shown);
    }
  }

  #failed(b: Branch, status: StatusText, shown: string): Result {
    this.fail(b, status, shown);
    return {};
  }

  #program(command: string, b: Branch, shown: string): Result {
    const ctl = b.ctl;
    if (ctl.source === 'envelope') return this.#failed(b, STATUS.directProgram(shown), shown);
    const entry = `|${command}`;
    const refusal = this.#markRefusal(ctl, entry, 'programs');
    if (refusal !== undefined) return this.#failed(b, refusal, entry);
    this.#deliver(b, { kind: 'program', command, as: ctl.as }, `program:${ctl.as.uid}:${command}`, entry);
    return {};
  }

  #file(path: string, b: Branch, shown: string): Result {
    const ctl = b.ctl;
    if (ctl.source === 'envelope') return this.#failed(b, STATUS.directFile(shown), shown);
    const refusal = this.#markRefusal(ctl, path, 'files');
    if (refusal !== undefined) return this.#failed(b, refusal, path);
    this.#deliver(b, { kind: 'file', path, as: ctl.as }, `file:${path}`, path);
    return {};
  }

  /** §4 and §5.3: what the marks of the file an entry came from forbid, in sendmail's order. */
  #markRefusal(ctl: Control, entry: string, what: 'programs' | 'files'): StatusText | undefined {
    if (ctl.unknownUid !== undefined) return STATUS.unknownUid(ctl.unknownUid, what);
    if (ctl.bogusShell !== undefined) return STATUS.bogusShell(ctl.bogusShell, what);
    if (ctl.unsafe) return STATUS.unsafeFor(entry, what);
    return undefined;
  }

  #errorValue(el: Extract<AliasElement, { kind: 'error' }>, b: Branch, shown: string): void {
    const status = STATUS.aliasError(el.code, el.enh, el.text, shown);
    if (el.code >= 500) this.fail(b, status, shown);
    else this.defer(b, status, shown);
  }

  #remote(address: string, raw: string, b: Branch, shown: string): Result {
    const at = address.lastIndexOf('@');
    const domain = at < 0 ? '' : normalizeDomain(address.slice(at + 1));
    if (this.ctx.options.redirect && domain.endsWith('.redirect')) {
      const bare = raw.replace(/^.*<([^>]*)>\s*$/, '$1').replace(/^"(.*)"$/, '$1');
      return this.#failed(b, STATUS.userMoved(bare.replace(REDIRECT_SUFFIX, '')), shown);
    }
    const key = at < 0 ? address : `${address.slice(0, at)}@${domain}`;
    this.#deliver(b, { kind: 'remote', address: key }, `remote:${key}`, key);
    return {};
  }

  /** `\user`: the mailbox, without alias lookup and without .forward. */
  #plainUser(user: string, b: Branch, shown: string): Result {
    const found = this.#findUser(user.toLowerCase());
    if (found === undefined) return this.#failed(b, STATUS.userUnknown(shown), shown);
    this.mailbox(b, found.user);
    return {};
  }

  async #local(user: string, b: Branch, shown: string): Promise<Result> {
    const name = user.toLowerCase();
    // §8 rule 4: the name being expanded, named in its own expansion, is that user's mailbox.
    if (b.parent === name) return this.#plainUser(name, b, shown);
    if (b.chain.has(name)) return { loop: name };
    if (this.ctx.noAliasing === true) return this.#plainUser(name, b, shown);
    const down = this.ctx.aliases.unavailable();
    if (down !== undefined) {
      this.defer(b, STATUS.aliasDbUnavailable(down), shown);
      return {};
    }
    const entry = this.#lookupAlias(name);
    if (entry !== undefined) return this.#alias(entry, name, b, shown);
    const found = this.#findUser(name);
    if (found === undefined) return this.#failed(b, STATUS.userUnknown(shown), shown);
    if (!this.firstVisit(`forward:${found.user.name}+${found.detail ?? ''}`)) return {};
    return expandForward(this, b, found.user, found.detail);
  }

  /** §8 rule 2: `user+detail`, then `user+*`, then `user`. */
  #lookupAlias(name: string): AliasEntry | undefined {
    const a = this.ctx.aliases;
    const direct = a.lookup(name);
    if (direct !== undefined) return direct;
    const plus = name.indexOf('+');
    if (plus <= 0) return undefined;
    const base = name.slice(0, plus);
    return a.lookup(`${base}+*`) ?? a.lookup(base);
  }

  /** A local user by name (plussed names find the base user); postmaster falls back to root (§8 rule 13). */
  #findUser(name: string): { user: Identity; detail?: string } | undefined {
    const users = this.ctx.users;
    const direct = users.byName(name);
    if (direct !== undefined) return { user: direct };
    const plus = name.indexOf('+');
    if (plus > 0) {
      const base = users.byName(name.slice(0, plus));
      if (base !== undefined) return { user: base, detail: name.slice(plus + 1) };
    }
    if (name === 'postmaster') {
      const root = users.byName('root');
      if (root !== undefined) return { user: root };
    }
    return undefined;
  }

  async #alias(entry: AliasEntry, name: string, b: Branch, shown: string): Promise<Result> {
    if (!this.firstVisit(`alias:${entry.name}`)) return {};
    const only = entry.elements.length === 1 ? entry.elements[0] : undefined;
    if (only !== undefined && only.kind === 'error') {
      this.#errorValue(only, b, shown);
      return {};
    }
    let elements = entry.elements;
    // §8 rule 8: with MeToo off, the sender is left out of the lists they are on.
    if (!this.ctx.options.meToo && elements.length > 1) elements = elements.filter((el) => !this.#isSender(el));
    if (elements.length === 0) {
      this.log(b, 'info', `${entry.name}... expanded to no recipients`);
      return {};
    }
    const owner = this.#ownerSender(entry.name);
    const changes: Partial<Pick<Branch, 'parent' | 'ctl' | 'sender'>> = { parent: entry.name, ctl: this.#aliasCtl };
    if (owner !== undefined) changes.sender = owner;
    const names = name === entry.name ? [name] : [name, entry.name];
    return this.expandList(elements, childBranch(b, names, changes, entry.elements.length > 1), shown);
  }

  #isSender(el: AliasElement): boolean {
    const s = this.#sender;
    if (s === undefined) return false;
    if (el.kind === 'local' || el.kind === 'user') return s.isLocal && s.local.toLowerCase() === el.user.toLowerCase();
    if (el.kind === 'remote') return !s.isLocal && s.domain !== undefined && `${s.local}@${s.domain}` === el.address;
    return false;
  }

  /**
   * §8 rule 9: the envelope sender for what list X delivers, when owner-X exists. A null sender stays
   * null [Postern]: a bounce must never produce another bounce.
   */
  #ownerSender(name: string): string | undefined {
    if (this.#sender === undefined) return undefined;
    const owner = this.ctx.aliases.lookup(`owner-${name}`);
    if (owner === undefined) return undefined;
    const j = this.ctx.j;
    const only = owner.elements.length === 1 ? owner.elements[0]! : undefined;
    if (only?.kind === 'local') return `${only.user}@${only.domain ?? j}`;
    if (only?.kind === 'user') return `${only.user}@${j}`;
    if (only?.kind === 'remote') return only.address;
    return `owner-${name}@${j}`;
  }

  async expandList(elements: readonly AliasElement[], child: Branch, shown: string): Promise<Result> {
    let loop: string | undefined;
    let others = false;
    for (const el of elements) {
      const r = await this.element(el, child, el.raw);
      if (r.loop !== undefined) loop ??= r.loop;
      else others = true;
    }
    // §8 rule 6: nothing but addresses already being expanded.
    if (!others && loop !== undefined) this.fail(child, STATUS.loop(loop), shown);
    return {};
  }

  mailbox(b: Branch, user: Identity): void {
    this.#deliver(b, { kind: 'mailbox', user }, `mailbox:${user.name}`, `${user.name}@${this.ctx.j}`);
  }

  fail(b: Branch, status: StatusText, actual: string): void {
    this.#emit(b, `failed:${actual.toLowerCase()}`, actual, { failed: status });
  }

  defer(b: Branch, status: StatusText, actual: string): void {
    this.#emit(b, `deferred:${actual.toLowerCase()}`, actual, { deferred: status });
  }

  firstVisit(node: string): boolean {
    if (this.#visited.has(node)) return false;
    this.#visited.add(node);
    return true;
  }

  log(b: Branch, level: 'info' | 'warning', message: string): void {
    this.ctx.log?.({ level, message, recipient: b.recipient });
  }

  #deliver(b: Branch, delivery: FinalDelivery, key: string, actual: string): void {
    this.#emit(b, key, actual, { delivery });
  }

  #emit(b: Branch, key: string, actual: string, what: Pick<Expanded, 'delivery' | 'failed' | 'deferred'>): void {
    // §8 rule 7: one delivery per key, whatever path led to it; the first path wins.
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const e: Expanded = { recipient: b.recipient, ...what, finalRecipient: b.top, actualRecipient: actual, key };
    if (b.sender !== undefined) e.envelopeSender = b.sender;
    if (b.notify !== undefined) e.notify = b.notify;
    if (b.expanded) e.expanded = true;
    this.out.push(e);
  }
}
