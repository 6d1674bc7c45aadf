// mailq's text layout, exactly as queue-and-bounces.md §3 gives it (sendmail's printqueue()).

import type { ListedMessage, LostListing, QueueListing } from './listing.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const HEADER = '-----Q-ID----- --Size-- -----Q-Time----- ------------Sender/Recipient-----------';
const HEADER_VERBOSE = '-----Q-ID----- --Size-- -Priority- ---Q-Time--- --------Sender/Recipient--------';

/** The first 16 characters of ctime(3) in local time: `Mon Jan  1 12:00`. */
export function ctime16(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

const angle = (a: string): string => `<${a}>`;

function entry(m: ListedMessage, verbose: boolean, quarantine: boolean): string[] {
  const size = String(m.size).padStart(8, ' ');
  const when = verbose ? `${String(m.priority).padStart(10, ' ')}${m.warned ? '+' : ' '}${ctime16(m.created).slice(4)}` : ctime16(m.created);
  const lines = [`${m.id}${m.mark}${size} ${when} ${angle(m.sender).slice(0, 45)}`];
  if (quarantine && m.quarantine !== undefined) lines.push(`     QUARANTINE: ${m.quarantine}`);
  if (m.status !== undefined && m.status !== '') lines.push(`${' '.repeat(17)}(${m.status.slice(0, 100)})`);
  for (const r of m.recipients) {
    lines.push(`\t\t\t\t\t ${angle(r.address).slice(0, 78)}`);
    if (verbose && r.text !== undefined && r.text !== '') lines.push(`\t\t (${r.text})`);
  }
  return lines;
}

/** The listing; `quarantine` adds the QUARANTINE line of -qQ. */
export function formatListing(l: QueueListing, opts: { verbose: boolean; quarantine: boolean }): string {
  if (l.total === 0) return `${l.directory} is empty\n\t\tTotal requests: 0\n`;
  const n = l.total;
  const plural = n === 1 ? 'request' : 'requests';
  const head = l.messages.length < n ? `\t\t${l.directory} (${n} ${plural}, only ${l.messages.length} printed)` : `\t\t${l.directory} (${n} ${plural})`;
  const lines = [head, opts.verbose ? HEADER_VERBOSE : HEADER];
  for (const m of l.messages) lines.push(...entry(m, opts.verbose, opts.quarantine));
  lines.push(`\t\tTotal requests: ${n}`);
  return `${lines.join('\n')}\n`;
}

/** -qL: one line per item set aside as lost (the spec gives no layout; this follows the listing's frame). */
export function formatLost(l: LostListing): string {
  const n = l.lost.length;
  if (n === 0) return `${l.directory} has no lost items\n\t\tTotal lost items: 0\n`;
  const lines = [`\t\t${l.directory} (${n} lost item${n === 1 ? '' : 's'})`];
  for (const x of l.lost) lines.push(`${x.id ?? '-'.repeat(14)} ${x.file}: ${x.reason}`);
  lines.push(`\t\tTotal lost items: ${n}`);
  return `${lines.join('\n')}\n`;
}
