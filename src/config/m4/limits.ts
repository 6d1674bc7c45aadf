// Bounds that turn runaway input (recursive macros, exponential expansions, self-including files)
// into a configuration error instead of a hang or an out-of-memory crash.

export interface M4Limits {
  /** Nested expansions: pending expansion texts on the input stack plus argument lists being collected. */
  maxDepth: number;
  /** Total characters of expansion text produced (rescanned input), per run. */
  maxExpansionChars: number;
  /** Total characters of kept output (diversions >= 0), per run. */
  maxOutputChars: number;
  /** Macro calls per run; stops `define(`x', `x')x`, which loops without nesting or growing. */
  maxCalls: number;
  /** Nested include()/sinclude() files. */
  maxIncludeDepth: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<M4Limits> = {
  maxDepth: 1000,
  maxExpansionChars: 16 * MiB,
  maxOutputChars: 16 * MiB,
  maxCalls: 1_000_000,
  maxIncludeDepth: 64,
};

export function resolveLimits(partial: Partial<M4Limits> | undefined): M4Limits {
  return { ...DEFAULT_LIMITS, ...partial };
}

/** Thrown inside the engine to stop processing after a fatal problem (already reported as a diagnostic). */
export class M4Abort extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'M4Abort';
  }
}
