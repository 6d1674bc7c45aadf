// Durations in words, the way sendmail writes them in DSN subjects and texts (its pintvl()):
// `4 hours`, `1 hour`, `5 days`, `30 minutes`, `1 day, 12 hours`, `2 weeks, 1 day`.

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** `ms` is rounded down to whole seconds; zero reads `zero seconds`. */
export function durationWords(ms: number): string {
  let rest = Math.max(0, Math.floor(ms / 1000));
  if (rest === 0) return 'zero seconds';
  const parts: string[] = [];
  for (const [name, size] of UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
  }
  return parts.join(', ');
}
