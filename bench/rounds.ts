// The order of work in a run: the load scenario against every target, repeated --rounds times with
// the order of the targets alternating (A B, B A, A B...) so that neither always runs on a machine
// still busy with the other's aftermath; each round on a freshly started server. Then the idle test
// once per target, again on a fresh server, so that the load's garbage does not blur that figure.
// A target's reported load figures are those of its median round by messages/s.

import type { Wire } from './message.js';
import type { BenchOptions } from './options.js';
import type { LoadFigures, TargetReport } from './report.js';
import { idlePhase, loadPhase, withServer } from './scenario.js';
import { targetName, type StartContext, type TargetSpec } from './targets.js';

/** How many idle connections a target gets: Postfix forks one smtpd per connection, so it is capped. */
export function idleCount(spec: TargetSpec, opts: BenchOptions): number {
  return spec.kind === 'postfix' ? Math.min(opts.idle, opts.postfixIdle) : opts.idle;
}

/** The round with the median messages/s (the lower one of the middle two for an even count). */
export function medianRound(rounds: readonly LoadFigures[]): LoadFigures | undefined {
  const sorted = [...rounds].sort((a, b) => a.messagesPerSec - b.messagesPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export async function runTargets(opts: BenchOptions, wire: Wire, ctx: StartContext, say: (line: string) => void): Promise<TargetReport[]> {
  const reports = opts.targets.map(
    (spec): TargetReport => ({ target: targetName(spec), detail: '(not started)', load: null, roundsMessagesPerSec: [], idle: null, error: null }),
  );
  const rounds: LoadFigures[][] = opts.targets.map(() => []);
  const what = `${opts.sessions} sessions, ${opts.messages !== undefined ? `${opts.messages} messages` : `${opts.durationSec} s`} after ${opts.warmupSec} s warm-up`;

  for (let round = 0; round < opts.rounds; round++) {
    const order = opts.targets.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const spec = opts.targets[i] as TargetSpec;
      const rep = reports[i] as TargetReport;
      if (rep.error !== null) continue;
      say(`${rep.target}: load${opts.rounds > 1 ? ` round ${round + 1}/${opts.rounds}` : ''} (${what})`);
      const phase = await withServer(spec, ctx, (server) => loadPhase(server, opts, wire));
      rep.detail = phase.detail;
      if (phase.error !== undefined) rep.error = phase.error;
      if (phase.value !== undefined) rounds[i]?.push(phase.value);
    }
  }

  opts.targets.forEach((_, i) => {
    const rep = reports[i] as TargetReport;
    const done = rounds[i] ?? [];
    rep.roundsMessagesPerSec = done.map((r) => r.messagesPerSec);
    rep.load = medianRound(done) ?? null;
  });

  for (const [i, spec] of opts.targets.entries()) {
    const rep = reports[i] as TargetReport;
    const n = idleCount(spec, opts);
    if (n === 0 || rep.error !== null) continue;
    say(`${rep.target}: idle test (${n} connections)`);
    const phase = await withServer(spec, ctx, (server) => idlePhase(server, n, opts, wire));
    if (phase.error !== undefined) rep.error = phase.error;
    if (phase.value !== undefined) rep.idle = phase.value;
  }
  return reports;
}
