// Latency samples of the measured window and their percentiles. Samples go into a growable
// Float64Array so that recording one costs no allocation on the generator's hot path; percentiles
// are exact (the array is sorted once at the end).

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class LatencyRecorder {
  private samples: Float64Array;
  private n = 0;

  constructor(initialCapacity = 65536) {
    this.samples = new Float64Array(Math.max(16, initialCapacity));
  }

  get count(): number {
    return this.n;
  }

  record(ms: number): void {
    if (this.n === this.samples.length) {
      const bigger = new Float64Array(this.samples.length * 2);
      bigger.set(this.samples);
      this.samples = bigger;
    }
    this.samples[this.n++] = ms;
  }

  reset(): void {
    this.n = 0;
  }

  summary(): LatencySummary {
    const sorted = this.samples.slice(0, this.n).sort();
    let sum = 0;
    for (let i = 0; i < sorted.length; i++) sum += sorted[i] ?? 0;
    return {
      count: this.n,
      meanMs: this.n === 0 ? 0 : sum / this.n,
      p50Ms: percentile(sorted, 50),
      p90Ms: percentile(sorted, 90),
      p99Ms: percentile(sorted, 99),
      maxMs: this.n === 0 ? 0 : (sorted[sorted.length - 1] ?? 0),
    };
  }
}

/**
 * Nearest-rank percentile of an ascending array: the smallest sample such that at least p% of the
 * samples are less than or equal to it (so p99 of 100 samples is the 99th, never an interpolation
 * that no message actually had). 0 for an empty array.
 */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] ?? 0;
}
