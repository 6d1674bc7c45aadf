// The state carried down one path of an expansion tree (aliases-forward.md §8): depth, the names
// being expanded (loops), the controlling user of programs and files and the safety marks of the
// file the entries came from (§4, §5.3), the owner-X sender, and NOTIFY.

import type { AliasElement } from '../maps/aliases.js';
import type { ExpandContext } from './context.js';
import type { Identity, StatusText } from './types.js';

/** Where the entries on this path come from, and what their programs and files may do. */
export interface Control {
  source: 'envelope' | 'alias' | 'forward' | 'include';
  /** Programs and files run as this identity (§8 rule 10; never root). */
  as: Identity;
  /** Nested :include: files are read with this identity. */
  reader: Identity;
  /** §5.3 mark *unsafe*: no programs, no files. */
  unsafe: boolean;
  /** §5.3 mark *bogus shell*: `user@<j>` of the user whose shell is not valid. */
  bogusShell?: string;
  /** §4: the :include: file's owner has no passwd entry. */
  unknownUid?: number;
}

export interface Branch {
  recipient: number;
  /** The envelope recipient, as stored (Final-Recipient). */
  top: string;
  depth: number;
  /** Lower-case names of the aliases and users being expanded above, and `:include:<path>`. */
  chain: ReadonlySet<string>;
  /** The nearest alias or user being expanded: an element naming it is a self-reference (§8 rule 4). */
  parent?: string;
  ctl: Control;
  /** owner-X (§8 rule 9). */
  sender?: string;
  notify?: string[];
  expanded: boolean;
}

/** What expanding one element says to its parent: it closed a loop (§8 rule 6), or anything else. */
export interface Result {
  loop?: string;
}

/** RFC 3461 §6.2.7.3: the members of an expanded list are not asked for SUCCESS again. */
export function dropSuccess(notify: string[] | undefined): string[] | undefined {
  if (notify === undefined) return undefined;
  const rest = notify.filter((w) => w !== 'SUCCESS');
  return rest.length > 0 ? rest : ['NEVER'];
}

/** One level down: `name` joins the chain; a list drops SUCCESS from NOTIFY. */
export function childBranch(b: Branch, names: readonly string[], changes: Partial<Pick<Branch, 'parent' | 'ctl' | 'sender'>>, list: boolean): Branch {
  const chain = new Set(b.chain);
  for (const n of names) chain.add(n);
  return {
    ...b,
    ...changes,
    depth: b.depth + 1,
    chain,
    notify: list ? dropSuccess(b.notify) : b.notify,
    expanded: b.expanded || list,
  };
}

/** What the .forward and :include: readers need from the expander. */
export interface ExpansionHost {
  readonly ctx: ExpandContext;
  fail(b: Branch, status: StatusText, actual: string): void;
  defer(b: Branch, status: StatusText, actual: string): void;
  mailbox(b: Branch, user: Identity): void;
  /** Expands the elements of a list one level down; a list of nothing but loops fails as a loop. */
  expandList(elements: readonly AliasElement[], child: Branch, shown: string): Promise<Result>;
  log(b: Branch, level: 'info' | 'warning', message: string): void;
  /**
   * True the first time `node` (an alias, a user's .forward, a :include: file in one context) is met
   * in this message: like sendmail, an address already expanded is not expanded again, which keeps the
   * work linear in the size of the lists however many paths lead to them.
   */
  firstVisit(node: string): boolean;
}
