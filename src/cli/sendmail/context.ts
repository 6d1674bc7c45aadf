// What every mode of the sendmail command works with: the configuration, who the caller is, and where
// its output goes.

import type { EffectiveConfig } from '../../config/effective.js';
import type { RunOption } from '../../submit/run-options.js';
import type { SubmitCaller } from '../../submit/submit.js';

export interface CommandContext {
  config: EffectiveConfig;
  /** -C file, or the default configuration file (undefined: the embedded default) */
  configPath: string | undefined;
  defaultConfigPath: string | undefined;
  /** -C given by an untrusted caller: the caller's own rights only, never the daemon */
  alternateConfig: boolean;
  /** the caller as this process sees itself (the daemon finds the same from the kernel) */
  caller: SubmitCaller;
  /** root, or the owner of the queue directory: may write the queue without the daemon */
  mayWriteQueue: boolean;
  /** the run's -O/-o options, as given (already judged: an untrusted caller's are all safe) */
  options: RunOption[];
  /** some option is not a safe one (only a trusted caller gets here with one) */
  unsafeOptions: boolean;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}
