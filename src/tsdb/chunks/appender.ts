// Builds one chunk of one series. The caller appends samples in time order
// until `append` returns false (the chunk is full: cut it with `bytes()` and
// start a new appender), see docs/format/chunks.md "Where a chunk ends".

import { DoubleDeltaEncoder } from './double-delta-encoder.js';
import { type ChunkEncoding, MAX_SAMPLES_PER_CHUNK, TIMESTAMP_LIMIT_MS } from './header.js';
import { VarbitEncoder } from './varbit-encoder.js';

/** When a chunk is full: at most `maxBytes` bytes (header included) and `maxSamples` samples. */
export interface ChunkCut {
  maxBytes: number;
  maxSamples: number;
}

/**
 * 1024 bytes bound a chunk's memory (seed 002); 480 samples bound the
 * sequential scan a varbit lookup needs, and are 2 h at a 15 s scrape
 * interval. Chosen on node_exporter data (bench/chunks.ts, docs/format/chunks.md).
 */
export const DEFAULT_CHUNK_CUT: ChunkCut = { maxBytes: 1024, maxSamples: 480 };

export class ChunkAppender {
  // auto runs both; an encoder that refused a sample the other took is dropped (it no longer holds the whole chunk)
  private doubleDelta: DoubleDeltaEncoder | undefined;
  private varbit: VarbitEncoder | undefined;
  private readonly maxBytes: number;
  private readonly maxSamples: number;
  private lastT = -Infinity;
  private n = 0;

  /** `auto` encodes both ways while appending and keeps the smaller chunk. */
  constructor(encoding: ChunkEncoding | 'auto', cut: Partial<ChunkCut> = {}) {
    this.maxBytes = cut.maxBytes ?? DEFAULT_CHUNK_CUT.maxBytes;
    this.maxSamples = cut.maxSamples ?? DEFAULT_CHUNK_CUT.maxSamples;
    if (!(this.maxSamples >= 1 && this.maxSamples <= MAX_SAMPLES_PER_CHUNK)) {
      throw new RangeError(`chunks: maxSamples must be 1..${MAX_SAMPLES_PER_CHUNK}, got ${this.maxSamples}`);
    }
    if (encoding !== 'varbit') this.doubleDelta = new DoubleDeltaEncoder();
    if (encoding !== 'double-delta') this.varbit = new VarbitEncoder();
  }

  get count(): number {
    return this.n;
  }

  /** The encoding `bytes()` would use now. */
  get encoding(): ChunkEncoding {
    return this.smallest() === this.varbit ? 'varbit' : 'double-delta';
  }

  /**
   * Adds a sample; false when the chunk is full (nothing was added). Throws
   * RangeError for a timestamp that is not an integer, is out of range, or
   * is not after the previous one.
   */
  append(tMs: number, v: number): boolean {
    if (!(tMs > this.lastT)) throw this.badTimestamp(tMs);
    if (!(tMs < TIMESTAMP_LIMIT_MS && tMs > -TIMESTAMP_LIMIT_MS) || Math.floor(tMs) !== tMs) throw this.badTimestamp(tMs);
    if (this.n >= this.maxSamples) return false;
    const n = this.n + 1;
    let accepted = false;
    if (this.doubleDelta !== undefined && this.doubleDelta.append(tMs, v, this.maxBytes)) accepted = true;
    if (this.varbit !== undefined && this.varbit.append(tMs, v, this.maxBytes)) accepted = true;
    if (!accepted) return false;
    if (this.doubleDelta !== undefined && this.doubleDelta.count !== n) this.doubleDelta = undefined;
    if (this.varbit !== undefined && this.varbit.count !== n) this.varbit = undefined;
    this.n = n;
    this.lastT = tMs;
    return true;
  }

  /** The chunk so far, header included (a copy: appending more does not change it). */
  bytes(): Uint8Array {
    return this.smallest().bytes();
  }

  get byteLength(): number {
    return this.smallest().byteLength;
  }

  private smallest(): DoubleDeltaEncoder | VarbitEncoder {
    const dd = this.doubleDelta;
    const vb = this.varbit;
    if (dd === undefined) return vb!;
    if (vb === undefined) return dd;
    return vb.byteLength < dd.byteLength ? vb : dd;
  }

  private badTimestamp(tMs: number): RangeError {
    return !Number.isInteger(tMs) || Math.abs(tMs) >= TIMESTAMP_LIMIT_MS
      ? new RangeError(`chunks: timestamp ${tMs} is not an integer of ms below 2^52`)
      : new RangeError(`chunks: timestamp ${tMs} is not after the previous sample's ${this.lastT}`);
  }
}
