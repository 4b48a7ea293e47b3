// A growable SampleBatch: decoders add a series label by label, close it
// (sort, check, drop empty values), then add samples that point at it.
// Sample values can be written as raw IEEE-754 halves so that NaN payloads
// (the staleness marker) survive bit for bit: a NaN passed through a JS number
// may be canonicalised.

import type { MetricMetadata, SampleBatch } from '../../model/sample-batch.js';
import { STALE_NAN_BITS_HI, STALE_NAN_BITS_LO } from '../../model/sample-batch.js';

const INITIAL_SAMPLES = 256;
const INITIAL_SERIES = 64;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

/** Why endSeries() refused a series; `name` is the offending label name. */
export type SeriesProblem = { kind: 'duplicate' | 'empty-name'; name: string };

export class SampleBatchBuilder {
  seriesCount = 0;
  sampleCount = 0;
  private labelOffsets = new Uint32Array(INITIAL_SERIES + 1);
  private readonly labelNames: string[] = [];
  private readonly labelValues: string[] = [];
  private sampleSeries = new Uint32Array(INITIAL_SAMPLES);
  private sampleTimeMs = new Float64Array(INITIAL_SAMPLES);
  private sampleValue = new Float64Array(INITIAL_SAMPLES);
  private sampleBits = new Uint32Array(this.sampleValue.buffer);
  private readonly metadata: MetricMetadata[] = [];
  private readonly metadataIndex = new Map<string, number>();
  private seriesStart = 0;

  /** Adds one label to the series being built (any order; empty values allowed until endSeries). */
  addLabel(name: string, value: string): void {
    this.labelNames.push(name);
    this.labelValues.push(value);
  }

  /** Label rows of the open series so far. */
  get openLabelCount(): number {
    return this.labelNames.length - this.seriesStart;
  }

  /**
   * Closes the series: sorts its labels by name, refuses duplicate or empty
   * names, then drops labels with empty values. On success returns its index;
   * on a problem the labels are discarded and the problem returned.
   */
  endSeries(): number | SeriesProblem {
    const start = this.seriesStart;
    const names = this.labelNames;
    const values = this.labelValues;
    const end = names.length;
    sortLabels(names, values, start, end);
    let write = start;
    for (let i = start; i < end; i++) {
      const name = names[i]!;
      if (name === '') return this.discardOpen({ kind: 'empty-name', name });
      if (i > start && names[i - 1] === name) return this.discardOpen({ kind: 'duplicate', name });
      const value = values[i]!;
      if (value === '') continue;
      names[write] = name;
      values[write] = value;
      write++;
    }
    if (write !== end) {
      names.length = write;
      values.length = write;
    }
    const series = this.seriesCount++;
    if (this.seriesCount + 1 > this.labelOffsets.length) this.labelOffsets = grow32(this.labelOffsets, this.seriesCount + 1);
    this.labelOffsets[series] = start;
    this.labelOffsets[series + 1] = write;
    this.seriesStart = write;
    return series;
  }

  /** Label rows of a closed series. */
  labelCountOf(series: number): number {
    return this.labelOffsets[series + 1]! - this.labelOffsets[series]!;
  }

  /** The value of label `name` of a closed series, if it has one. */
  labelValueOf(series: number, name: string): string | undefined {
    for (let i = this.labelOffsets[series]!, end = this.labelOffsets[series + 1]!; i < end; i++) {
      if (this.labelNames[i] === name) return this.labelValues[i];
    }
    return undefined;
  }

  /** The label rows of a closed series: names[i], values[i] for start <= i < end. */
  labelRows(series: number): { names: readonly string[]; values: readonly string[]; start: number; end: number } {
    return { names: this.labelNames, values: this.labelValues, start: this.labelOffsets[series]!, end: this.labelOffsets[series + 1]! };
  }

  /** Drops the labels added since the last endSeries(). */
  discardOpenSeries(): void {
    this.labelNames.length = this.seriesStart;
    this.labelValues.length = this.seriesStart;
  }

  private discardOpen(problem: SeriesProblem): SeriesProblem {
    this.discardOpenSeries();
    return problem;
  }

