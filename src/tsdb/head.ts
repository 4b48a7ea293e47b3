// The metrics head: every series' recent samples in memory. Closed chunks are
// encoded (double-delta / varbit, docs/format/chunks.md); the open chunk keeps
// its samples in plain typed arrays too, so queries of the last minutes and
// the latest-sample cache never decode anything (seed 002).
//
// Ordering follows Prometheus with no out-of-order window: a sample older
// than its series' last one is "out of order", one at the same time with
// another value is a "duplicate sample for timestamp", one at the same time
// with the same bits is ignored. A request with any such sample is refused
// whole (400), as Prometheus's remote-write handler does, and changes nothing.

import type { SampleBatch } from '../model/sample-batch.js';
import { DecodeError } from '../model/errors.js';
import { ChunkAppender, chunkIterator, type ChunkEncoding } from './chunks/index.js';
import { sameBits } from './chunks/float-bits.js';
import { SeriesIndex, batchSeriesKey, type Label, type Labels } from './series-index.js';

export interface ClosedChunk {
  bytes: Uint8Array;
  minT: number;
  maxT: number;
  count: number;
}

class HeadSeries {
  readonly closed: ClosedChunk[] = [];
  appender: ChunkAppender;
  openT = new Float64Array(16);
  openV = new Float64Array(16);
  openCount = 0;
  lastT = -Infinity;
  lastV = 0;

  constructor(private readonly encoding: ChunkEncoding | 'auto') {
    this.appender = new ChunkAppender(encoding);
  }

  append(t: number, v: number): void {
    if (!this.appender.append(t, v)) {
      this.cut();
      this.appender.append(t, v);
    }
    if (this.openCount === this.openT.length) {
      const t2 = new Float64Array(this.openT.length * 2);
      const v2 = new Float64Array(this.openT.length * 2);
      t2.set(this.openT);
      v2.set(this.openV);
      this.openT = t2;
      this.openV = v2;
    }
    this.openT[this.openCount] = t;
    this.openV[this.openCount] = v;
    this.openCount++;
    this.lastT = t;
    this.lastV = v;
  }

  /** Closes the open chunk (it becomes encoded bytes only). */
  cut(): void {
    if (this.openCount === 0) return;
    this.closed.push({ bytes: this.appender.bytes(), minT: this.openT[0]!, maxT: this.openT[this.openCount - 1]!, count: this.openCount });
    this.appender = new ChunkAppender(this.encoding);
    this.openCount = 0;
  }
}

/** Samples of one series in [minT, maxT], ascending. */
export interface SeriesData {
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
}

/** Chunk encodings keep timestamps exact below 2^52 ms (≈ 142,000 years). */
const MAX_TIMESTAMP_MS = 2 ** 52;

export interface AppendResult {
  samples: number;
  /** identical resends, ignored */
  duplicates: number;
  newSeries: number;
}

export class MetricsHead {
  readonly index = new SeriesIndex();
  private readonly series: HeadSeries[] = [];
  private sampleCount = 0;

  constructor(private readonly encoding: ChunkEncoding | 'auto' = 'auto') {}

  get samples(): number {
    return this.sampleCount;
  }

  get seriesCount(): number {
    return this.series.length;
  }

  /**
   * Appends a whole batch or nothing. Throws DecodeError (→ 400) naming the
   * first out-of-order or conflicting sample.
   */
  append(batch: SampleBatch, checked?: Resolved): AppendResult {
    // Check again: another batch may have appended since `checked` was made;
    // only its series keys are reused.
    return this.apply(batch, this.check(batch, checked?.keys));
  }


  /**
   * Validates a batch against the head and itself without changing anything;
   * returns the series ids it would use. Throws DecodeError like append().
   */
  check(batch: SampleBatch, keys?: readonly string[]): Resolved {
    const resolved = this.resolveSeries(batch, keys);
    const ids = resolved.ids;
    const pendingLast = new Map<number, { t: number; v: number }>();
    for (let i = 0; i < batch.sampleCount; i++) {
      const id = ids[batch.sampleSeries[i]!]!;
      const t = batch.sampleTimeMs[i]!;
      const v = batch.sampleValue[i]!;
      if (!Number.isInteger(t) || Math.abs(t) >= MAX_TIMESTAMP_MS) throw new DecodeError(`tsdb: sample timestamp ${t} is not an integer number of ms within ±2^52`);
      const last = pendingLast.get(id) ?? (id < this.series.length ? { t: this.series[id]!.lastT, v: this.series[id]!.lastV } : undefined);
      if (last && t < last.t) throw new DecodeError(`tsdb: out of order sample: series ${describe(batch, batch.sampleSeries[i]!)} at ${t} is older than its last sample at ${last.t}`);
      if (last && t === last.t && !sameBits(v, last.v)) throw new DecodeError(`tsdb: duplicate sample for timestamp ${t} with a different value in series ${describe(batch, batch.sampleSeries[i]!)}`);
      pendingLast.set(id, { t, v });
    }
    return resolved;
  }

