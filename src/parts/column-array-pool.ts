// Memory for the typed arrays of staging columns, handed back once a staging
// file is written and lent again to the next. Each seal fills ~130 row-sized
// index and null-mask arrays; fresh ArrayBuffers for all of them set off
// garbage collections of their own ("external memory pressure": 0.8–0.9 s per
// million spans in process, docs/storage.md). Only buffers this pool lent are
// taken back, so columns of files still being written are never reused.

import type { ParquetColumn } from './parquet/writer.js';

/** Where staging columns get their typed arrays: fresh ones, or a ColumnArrayPool. */
export interface ColumnArrays {
  uint32(rows: number): Uint32Array;
  int32(rows: number): Int32Array;
  uint8(rows: number, fill: number): Uint8Array;
  bigint64(rows: number): BigInt64Array;
  float64(rows: number): Float64Array;
  /** at least `length` bytes, not cleared (all of a pooled buffer: its length may be more) */
  bytes(length: number): Uint8Array;
  /** an array from bytes() given up before its file was written (it grew into a larger one) */
  release(array: Uint8Array): void;
}

/** Fresh arrays each time (no pool). */
export const FRESH_ARRAYS: ColumnArrays = {
  uint32: (rows) => new Uint32Array(rows),
  int32: (rows) => new Int32Array(rows),
  uint8: (rows, fill) => new Uint8Array(rows).fill(fill),
  bigint64: (rows) => new BigInt64Array(rows),
  float64: (rows) => new Float64Array(rows),
  bytes: (length) => new Uint8Array(length),
  release: () => undefined,
};

/** Bytes of free buffers kept at most; more are left to the garbage collector. */
const MAX_KEPT_BYTES = 64 << 20;

export class ColumnArrayPool implements ColumnArrays {
  /** free buffers by size (a power of two) */
  private readonly free = new Map<number, ArrayBuffer[]>();
  private readonly lent = new WeakSet<ArrayBuffer>();
  private keptBytes = 0;

  /** `rows` zeroed elements. */
  uint32(rows: number): Uint32Array {
    return new Uint32Array(this.take(rows * 4), 0, rows).fill(0);
  }

  /** `rows` zeroed elements. */
  int32(rows: number): Int32Array {
    return new Int32Array(this.take(rows * 4), 0, rows).fill(0);
  }

  /** `rows` bytes, each `fill`. */
  uint8(rows: number, fill: number): Uint8Array {
    return new Uint8Array(this.take(rows), 0, rows).fill(fill);
  }

  /** `rows` zeroed elements. */
  bigint64(rows: number): BigInt64Array {
    return new BigInt64Array(this.take(rows * 8), 0, rows).fill(0n);
  }

  /** `rows` zeroed elements. */
  float64(rows: number): Float64Array {
    return new Float64Array(this.take(rows * 8), 0, rows).fill(0);
  }

  bytes(length: number): Uint8Array {
    return new Uint8Array(this.take(length));
  }

  release(array: Uint8Array): void {
    this.giveBack(array);
  }

  /** The arrays of written columns, for later ones: those this pool lent come back. */
  recycle(columns: readonly ParquetColumn[]): void {
    for (const c of columns) {
      this.giveBack('entries' in c ? c.entries : undefined);
      this.giveBack('values' in c ? c.values : undefined);
      this.giveBack('indices' in c ? c.indices : undefined);
      this.giveBack('nulls' in c ? c.nulls : undefined);
    }
  }

  private take(bytes: number): ArrayBuffer {
    let size = 64;
    while (size < bytes) size *= 2;
    const buffer = this.free.get(size)?.pop();
    if (buffer === undefined) {
      const fresh = new ArrayBuffer(size);
      this.lent.add(fresh);
      return fresh;
    }
    this.keptBytes -= size;
    this.lent.add(buffer);
    return buffer;
  }

  private giveBack(array: unknown): void {
    if (!ArrayBuffer.isView(array) || !(array.buffer instanceof ArrayBuffer)) return;
    const buffer = array.buffer;
    if (!this.lent.has(buffer)) return;
    this.lent.delete(buffer);
    if (this.keptBytes + buffer.byteLength > MAX_KEPT_BYTES) return;
    this.keptBytes += buffer.byteLength;
    let list = this.free.get(buffer.byteLength);
    if (list === undefined) {
      list = [];
      this.free.set(buffer.byteLength, list);
    }
    list.push(buffer);
  }
}
