// `postern queue show QID...`: one message's envelope and delivery state, as the spool records them
// (what sendmail's qf file holds), optionally followed by the message itself.

import { scheduleOptions } from '../../daemon/runner-settings.js';
import { nextAttemptAt, priority } from '../../queue/schedule.js';
import type { QueuedMessage } from '../../queue/reader.js';
import type { QueueAccess } from './access.js';

function when(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (!Number.isFinite(ms)) return 'never';
  return new Date(ms).toISOString();
}

export function showText(access: QueueAccess, m: QueuedMessage, now = Date.now()): string {
  const e = m.envelope;
  const s = m.state;
  const sched = scheduleOptions(access.cfg);
  const next = nextAttemptAt(s, e, sched, now);
  const flags = [
    e.eightBit ? '8bit' : undefined,
    e.bodyType !== undefined ? `BODY=${e.bodyType}` : undefined,
    e.ret !== undefined ? `RET=${e.ret}` : undefined,
    e.envid !== undefined ? `ENVID=${e.envid}` : undefined,
    e.smtputf8 === true ? 'SMTPUTF8' : undefined,
    s.warningSent ? 'warning sent' : undefined,
    e.report !== undefined ? `report (${e.report})` : undefined,
  ].filter((f): f is string => f !== undefined);
  const lines = [
    `Queue ID:     ${e.id}`,
    `Created:      ${when(e.created)}`,
    `Size:         ${m.dataSize}`,
    `Priority:     ${priority(e, s, sched)}`,
    `Sender:       <${e.sender}>`,
    `Received:     ${e.protocol}${e.client !== '' ? ` from ${e.client}` : ''}${e.helo !== '' ? ` (HELO ${e.helo})` : ''}`,
    ...(e.precedence !== undefined ? [`Precedence:   ${e.precedence}`] : []),
    `Attempts:     ${s.attempts}${s.lastAttempt !== undefined ? `, last ${when(s.lastAttempt)}` : ''}`,
    `Next attempt: ${s.done ? 'none (finished)' : s.quarantine !== undefined ? 'none (quarantined)' : next <= now ? 'due now' : when(next)}`,
    ...(s.status !== undefined ? [`Status:       ${s.status}`] : []),
    ...(s.quarantine !== undefined ? [`Quarantine:   ${s.quarantine}`] : []),
    ...(flags.length > 0 ? [`Flags:        ${flags.join(', ')}`] : []),
    'Recipients:',
  ];
  for (const r of s.recipients) {
    const extra = [r.primary ? undefined : 'from expansion', r.orcpt !== undefined ? `ORCPT=${r.orcpt}` : undefined, r.notify !== undefined ? `NOTIFY=${r.notify.join(',')}` : undefined]
      .filter((x): x is string => x !== undefined)
      .join(', ');
    lines.push(`  <${r.address}> ${r.status}${r.text !== undefined ? ` (${r.text})` : ''}${extra !== '' ? ` [${extra}]` : ''}`);
  }
  if (s.deliveries.size > 0) {
    lines.push('Deliveries:');
    for (const d of s.deliveries.values()) {
      const reply = [d.code, d.enh, d.text].filter((x) => x !== undefined).join(' ');
      lines.push(`  ${d.final ?? d.key} ${d.status}${d.mailer !== undefined ? ` mailer=${d.mailer}` : ''}${reply !== '' ? ` (${reply})` : ''} at ${when(d.at)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function showJson(m: QueuedMessage): unknown {
  return { envelope: m.envelope, dataSize: m.dataSize, state: { ...m.state, deliveries: [...m.state.deliveries.values()] } };
}
