// Queue filters (queue-and-bounces.md §4, op.me §3.3): -qI<s> the queue id contains s, -qR<s> some
// recipient contains s, -qS<s> the sender contains s, -qQ<s> the quarantine reason contains s; `!`
// after -q negates. Several of one letter are ORed, different letters ANDed. R and S compare
// case-insensitively, I and Q case-sensitively. Plain data, so it crosses the control socket as JSON.

export type FilterLetter = 'I' | 'R' | 'S' | 'Q';

export interface FilterTerm {
  text: string;
  negate: boolean;
}

export type QueueFilter = Record<FilterLetter, FilterTerm[]>;

export interface Filterable {
  envelope: { id: string; sender: string };
  state: { quarantine?: string; recipients: ReadonlyArray<{ address: string; status: string }> };
}

export const emptyFilter = (): QueueFilter => ({ I: [], R: [], S: [], Q: [] });

export function hasFilter(f: QueueFilter): boolean {
  return f.I.length + f.R.length + f.S.length + f.Q.length > 0;
}

/** Whether any of I, R or S is given (the ones that may select items for -Q). */
export function hasSelection(f: QueueFilter): boolean {
  return f.I.length + f.R.length + f.S.length > 0;
}

function anyTerm(terms: readonly FilterTerm[], values: readonly string[], fold: boolean): boolean {
  if (terms.length === 0) return true;
  const vs = fold ? values.map((v) => v.toLowerCase()) : values;
  return terms.some((t) => {
    const needle = fold ? t.text.toLowerCase() : t.text;
    const hit = vs.some((v) => v.includes(needle));
    return t.negate ? !hit : hit;
  });
}

export function matchesFilter(f: QueueFilter, m: Filterable): boolean {
  const pending = m.state.recipients.filter((r) => r.status === 'pending' || r.status === 'deferred').map((r) => r.address);
  return (
    anyTerm(f.I, [m.envelope.id], false) &&
    anyTerm(f.R, pending, true) &&
    anyTerm(f.S, [m.envelope.sender], true) &&
    anyTerm(f.Q, m.state.quarantine === undefined ? [] : [m.state.quarantine], false)
  );
}

/** Checks a filter that arrived over the control socket; null when it is not one. */
export function checkFilter(v: unknown): QueueFilter | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const out = emptyFilter();
  for (const k of ['I', 'R', 'S', 'Q'] as const) {
    const terms = o[k];
    if (!Array.isArray(terms)) return null;
    for (const t of terms as unknown[]) {
      if (typeof t !== 'object' || t === null) return null;
      const r = t as Record<string, unknown>;
      if (typeof r['text'] !== 'string' || typeof r['negate'] !== 'boolean') return null;
      out[k].push({ text: r['text'], negate: r['negate'] });
    }
  }
  return out;
}
