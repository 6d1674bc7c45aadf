// The greeting is the one reply every connection gets, so it is built once per second rather than once per
// connection when SmtpGreetingMessage uses only macros that are the same for every client (the default
// `$j Postern; $b` does). Keeps accept cheap and idle connections small.

import { compactDate, ctimeDate, rfc5322Date } from './dates.js';
import { buildGreeting } from './greeting.js';
import { compileMacros, usedMacroNames, type CompiledTemplate } from './macros.js';
import { wire } from './replies.js';

/** Macros whose value does not depend on the connection (the dates change once per second). */
const SHARED = new Set(['j', 'w', 'm', 'v', 'Z', 'n', 'b', 'd', 't']);

export class GreetingCache {
  private readonly compiled: CompiledTemplate;
  private readonly perConnection: boolean;
  private second = -1;
  private text = '';

  constructor(
    template: string,
    private readonly shared: Readonly<Record<string, string>>,
  ) {
    this.compiled = compileMacros(template);
    this.perConnection = [...usedMacroNames(template)].some((n) => !SHARED.has(n));
  }

  private dateMacro(name: string, now: Date): string | undefined {
    if (name === 'b') return rfc5322Date(now);
    if (name === 'd') return ctimeDate(now);
    if (name === 't') return compactDate(now);
    return this.shared[name];
  }

  /** The greeting on the wire (CR LF included). `connection` gives the per-connection macros. */
  render(nowMs: number, connection: (name: string) => string | undefined): string {
    const second = Math.floor(nowMs / 1000);
    if (!this.perConnection && second === this.second) return this.text;
    const now = new Date(nowMs);
    const text = wire(buildGreeting(this.compiled, (n) => (SHARED.has(n) ? this.dateMacro(n, now) : connection(n))));
    if (!this.perConnection) {
      this.second = second;
      this.text = text;
    }
    return text;
  }
}
