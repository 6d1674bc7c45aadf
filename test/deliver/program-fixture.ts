// The setup of program-and-file-delivery.md §6 for program deliveries: SmrshDirectory $T/smrsh with
// `vacation` (a link to a script that records its argv, stdin, environment, working directory and
// identity) and `fail75`, plus the extra entries the refusal and exit-status tests need.

import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentResult, ProgramJob } from '../../src/deliver/agent-protocol.js';
import { spawnAgentService } from '../../src/deliver/agent-service.js';
import type { Identity } from '../../src/deliver/shared-types.js';
import { MESSAGE, meta } from './helpers.js';

export interface ProgramFixture {
  T: string;
  smrsh: string;
  out: string;
  run(command: string, as: Identity, extra?: Partial<ProgramJob>): Promise<AgentResult>;
  /** What the `record` script saw on its last run. */
  recorded(): { args: string[]; stdin: string; env: string[]; cwd: string; ids: string[] };
  calls(): number;
  reset(): void;
  close(): Promise<void>;
}

function script(path: string, body: string, mode = 0o755): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, mode);
}

export function programFixture(T: string): ProgramFixture {
  const bin = join(T, 'bin');
  const smrsh = join(T, 'smrsh');
  const out = join(T, 'out');
  mkdirSync(bin, { mode: 0o755 });
  mkdirSync(smrsh, { mode: 0o755 });
  mkdirSync(out);
  chmodSync(out, 0o1777);
  script(
    join(bin, 'record'),
    [
      `out=${out}`,
      'echo x >> $out/calls',
      'for a in "$@"; do printf "%s\\n" "$a"; done > $out/args',
      'cat > $out/stdin',
      "tr '\\000' '\\n' < /proc/$$/environ > $out/env",
      'pwd > $out/cwd',
      '{ id -u; id -g; id -G; } > $out/ids',
      'exit 0',
    ].join('\n'),
  );
  script(join(bin, 'fail75'), 'cat > /dev/null\nexit 75');
  script(join(bin, 'exiter'), 'exit "$1"');
  script(join(bin, 'chatter'), 'echo "chatter: no such mailing list" >&2\necho "second line"\nexit 67');
  script(join(bin, 'bigout'), 'i=0\nwhile [ $i -lt 200 ]; do echo "0123456789012345678901234567890123456789012345678"; i=$((i+1)); done\nexit 1');
  script(join(bin, 'sleeper'), `sleep 30 &\necho $! > ${out}/child.pid\nwait`);
  script(join(bin, 'killer'), 'kill -TERM $$');
  symlinkSync(join(bin, 'record'), join(smrsh, 'vacation'));
  for (const n of ['fail75', 'exiter', 'chatter', 'bigout', 'sleeper', 'killer']) symlinkSync(join(bin, n), join(smrsh, n));
  // Entries that must be refused.
  script(join(smrsh, 'writable'), 'exit 0', 0o777);
  script(join(smrsh, 'notexec'), 'exit 0', 0o644);
  mkdirSync(join(smrsh, 'adir'));
  symlinkSync(join(bin, 'nothing-here'), join(smrsh, 'dangling'));

  const service = spawnAgentService({ tz: 'UTC' });
  const read = (n: string): string => readFileSync(join(out, n), 'utf8');
  const lines = (n: string): string[] => read(n).split('\n').filter((l) => l.length > 0);
  return {
    T,
    smrsh,
    out,
    run: (command, as, extra = {}) =>
      service.run(
        { kind: 'program', command, as, smrshDirectory: smrsh, smrshPath: '/usr/bin:/bin', timeoutMs: 10_000, dontBlame: [], meta: meta(), ...extra },
        MESSAGE,
      ),
    recorded: () => ({ args: read('args').split('\n').slice(0, -1), stdin: read('stdin'), env: lines('env'), cwd: read('cwd').trim(), ids: lines('ids') }),
    calls: () => (existsSync(join(out, 'calls')) ? lines('calls').length : 0),
    close: () => service.close(),
    reset: () => {
      for (const n of ['calls', 'args', 'stdin', 'env', 'cwd', 'ids']) rmSync(join(out, n), { force: true });
    },
  };
}
