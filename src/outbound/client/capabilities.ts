// What the peer's EHLO reply offers (RFC 5321 §4.1.1.1 and the extension RFCs): the keywords the client
// acts on. A HELO session (the peer refused EHLO) offers nothing.

export interface Capabilities {
  esmtp: boolean;
  pipelining: boolean;
  /** the SIZE limit; 0 = SIZE offered without a limit; undefined = SIZE not offered */
  size?: number;
  eightBitMime: boolean;
  smtputf8: boolean;
  dsn: boolean;
  starttls: boolean;
  enhancedStatusCodes: boolean;
}

export const HELO_ONLY: Capabilities = {
  esmtp: false,
  pipelining: false,
  eightBitMime: false,
  smtputf8: false,
  dsn: false,
  starttls: false,
  enhancedStatusCodes: false,
};

/** The capabilities in an EHLO reply's lines (the first line is the greeting-like hello). */
export function parseCapabilities(lines: readonly string[]): Capabilities {
  const caps: Capabilities = { ...HELO_ONLY, esmtp: true };
  for (const line of lines.slice(1)) {
    const [keyword = '', ...params] = line.slice(4).trim().split(/\s+/);
    switch (keyword.toUpperCase()) {
      case 'PIPELINING':
        caps.pipelining = true;
        break;
      case 'SIZE': {
        const n = params[0] !== undefined && /^\d+$/.test(params[0]) ? Number(params[0]) : 0;
        caps.size = Number.isSafeInteger(n) ? n : 0;
        break;
      }
      case '8BITMIME':
        caps.eightBitMime = true;
        break;
      case 'SMTPUTF8':
        caps.smtputf8 = true;
        break;
      case 'DSN':
        caps.dsn = true;
        break;
      case 'STARTTLS':
        caps.starttls = true;
        break;
      case 'ENHANCEDSTATUSCODES':
        caps.enhancedStatusCodes = true;
        break;
      default:
        break;
    }
  }
  return caps;
}
