// What the generator counts during the measured window. A message counts as accepted only when the
// reply to its final dot is 250; every other ending is counted by what ended it.

export class LoadCounters {
  /** Messages answered 250 after the final dot. */
  accepted = 0;
  /** Transactions ended by a 4xx reply (to MAIL, every RCPT, DATA or the final dot). */
  failed4xx = 0;
  /** Transactions ended by a 5xx reply. */
  failed5xx = 0;
  /** Recipients refused while the message itself went through to another recipient. */
  rcptRefused = 0;
  /** Malformed or unexpected replies, unexpected disconnects and timeouts. */
  protocolErrors = 0;
  /** Connections that could not be opened (refused, reset, no route). */
  connectErrors = 0;
  /** Connections opened (greeting received) during the window. */
  connections = 0;
  /** Every reply code that was not the expected one, with how often it came. */
  readonly unexpectedCodes = new Map<number, number>();
  /** The first few protocol error descriptions, for the report. */
  readonly errorSamples: string[] = [];

  code(code: number): void {
    this.unexpectedCodes.set(code, (this.unexpectedCodes.get(code) ?? 0) + 1);
  }

  /** A transaction ended by `code` (already counted in unexpectedCodes where it was received). */
  failed(code: number): void {
    if (code >= 500) this.failed5xx++;
    else this.failed4xx++;
  }

  protocolError(what: string): void {
    this.protocolErrors++;
    if (this.errorSamples.length < 5) this.errorSamples.push(what);
  }

  connectError(what: string): void {
    this.connectErrors++;
    if (this.errorSamples.length < 5) this.errorSamples.push(what);
  }

  codesObject(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [code, n] of [...this.unexpectedCodes].sort((a, b) => a[0] - b[0])) out[String(code)] = n;
    return out;
  }
}