  /** Applies a checked batch. */
  private apply(batch: SampleBatch, resolved: Resolved): AppendResult {
    const result: AppendResult = { samples: 0, duplicates: 0, newSeries: 0 };
    const ids = resolved.ids;
    for (let i = 0; i < batch.seriesCount; i++) {
      if (!resolved.fresh[i]) continue;
      const { id, created } = this.index.getOrCreate(seriesLabels(batch, i), resolved.keys[i]!);
      if (created) {
        this.series.push(new HeadSeries(this.encoding));
        result.newSeries++;
      }
      ids[i] = id;
    }
    for (let i = 0; i < batch.sampleCount; i++) {
      const s = this.series[ids[batch.sampleSeries[i]!]!]!;
      const t = batch.sampleTimeMs[i]!;
      if (t === s.lastT) {
        result.duplicates++;
        continue;
      }
      s.append(t, batch.sampleValue[i]!);
      result.samples++;
    }
    this.sampleCount += result.samples;
    return result;
  }

  /** Series ids the batch would use (new series get the ids they will be created with), and each series' key. */
  private resolveSeries(batch: SampleBatch, knownKeys?: readonly string[]): Resolved {
    const ids: number[] = new Array(batch.seriesCount);
    const keys: string[] = new Array(batch.seriesCount);
    const fresh: boolean[] = new Array(batch.seriesCount);
    let next = this.series.length;
    const created = new Map<string, number>();
    for (let i = 0; i < batch.seriesCount; i++) {
      const key = knownKeys?.[i] ?? batchSeriesKey(batch, i);
      keys[i] = key;
      const id = this.index.lookup(key) ?? created.get(key);
      fresh[i] = id === undefined;
      if (id !== undefined) ids[i] = id;
      else {
        created.set(key, next);
        ids[i] = next++;
      }
    }
    return { ids, keys, fresh };
  }

  /**
   * Decoded samples of matching series within [minT, maxT]. Written straight
   * into typed arrays: a NaN stored in a plain JS array may lose its payload
   * (V8 canonicalises NaN in double arrays), and the staleness marker is one.
   */
  select(seriesIds: readonly number[], minT: number, maxT: number): SeriesData[] {
    const out: SeriesData[] = [];
    for (const id of seriesIds) {
      const s = this.series[id]!;
      let capacity = s.openCount;
      for (const c of s.closed) if (c.maxT >= minT && c.minT <= maxT) capacity += c.count;
      if (capacity === 0) continue;
      const t = new Float64Array(capacity);
      const v = new Float64Array(capacity);
      let k = 0;
      for (const c of s.closed) {
        if (c.maxT < minT || c.minT > maxT) continue;
        const it = chunkIterator(c.bytes);
        while (it.next()) {
          if (it.t < minT) continue;
          if (it.t > maxT) break;
          t[k] = it.t;
          v[k] = it.v;
          k++;
        }
      }
      for (let i = 0; i < s.openCount; i++) {
        const ti = s.openT[i]!;
        if (ti >= minT && ti <= maxT) {
          t[k] = ti;
          v[k] = s.openV[i]!;
          k++;
        }
      }
      if (k > 0) out.push({ labels: this.index.labels(id), t: t.subarray(0, k), v: v.subarray(0, k) });
    }
    return out;
  }

  /** The latest sample of a series without decoding (instant queries). */
  latest(id: number): { t: number; v: number } | undefined {
    const s = this.series[id];
    return s && s.lastT > -Infinity ? { t: s.lastT, v: s.lastV } : undefined;
  }

  /** Every series' closed and open chunks, open ones cut first: what a block persists. */
  drainChunks(): { labels: Labels; chunks: ClosedChunk[]; lastT: number; lastV: number }[] {
    const out: { labels: Labels; chunks: ClosedChunk[]; lastT: number; lastV: number }[] = [];
    this.series.forEach((s, id) => {
      s.cut();
      if (s.closed.length > 0) out.push({ labels: this.index.labels(id), chunks: s.closed.splice(0), lastT: s.lastT, lastV: s.lastV });
    });
    this.sampleCount = 0;
    return out;
  }

  /** Restores a series' last sample after a restart so ordering checks continue across it. */
  seedLast(labels: Labels, t: number, v: number): void {
    const { id, created } = this.index.getOrCreate(labels);
    if (created) this.series.push(new HeadSeries(this.encoding));
    const s = this.series[id]!;
    if (t > s.lastT) {
      s.lastT = t;
      s.lastV = v;
    }
  }
}

/** What check() found: each batch series' id (new ones: the id they will get), key, and whether it is new. */
export type Resolved = { ids: number[]; keys: string[]; fresh: boolean[] };

export function seriesLabels(batch: SampleBatch, i: number): Label[] {
  const labels: Label[] = [];
  for (let k = batch.labelOffsets[i]!; k < batch.labelOffsets[i + 1]!; k++) labels.push({ name: batch.labelNames[k]!, value: batch.labelValues[k]! });
  return labels;
}

function describe(batch: SampleBatch, i: number): string {
  return `{${seriesLabels(batch, i).map((l) => `${l.name}="${l.value}"`).join(', ')}}`;
}