  /** Removes the last series and every label it had; it must have no samples. */
  removeLastSeries(): void {
    const series = --this.seriesCount;
    const start = this.labelOffsets[series]!;
    this.labelNames.length = start;
    this.labelValues.length = start;
    this.seriesStart = start;
  }

  /** A sample whose value is given by its IEEE-754 halves (bit-exact). */
  addSampleBits(series: number, timeMs: number, lo: number, hi: number): void {
    const i = this.sampleCount;
    if (i === this.sampleSeries.length) this.growSamples();
    this.sampleSeries[i] = series;
    this.sampleTimeMs[i] = timeMs;
    this.sampleBits[2 * i + LO] = lo;
    this.sampleBits[2 * i + HI] = hi;
    this.sampleCount = i + 1;
  }

  addSample(series: number, timeMs: number, value: number): void {
    const i = this.sampleCount;
    if (i === this.sampleSeries.length) this.growSamples();
    this.sampleSeries[i] = series;
    this.sampleTimeMs[i] = timeMs;
    this.sampleValue[i] = value;
    this.sampleCount = i + 1;
  }

  /** Prometheus's staleness marker: "this series ended here". */
  addStaleSample(series: number, timeMs: number): void {
    this.addSampleBits(series, timeMs, STALE_NAN_BITS_LO, STALE_NAN_BITS_HI);
  }

  /** Samples of the open or last series are always the tail; this drops `count` of them. */
  removeLastSamples(count: number): void {
    this.sampleCount -= count;
  }

  /** Metadata per metric family; a later entry for the same family replaces the earlier. */
  setMetadata(entry: MetricMetadata): void {
    const at = this.metadataIndex.get(entry.metric);
    if (at === undefined) {
      this.metadataIndex.set(entry.metric, this.metadata.length);
      this.metadata.push(entry);
    } else {
      this.metadata[at] = entry;
    }
  }

  finish(): SampleBatch {
    const n = this.sampleCount;
    return {
      seriesCount: this.seriesCount,
      labelOffsets: this.labelOffsets.slice(0, this.seriesCount + 1),
      labelNames: this.labelNames,
      labelValues: this.labelValues,
      sampleCount: n,
      sampleSeries: this.sampleSeries.slice(0, n),
      sampleTimeMs: this.sampleTimeMs.slice(0, n),
      sampleValue: this.sampleValue.slice(0, n),
      metadata: this.metadata,
    };
  }

  private growSamples(): void {
    const size = this.sampleSeries.length * 2;
    this.sampleSeries = grow32(this.sampleSeries, size);
    const time = new Float64Array(size);
    time.set(this.sampleTimeMs);
    this.sampleTimeMs = time;
    const value = new Float64Array(size);
    // copied as bits, never as numbers, so NaN payloads stay
    new Uint32Array(value.buffer).set(this.sampleBits);
    this.sampleValue = value;
    this.sampleBits = new Uint32Array(value.buffer);
  }
}

function grow32(a: Uint32Array, atLeast: number): Uint32Array<ArrayBuffer> {
  let size = a.length * 2;
  while (size < atLeast) size *= 2;
  const next = new Uint32Array(size);
  next.set(a);
  return next;
}

/**
 * Orders strings by code point, which is the byte order of their UTF-8 (how
 * Prometheus sorts labels). Plain `<` compares UTF-16 code units and differs
 * from it only between a surrogate and a unit in U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Sorts rows [start, end) of the parallel arrays by name in code point order.
 * Senders almost always send sorted labels: one pass confirms it.
 */
function sortLabels(names: string[], values: string[], start: number, end: number): void {
  let sorted = true;
  for (let i = start + 1; i < end; i++) {
    if (compareCodePoints(names[i - 1]!, names[i]!) > 0) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  // insertion sort: label sets are small
  for (let i = start + 1; i < end; i++) {
    const name = names[i]!;
    const value = values[i]!;
    let j = i - 1;
    while (j >= start && compareCodePoints(names[j]!, name) > 0) {
      names[j + 1] = names[j]!;
      values[j + 1] = values[j]!;
      j--;
    }
    names[j + 1] = name;
    values[j + 1] = value;
  }
}
