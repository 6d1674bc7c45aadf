// The canonical address form every sender and recipient check works on (relay-and-access.md §3, the
// effect of sendmail's rulesets 3 and 0): source routes dropped, `%` and `!` routing resolved, local
// domains peeled off again and again while the local part still routes somewhere else.

export type SpecialMode = 'on' | 'reject' | 'nospecial';

export interface CanonicalOptions {
  /** Class w membership; called with the domain lower-cased and without a trailing dot. */
  isLocalDomain(domain: string): boolean;
  /** $j and $m, for `localhost` and `localhost.$m`. */
  readonly j: string;
  readonly m: string;
  /** FEATURE(nopercenthack): `%` is not a routing character; `reject` also marks it bogus. */
  readonly nopercenthack?: SpecialMode;
  /** FEATURE(nouucp), the same for `!`. */
  readonly nouucp?: boolean | SpecialMode;
}

export interface CanonicalAddress {
  /** The local part; unquoted when the address is local. */
  readonly local: string;
  /** Lower case, no trailing dot; undefined for an unqualified address. */
  readonly domain: string | undefined;
  /** No domain, or a class w domain (and not rejected). */
  readonly isLocal: boolean;
  /** How many times a local domain was dropped to route on (step 4). */
  readonly rounds: number;
  /** nopercenthack/nouucp `reject`: a bogus remote address that can never be delivered or relayed. */
  readonly rejected?: 'percent' | 'uucp';
}

const MAX_ROUNDS = 32;

/** Lower case, one trailing dot removed: the form domains are compared in (step 6). */
export function normalizeDomain(domain: string): string {
  const d = domain.endsWith('.') ? domain.slice(0, -1) : domain;
  return d.toLowerCase();
}

/** Removes unescaped double quotes; backslash escapes stay as written (step 4: they are not unquoted). */
export function unquote(local: string): string {
  if (!local.includes('"')) return local;
  let out = '';
  for (let i = 0; i < local.length; i++) {
    const ch = local[i];
    if (ch === '\\' && i + 1 < local.length) {
      out += ch + local[i + 1];
      i++;
    } else if (ch !== '"') out += ch;
  }
  return out;
}

/** Index of `ch` outside double quotes and not escaped by a backslash; the last one or the first one. */
export function findFree(s: string, ch: string, last: boolean): number {
  let found = -1;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (!quoted && c === ch) {
      if (!last) return i;
      found = i;
    }
  }
  return found;
}

/** `@a,@b:user@host` → `user@host`. */
function dropRoute(s: string): string {
  if (s.charAt(0) !== '@') return s;
  const colon = findFree(s, ':', false);
  return colon < 0 ? s : s.slice(colon + 1);
}

export function canonicalize(address: string, opts: CanonicalOptions): CanonicalAddress {
  const percent = opts.nopercenthack === undefined;
  const bang = opts.nouucp === undefined || opts.nouucp === false;
  const routes = (local: string): boolean =>
    findFree(local, '@', false) >= 0 || (percent && findFree(local, '%', false) >= 0) || (bang && findFree(local, '!', false) >= 0);
  const j = normalizeDomain(opts.j);
  const localhostM = `localhost.${normalizeDomain(opts.m)}`;

  let addr = address;
  let rounds = 0;
  for (;;) {
    addr = dropRoute(addr);
    let local = addr;
    let domain: string | undefined;
    const at = findFree(addr, '@', true);
    if (at >= 0) {
      local = addr.slice(0, at);
      domain = addr.slice(at + 1);
    } else {
      const unquoted = unquote(addr);
      if (unquoted !== addr && routes(unquoted) && rounds < MAX_ROUNDS) {
        addr = unquoted;
        rounds++;
        continue;
      }
      const pc = percent ? findFree(addr, '%', true) : -1;
      const ex = pc < 0 && bang ? findFree(addr, '!', false) : -1;
      if (pc >= 0) {
        local = addr.slice(0, pc);
        domain = addr.slice(pc + 1);
      } else if (ex >= 0) {
        const host = addr.slice(0, ex);
        local = addr.slice(ex + 1);
        domain = host.includes('.') ? host : `${host}.UUCP`;
      }
    }
    if (domain === undefined) return finish(unquote(local), undefined, true, rounds, opts);
    let d = normalizeDomain(domain);
    if (d === 'localhost' || d === localhostM) d = j;
    if (!opts.isLocalDomain(d)) return finish(local, d, false, rounds, opts);
    const unquoted = unquote(local);
    if (routes(unquoted) && rounds < MAX_ROUNDS) {
      addr = unquoted;
      rounds++;
      continue;
    }
    return finish(unquoted, d, true, rounds, opts);
  }
}

function finish(local: string, domain: string | undefined, isLocal: boolean, rounds: number, opts: CanonicalOptions): CanonicalAddress {
  const rejected =
    opts.nopercenthack === 'reject' && findFree(local, '%', false) >= 0
      ? 'percent'
      : opts.nouucp === 'reject' && findFree(local, '!', false) >= 0
        ? 'uucp'
        : undefined;
  if (rejected !== undefined) return { local, domain, isLocal: false, rounds, rejected };
  return { local, domain, isLocal, rounds };
}
