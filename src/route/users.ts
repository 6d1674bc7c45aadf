// The accounts routing needs: local users by name (after aliasing) and by uid (the owner of a
// :include: file), and the DefaultUser identity (program-and-file-delivery.md §3.1).

import type { UserEntry, UserTable } from '../maps/users.js';
import type { Identity } from './types.js';

export interface UserLookup {
  /** getpwnam() on the name folded to lower case. */
  byName(name: string): Identity | undefined;
  /** getpwuid(): the first entry with that uid. */
  byUid(uid: number): Identity | undefined;
}

function identity(u: UserEntry): Identity {
  return { name: u.name, uid: u.uid, gid: u.gid, home: u.home, shell: u.shell };
}

export function userLookup(table: UserTable): UserLookup {
  let uids: Map<number, UserEntry> | undefined;
  return {
    byName(name) {
      const u = table.lookupUser(name);
      return u === undefined ? undefined : identity(u);
    },
    byUid(uid) {
      if (uids === undefined) {
        uids = new Map();
        for (const u of table.users.values()) if (!uids.has(u.uid)) uids.set(u.uid, u);
      }
      const u = uids.get(uid);
      return u === undefined ? undefined : identity(u);
    },
  };
}

/**
 * DefaultUser as sendmail accepts it: `name`, `name:gid`, or `uid:gid` (`1:1`). Root is refused
 * (§3.1: startup error); the result is the identity or the error text.
 */
export function resolveDefaultUser(spec: string, users: UserLookup): Identity | string {
  const [userPart, groupPart] = spec.split(':', 2) as [string, string | undefined];
  const numeric = /^\d+$/;
  let id: Identity | undefined;
  if (numeric.test(userPart)) {
    const uid = Number(userPart);
    id = users.byUid(uid) ?? { name: `#${uid}`, uid, gid: uid, home: '/', shell: '' };
  } else {
    id = users.byName(userPart);
    if (id === undefined) return `DefaultUser ${spec}: no such user`;
  }
  if (groupPart !== undefined) {
    if (!numeric.test(groupPart)) return `DefaultUser ${spec}: the group must be numeric`;
    id = { ...id, gid: Number(groupPart) };
  }
  if (id.uid === 0) return `DefaultUser ${spec}: must not be root`;
  return id;
}
