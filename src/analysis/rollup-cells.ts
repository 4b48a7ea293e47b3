// Rollup rows merged into cells — one per (group, step) of an answer —
// keeping counts, error counts, duration sums and maxima, and a merged
// sketch per cell; and the tiling of a range by the coarsest rollup buckets.
// Shared by the health overview and TraceQL metrics.

import { DDSketch } from './sketch.js';
import { lowerBound, type KeyLevel, type RollupKeys, type RollupTable } from './rollup-table.js';
import { ROLLUP_GRAINS, type RollupGrain } from './rollup-store.js';
import { HEALTH_QUANTILES, healthStats, type HealthStats } from './health-types.js';

/** Sums, maxima and sketches of many cells, filled from rollup rows. */
export class Cells {
  readonly count: Float64Array;
  readonly errors: Float64Array;
  readonly sumNs: Float64Array;
  readonly maxNs: Float64Array;
  readonly sketches: (DDSketch | undefined)[];

  constructor(size: number) {
    this.count = new Float64Array(size);
    this.errors = new Float64Array(size);
    this.sumNs = new Float64Array(size);
    this.maxNs = new Float64Array(size).fill(-Infinity);
    this.sketches = new Array<DDSketch | undefined>(size);
  }

  add(cell: number, t: RollupTable, i: number): void {
    this.count[cell]! += t.count[i]!;
    this.errors[cell]! += t.errors[i]!;
    this.sumNs[cell]! += t.sumNs[i]!;
    if (t.maxNs[i]! > this.maxNs[cell]!) this.maxNs[cell] = t.maxNs[i]!;
    let s = this.sketches[cell];
    if (!s) this.sketches[cell] = s = new DDSketch();
    s.mergeEncoded(t.sketchBytes, t.sketchStart[i]!, t.sketchStart[i + 1]!);
  }

  stats(cell: number, seconds: number): HealthStats {
    const q = new Float64Array(HEALTH_QUANTILES.length).fill(NaN);
    this.sketches[cell]?.quantiles(HEALTH_QUANTILES, q);
    return healthStats(this.count[cell]!, this.errors[cell]!, this.sumNs[cell]!, this.maxNs[cell]!, q, seconds);
  }
}

/** Keys of `level` (of one service when given) numbered 0…n−1; −1 for every other key. */
export function numberKeys(keys: RollupKeys, level: KeyLevel, service: string | undefined): { indexOf: Int32Array; keysOf: number[] } {
  const indexOf = new Int32Array(keys.size).fill(-1);
  const keysOf: number[] = [];
  for (let k = 0; k < keys.size; k++) {
    if (keys.level[k] !== level || (service !== undefined && keys.service[k] !== service)) continue;
    indexOf[k] = keysOf.length;
    keysOf.push(k);
  }
  return { indexOf, keysOf };
}

/** Largest grain dividing `minutes`. */
export function grainFor(minutes: number): RollupGrain {
  let best: RollupGrain = 1;
  for (const g of ROLLUP_GRAINS) if (minutes % g === 0) best = g;
  return best;
}

export interface RangeSegment {
  grain: RollupGrain;
  fromMinute: number;
  toMinute: number;
}

/**
 * [from, to) tiled by the coarsest aligned buckets: finer grains at the
 * edges, coarser inside (at most two segments per grain).
 */
export function tileRange(fromMinute: number, toMinute: number): RangeSegment[] {
  const out: RangeSegment[] = [];
  let at = fromMinute;
  while (at < toMinute) {
    let gi = 0;
    for (let i = ROLLUP_GRAINS.length - 1; i > 0; i--) {
      const g = ROLLUP_GRAINS[i]!;
      if (at % g === 0 && at + g <= toMinute) {
        gi = i;
        break;
      }
    }
    const grain = ROLLUP_GRAINS[gi]!;
    const bigger = ROLLUP_GRAINS[gi + 1];
    let end = Math.floor(toMinute / grain) * grain;
    if (bigger !== undefined) {
      const nextBig = Math.ceil(at / bigger) * bigger;
      if (nextBig > at) end = Math.min(end, nextBig);
    }
    out.push({ grain, fromMinute: at, toMinute: end });
    at = end;
  }
  return out;
}

/** Adds rows of `table` in [from, to) to cells; `cellOf(keyIndex, minute)` picks the cell or −1. */
export function accumulate(table: RollupTable, from: number, to: number, indexOf: Int32Array, cells: Cells, cellOf: (index: number, minute: number) => number): void {
  for (let i = lowerBound(table, from); i < table.length; i++) {
    const minute = table.minute[i]!;
    if (minute >= to) break;
    const k = table.key[i]!;
    const index = k < indexOf.length ? indexOf[k]! : -1;
    if (index < 0) continue;
    const cell = cellOf(index, minute);
    if (cell >= 0) cells.add(cell, table, i);
  }
}

