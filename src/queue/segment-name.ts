// File names inside the queue directory. Every writer process owns the segments carrying its id;
// no name is ever taken from the network.
//
//   <writer>.<seq>.seg          a segment (seq: 10 decimal digits, increasing per writer)
//   <writer>.<seq>.seg.lost     a whole segment set aside (unsafe owner or mode, unknown format)
//   <writer>.<seq>.seg.<off>.lost  the damaged rest of a segment from byte <off>, set aside
//   <writer>.lock               the pid of the process writing as <writer>

const WRITER_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const SEGMENT_PATTERN = /^([A-Za-z0-9_-]{1,32})\.(\d{10})\.seg$/;
const LOST_PATTERN = /^([A-Za-z0-9_-]{1,32})\.(\d{10})\.seg(?:\.(\d+))?\.lost$/;

export function isWriterId(s: string): boolean {
  return WRITER_PATTERN.test(s);
}

export function segmentName(writer: string, seq: number): string {
  return `${writer}.${String(seq).padStart(10, '0')}.seg`;
}

export function parseSegmentName(name: string): { writer: string; seq: number } | null {
  const m = SEGMENT_PATTERN.exec(name);
  return m ? { writer: m[1] as string, seq: Number(m[2]) } : null;
}

export function lostSegmentName(segment: string): string {
  return `${segment}.lost`;
}

export function lostTailName(segment: string, offset: number): string {
  return `${segment}.${offset}.lost`;
}

export function parseLostName(name: string): { writer: string; seq: number; offset?: number } | null {
  const m = LOST_PATTERN.exec(name);
  if (!m) return null;
  const base = { writer: m[1] as string, seq: Number(m[2]) };
  return m[3] === undefined ? base : { ...base, offset: Number(m[3]) };
}

export function lockName(writer: string): string {
  return `${writer}.lock`;
}

/** Segment file names of a directory listing, in writer then sequence order. */
export function sortedSegments(names: readonly string[]): string[] {
  return names.filter((n) => SEGMENT_PATTERN.test(n)).sort();
}
