// The access map source (src/maps/access-source.ts) seen through the policy's AccessView.

import type { AccessMapSource } from '../maps/access-source.js';
import type { AccessResult } from '../maps/access-table.js';
import type { AccessAction, AccessAnswer, AccessView } from '../policy/access-view.js';

const PLAIN: Record<string, AccessAction> = {
  ok: { kind: 'OK' },
  relay: { kind: 'RELAY' },
  reject: { kind: 'REJECT' },
  discard: { kind: 'DISCARD' },
  friend: { kind: 'FRIEND' },
  hater: { kind: 'HATER' },
};

function answer(r: AccessResult): AccessAnswer {
  if (r.status === 'tempfail') return 'temp';
  if (r.status === 'not-found') return undefined;
  const v = r.value;
  switch (v.kind) {
    case 'quarantine':
      return { key: r.key, action: { kind: 'QUARANTINE', reason: v.reason } };
    case 'error':
      return { key: r.key, action: { kind: 'ERROR', code: v.code, enh: v.enhanced, text: v.text } };
    case 'number':
      return { key: r.key, action: { kind: 'NUMBER', value: v.value } };
    case 'skip':
      return undefined;
    default:
      return { key: r.key, action: PLAIN[v.kind]! };
  }
}

export function accessView(src: AccessMapSource): AccessView {
  return {
    domain: (tag, name, opts) => answer(src.lookupDomain(tag, name, opts?.exact === true ? { exact: true } : {})),
    address: (tag, addr) => answer(src.lookupAddress(tag, addr)),
    full: (tag, user, domain) => answer(src.lookupFull(tag, `${user}@${domain}`)),
    user: (tag, user) => answer(src.lookupUser(tag, user)),
    exact: (tag, key) => answer(src.lookupKey(tag, key)),
  };
}
