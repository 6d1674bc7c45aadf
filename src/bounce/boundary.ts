// The MIME boundary of a report: sendmail's `<qid>.<unix time>/<j>` (queue-and-bounces.md §6.2), made
// safe. Queue ids and times can be guessed, so a returned message could carry the delimiter line on
// purpose; the boundary is therefore checked against every part and changed until nothing contains it.
// RFC 2046 §5.1.1: at most 70 characters from a small set.

const MAX_BOUNDARY = 70;

/** Characters RFC 2046 allows in a boundary (bcharsnospace); anything else in $j becomes `-`. */
function boundaryText(s: string): string {
  return s.replace(/[^0-9A-Za-z'()+_,\-./:=?]/g, '-');
}

export function chooseBoundary(qid: string, nowMs: number, j: string, parts: ReadonlyArray<Buffer | string>): string {
  const head = `${boundaryText(qid)}.${Math.floor(nowMs / 1000)}/`;
  const host = boundaryText(j);
  for (let n = 0; ; n++) {
    const suffix = n === 0 ? '' : `.${n}`;
    const candidate = head + host.slice(0, Math.max(0, MAX_BOUNDARY - head.length - suffix.length)) + suffix;
    const delimiter = `--${candidate}`;
    if (!parts.some((p) => p.includes(delimiter))) return candidate;
  }
}
