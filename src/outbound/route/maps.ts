// The two domain maps of outbound routing, as text files (src/maps/domain-map.ts):
//
// mailertable (FEATURE(mailertable)):     example.com   esmtp:[mail.example.com]
//                                        .example.com  smtp:relay.example.com:2525
//                                        old.example   error:5.1.1:550 This domain is gone
//                                        .             relay:[smarthost.example.net]
// TLS policy map (TLSPolicyFile [Postern]):  bank.example  verify
//                                        .partner.example  verify
//                                        legacy.example  none
//                                        .  opportunistic          (the default without a `.` entry)

import { parseDomainMap, type DomainMapParse } from '../../maps/domain-map.js';
import { parseRouteSpec } from './relay-spec.js';
import type { RouteSpec, TlsPolicy } from './types.js';

export function parseMailertable(text: string, file: string): DomainMapParse<RouteSpec> {
  return parseDomainMap(text, file, (raw) => {
    const r = parseRouteSpec(raw);
    return r.ok ? { ok: true, value: r.spec } : { ok: false, error: r.message };
  });
}

const TLS_WORDS: Record<string, TlsPolicy> = {
  verify: 'verify',
  secure: 'verify',
  opportunistic: 'opportunistic',
  may: 'opportunistic',
  none: 'none',
};

export function parseTlsPolicyWord(raw: string): TlsPolicy | undefined {
  return TLS_WORDS[raw.trim().toLowerCase()];
}

export function parseTlsPolicyMap(text: string, file: string): DomainMapParse<TlsPolicy> {
  return parseDomainMap(text, file, (raw) => {
    const p = parseTlsPolicyWord(raw);
    return p !== undefined ? { ok: true, value: p } : { ok: false, error: `unknown TLS policy "${raw}" (verify, opportunistic or none)` };
  });
}
