// The date macros (smtp-session.md §11): $b RFC 5322 date with a numeric zone, $d ctime form,
// $t YYYYMMDDHHmm. All in the process's local time zone unless an offset is given (tests, -O options).

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Minutes east of UTC of the process's time zone at that instant. */
export function localOffsetMinutes(d: Date): number {
  // getTimezoneOffset() is minutes *west* of UTC; `|| 0` turns -0 into 0.
  return -d.getTimezoneOffset() || 0;
}

interface Fields {
  day: string;
  date: number;
  month: string;
  year: number;
  monthNumber: number;
  hh: number;
  mm: number;
  ss: number;
}

/** The wall-clock fields at `offset` minutes east of UTC. */
function fields(d: Date, offset: number): Fields {
  const t = new Date(d.getTime() + offset * 60_000);
  return {
    day: DAYS[t.getUTCDay()],
    date: t.getUTCDate(),
    month: MONTHS[t.getUTCMonth()],
    monthNumber: t.getUTCMonth() + 1,
    year: t.getUTCFullYear(),
    hh: t.getUTCHours(),
    mm: t.getUTCMinutes(),
    ss: t.getUTCSeconds(),
  };
}

function zone(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  return `${sign}${two(Math.floor(a / 60))}${two(a % 60)}`;
}

/** $b: `Mon, 1 Jan 2024 12:00:00 +0000` (no leading zero on the day, always a numeric zone). */
export function rfc5322Date(d: Date, offset = localOffsetMinutes(d)): string {
  const f = fields(d, offset);
  return `${f.day}, ${f.date} ${f.month} ${f.year} ${two(f.hh)}:${two(f.mm)}:${two(f.ss)} ${zone(offset)}`;
}

/** $d: ctime form `Mon Jan  1 12:00:00 2024` (day of month padded with a space). */
export function ctimeDate(d: Date, offset = localOffsetMinutes(d)): string {
  const f = fields(d, offset);
  const date = f.date < 10 ? ` ${f.date}` : String(f.date);
  return `${f.day} ${f.month} ${date} ${two(f.hh)}:${two(f.mm)}:${two(f.ss)} ${f.year}`;
}

/** $t: `YYYYMMDDHHmm`. */
export function compactDate(d: Date, offset = localOffsetMinutes(d)): string {
  const f = fields(d, offset);
  return `${f.year}${two(f.monthNumber)}${two(f.date)}${two(f.hh)}${two(f.mm)}`;
}
