// The SMTP session's view of local recipients when the aliases come from an AliasStore: the same
// answers as StaticLocalDirectory, except that while an alias database is unavailable (no
// completeness marker after AliasWait) every local recipient is accepted for a later try — answered
// `Recipient ok (will queue)` — rather than refused on the strength of half an alias table.

import type { AliasStore } from './alias-db-store.js';
import { StaticLocalDirectory } from './local-directory.js';
import type { UserTable } from './users.js';
import type { LocalLookup } from '../policy/local-directory.js';

export class AliasStoreDirectory extends StaticLocalDirectory {
  readonly #store: AliasStore;

  constructor(localDomains: Iterable<string>, store: AliasStore, users: UserTable, maxDepth?: number) {
    super(localDomains, store.asMap(), users, maxDepth);
    this.#store = store;
  }

  override lookup(localPart: string): LocalLookup {
    if (this.#store.unavailable() !== undefined) return { kind: 'tempfail' };
    return super.lookup(localPart);
  }
}
