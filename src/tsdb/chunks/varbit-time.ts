// The two timestamp models of varbit chunks. Both code one signed integer
// per sample (samples 1..n-1) with their own buckets; the encoder runs both
// and the chunk keeps the smaller stream (header byte `time model`).
//
// delta-of-delta (Gorilla, Prometheus): D_i = (t_i − t_{i−1}) − (t_{i−1} − t_{i−2}),
// with t_{−1} = t_0. Best when the interval wanders (timers restarted after
// each scrape, pushes).
//
// grid: scrapers tick on a fixed grid (Prometheus, the OpenTelemetry
// collector, Go tickers) and each timestamp is the tick plus a few ms of
// jitter. Delta-of-delta sees every jitter three times (j_i − 2j_{i−1} + j_{i−2});
// the residual from the grid sees it once. The grid is a line through an
// anchor sample: predicted t_i = anchorT + (i − anchor)·step, residual
// R_i = t_i − predicted.
//   • |R_i| > step/2 (a missed scrape, a phase jump, sample 1): t_i becomes
//     the anchor; the step stays when the last interval is a whole number
//     of steps (a gap), else it becomes the last interval.
//   • else, when i − anchor is 2, 4, 8, 16 …, step = round((t_i − anchorT) / (i − anchor)):
//     the mean interval since the anchor, which follows a clock that drifts.
//   • a prediction outside ±2^52 (never on real data) falls back to t_{i−1}, so
//     every step is an exact integer on both sides.

import type { BitReader, BitWriter } from './bits.js';
import { Buckets } from './buckets.js';
import { TIMESTAMP_LIMIT_MS } from './header.js';

export const TIME_MODEL_DOD = 0;
export const TIME_MODEL_GRID = 1;

/** Tuned on node_exporter scraped every second (bench/chunks.ts). */
export const DOD_BUCKETS = new Buckets([0, 2, 4, 6, 10, 16, 24, 64], false);
export const GRID_BUCKETS = new Buckets([0, 1, 3, 6, 10, 16, 24, 64], false);
const MIN_SPAN_FOR_STEP = 2;

export class DodTime {
  prevT = 0;
  private delta = 0;

  start(t0: number): void {
    this.prevT = t0;
    this.delta = 0;
  }

  write(w: BitWriter, t: number): void {
    const delta = t - this.prevT;
    DOD_BUCKETS.write(w, delta - this.delta);
    this.delta = delta;
    this.prevT = t;
  }

  read(r: BitReader): number {
    this.delta += DOD_BUCKETS.read(r);
    this.prevT += this.delta;
    return this.prevT;
  }

  copyFrom(o: DodTime): void {
    this.prevT = o.prevT;
    this.delta = o.delta;
  }
}

export class GridTime {
  prevT = 0;
  private index = 0;
  private anchorT = 0;
  private anchorIndex = 0;
  private step = 0;

  start(t0: number): void {
    this.prevT = t0;
    this.index = 0;
    this.anchorT = t0;
    this.anchorIndex = 0;
    this.step = 0;
  }

  write(w: BitWriter, t: number): void {
    const predicted = this.predict();
    GRID_BUCKETS.write(w, t - predicted);
    this.advance(t, predicted);
  }

  read(r: BitReader): number {
    const predicted = this.predict();
    const t = predicted + GRID_BUCKETS.read(r);
    this.advance(t, predicted);
    return t;
  }

  copyFrom(o: GridTime): void {
    this.prevT = o.prevT;
    this.index = o.index;
    this.anchorT = o.anchorT;
    this.anchorIndex = o.anchorIndex;
    this.step = o.step;
  }

  /** Where sample `index + 1` should be. */
  private predict(): number {
    const p = this.anchorT + (this.index + 1 - this.anchorIndex) * this.step;
    return p > -TIMESTAMP_LIMIT_MS && p < TIMESTAMP_LIMIT_MS ? p : this.prevT;
  }

  private advance(t: number, predicted: number): void {
    const i = ++this.index;
    if (Math.abs(t - predicted) * 2 > this.step) {
      const interval = t - this.prevT;
      const steps = this.step > 0 ? Math.round(interval / this.step) : 0;
      if (!(steps >= 1 && Math.abs(interval - steps * this.step) * 2 <= this.step)) this.step = interval;
      this.anchorT = t;
      this.anchorIndex = i;
    } else {
      const span = i - this.anchorIndex;
      // spans 2, 4, 8, …: the estimate sharpens as the span grows, without a division per sample
      if ((span & (span - 1)) === 0 && span >= MIN_SPAN_FOR_STEP) this.step = Math.round((t - this.anchorT) / span);
    }
    this.prevT = t;
  }
}
