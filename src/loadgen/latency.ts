// Request latencies kept whole (a run sends at most a few million requests),
// summarised as nearest-rank percentiles.

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export class LatencyRecorder {
  private ms = new Float64Array(1024);
  private count = 0;

  add(ms: number): void {
    if (this.count === this.ms.length) {
      const next = new Float64Array(this.ms.length * 2);
      next.set(this.ms);
      this.ms = next;
    }
    this.ms[this.count++] = ms;
  }

  /** Percentiles in ms, rounded to µs; all zero when nothing was recorded. */
  summary(): LatencySummary {
    const sorted = this.ms.slice(0, this.count).sort();
    const at = (q: number): number => {
      if (sorted.length === 0) return 0;
      const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
      return Math.round(sorted[rank]! * 1000) / 1000;
    };
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
  }
}
