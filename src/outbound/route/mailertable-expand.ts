// mailertable entries that are not relays act at expansion time, so that their outcome is like any
// other local routing outcome: `local:user` delivers to the local recipient `user` (aliases, .forward
// and all, as an envelope recipient would be), `error:` fails or defers the address with its text.
// Relay entries are left to the router at delivery time. A `local:` target that expands to a remote
// address again is not looked up a second time (the router then refuses it: no loop).

import type { DomainMap } from '../../maps/domain-map.js';
import type { Expander } from '../../queue/runner-types.js';
import type { Expanded } from '../../route/types.js';
import { domainOf } from './router.js';
import type { RouteSpec } from './types.js';

function base(e: Expanded): Omit<Expanded, 'delivery' | 'failed' | 'deferred'> {
  const { delivery: _d, failed: _f, deferred: _x, ...rest } = e;
  return rest;
}

export function withMailertable(expand: Expander, table: () => DomainMap<RouteSpec> | undefined): Expander {
  return async (envelope, only) => {
    const out = await expand(envelope, only);
    const map = table();
    if (map === undefined || map.size === 0) return out;
    const result: Expanded[] = [];
    for (const e of out) {
      const d = e.delivery;
      const hit = d?.kind === 'remote' ? map.lookup(domainOf(d.address)) : undefined;
      if (d?.kind !== 'remote' || hit === undefined || hit.value.kind === 'relay') {
        result.push(e);
        continue;
      }
      const spec = hit.value;
      if (spec.kind === 'error') {
        const st = { ...spec.status, text: `<${d.address}>... ${spec.status.text}` };
        result.push(st.code >= 500 ? { ...base(e), failed: st } : { ...base(e), deferred: st });
        continue;
      }
      const at = d.address.lastIndexOf('@');
      const user = spec.user !== '' ? spec.user : d.address.slice(0, at);
      const local = { ...envelope, recipients: envelope.recipients.map((r, i) => (i === e.recipient ? { ...r, address: user } : r)) };
      for (const s of await expand(local, [e.recipient])) {
        // The DSN still names the address the sender gave; the key is the local delivery's own.
        result.push({ ...s, finalRecipient: e.finalRecipient, ...(e.expanded === true ? { expanded: true } : {}) });
      }
    }
    return result;
  };
}
