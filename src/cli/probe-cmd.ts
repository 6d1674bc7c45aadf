// `postern probe <host>[:<port>]` (audit-and-probe.md §3): check a running mail server from outside and
// report in the shared findings format (text, --json, --sarif) with the exit status of §1, or 69 when
// the target cannot be reached at all.

import { EX_UNAVAILABLE, EX_USAGE, exitStatus } from '../audit/findings.js';
import { colorWanted, renderReport } from '../audit/report.js';
import { reportJson } from '../audit/report-json.js';
import { probeRules } from '../probe/catalogue.js';
import { parseProbeArgs, PROBE_USAGE } from '../probe/cli-args.js';
import { runProbe } from '../probe/run.js';
import { probeSettings, type SettingsInput } from '../probe/settings.js';
import { VERSION } from '../version.js';

export interface ProbeIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stdout is a terminal: the text report is grouped and coloured */
  terminal?: boolean;
  /**
   * Settings no command-line option reaches: tests run against their own loopback servers with a
   * faster connection pace, another source address and their own port treated as an MX port.
   */
  tuning?: Pick<SettingsInput, 'connectIntervalMs' | 'localAddress' | 'starttlsPorts'>;
}

const processIO: ProbeIO = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  terminal: process.stdout.isTTY === true,
};

export async function probeCommand(argv: readonly string[], io: ProbeIO = processIO): Promise<number> {
  const args = parseProbeArgs(argv);
  if (typeof args === 'string') {
    io.stderr(`probe: ${args}\n${PROBE_USAGE}`);
    return EX_USAGE;
  }
  if (args.help) {
    io.stdout(PROBE_USAGE);
    return 0;
  }
  // -v goes to stderr as it happens, so that stdout stays one report (and valid JSON with --json).
  const settings = probeSettings({
    ...args.input,
    ...io.tuning,
    ...(args.verbose ? { onTranscriptLine: (line: string) => io.stderr(`${line}\n`) } : {}),
  });
  const result = await runProbe(settings);
  if (!result.reachable) {
    io.stderr(`probe: cannot connect to ${settings.target.shown}:${settings.target.port}: ${result.reason}\n`);
    return EX_UNAVAILABLE;
  }
  if (args.format === 'json') {
    // The findings carry the transcript of their session; `sessions` adds every session's, so the
    // checks that found nothing show what they saw too.
    const doc = { ...reportJson('probe', result.findings), sessions: result.sessions };
    io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    // In the text report the transcripts would bury the findings; -v shows them as they happen.
    const findings = args.format === 'text' ? result.findings.map(({ transcript: _t, ...f }) => f) : result.findings;
    io.stdout(
      renderReport('probe', findings, {
        format: args.format,
        terminal: io.terminal === true,
        color: colorWanted(process.env),
        toolVersion: VERSION,
        rules: probeRules(),
      }),
    );
  }
  return exitStatus(result.findings, args.failOn);
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === new URL(`file://${entry}`).href) {
  probeCommand(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`probe: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
