// The trace index of one part: which rows of the part may hold a trace, so a
// lookup makes DuckDB decode the one row group that holds it and no other.
//
// A part is a sequence of runs, each sorted by trace id: a flush writes one
// run, and compaction concatenates its inputs' runs without sorting again
// (part-writer.ts). Per run the index keeps a bloom filter of its trace ids
// (is the trace in this run at all?) and, every FENCE_ROWS rows, the trace id
// at that row (where in the run?). Row-group min/max statistics cannot do
// this for a concatenated part: the row groups where one run ends and the next
// begins span almost the whole id range and match every lookup.
//
// Byte layout (little endian, docs/format/trace-index.md):
//   "MQTRIDX1" | u32 fenceRows | u32 runCount
//   per run: u64 firstRow | u64 rowCount | u32 fenceCount | u32 bloomBytes
//            | fenceCount × 16-byte trace id | bloom (TraceBloom encoding)
//   u32 CRC-32 of every byte before it
// A file whose CRC does not match is never trusted: readers fall back to
// scanning the whole part (correct, slower).

import { readFile, rename, writeFile } from 'node:fs/promises';
import { crc32 } from '../wal/crc32.js';
import { TraceBloom } from './trace-bloom.js';

const MAGIC = 'MQTRIDX1';
/** Rows between fences: a lookup's row range is at most about two of these. */
export const FENCE_ROWS = 2048;
const TRACE_ID_BYTES = 16;

export class TraceIndexCorruptError extends Error {
  readonly code = 'trace_index_corrupt';
}

export interface TraceIndexRun {
  /** row of the part file where the run starts */
  firstRow: number;
  rowCount: number;
  /** 16 bytes per fence: the trace id at run row k × fenceRows; none = the trace may be anywhere in the run */
  fences: Uint8Array;
  /** the run's trace ids; undefined = any trace may be in the run (an index that could not be read) */
  bloom: TraceBloom | undefined;
}

/** Rows [from, to) of the part file. */
export interface RowRange {
  from: number;
  to: number;
}

function compareId(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number): number {
  for (let k = 0; k < TRACE_ID_BYTES; k++) {
    const d = a[aAt + k]! - b[bAt + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

export class TraceIndex {
  constructor(
    readonly runs: readonly TraceIndexRun[],
    readonly fenceRows: number = FENCE_ROWS,
  ) {}

  /**
   * One run from the distinct trace ids of a sorted part and their span
   * counts, in ascending id order (the part's row order is the same).
   */
  static ofSortedTraces(sortedIds: Uint8Array, spanCounts: Uint32Array): TraceIndex {
    const traces = spanCounts.length;
    let rows = 0;
    for (let i = 0; i < traces; i++) rows += spanCounts[i]!;
    const fenceCount = Math.ceil(rows / FENCE_ROWS);
    const fences = new Uint8Array(fenceCount * TRACE_ID_BYTES);
    let trace = 0;
    let traceEnd = spanCounts[0] ?? 0; // first row after the current trace
    for (let f = 0; f < fenceCount; f++) {
      const row = f * FENCE_ROWS;
      while (row >= traceEnd) traceEnd += spanCounts[++trace]!;
      fences.set(sortedIds.subarray(trace * TRACE_ID_BYTES, (trace + 1) * TRACE_ID_BYTES), f * TRACE_ID_BYTES);
    }
    return new TraceIndex([{ firstRow: 0, rowCount: rows, fences, bloom: TraceBloom.build(sortedIds, traces) }]);
  }

  /** One run without fences: the trace may be anywhere in it (e.g. a part written before indexes). */
  static ofUnsortedRun(ids: Uint8Array, count: number, rowCount: number): TraceIndex {
    return new TraceIndex([{ firstRow: 0, rowCount, fences: new Uint8Array(0), bloom: TraceBloom.build(ids, count) }]);
  }

  /** A part whose index is unknown: any trace may be anywhere in it (correct, slow). */
  static wholePart(rowCount: number): TraceIndex {
    return new TraceIndex([{ firstRow: 0, rowCount, fences: new Uint8Array(0), bloom: undefined }]);
  }

  /** A part written before trace indexes, with a bloom filter of its trace ids. */
  static ofBloom(bloom: TraceBloom, rowCount: number): TraceIndex {
    return new TraceIndex([{ firstRow: 0, rowCount, fences: new Uint8Array(0), bloom }]);
  }

  /** The index of parts concatenated in this order (compaction): their runs, shifted. */
  static concatenate(parts: readonly { index: TraceIndex; rows: number }[]): TraceIndex {
    const runs: TraceIndexRun[] = [];
    let offset = 0;
    for (const p of parts) {
      if (p.index.fenceRows !== FENCE_ROWS) throw new Error(`trace index: cannot concatenate fences every ${p.index.fenceRows} rows with every ${FENCE_ROWS}`);
      for (const r of p.index.runs) runs.push({ ...r, firstRow: r.firstRow + offset });
      offset += p.rows;
    }
    return new TraceIndex(runs);
  }

  get rowCount(): number {
    let n = 0;
    for (const r of this.runs) n += r.rowCount;
    return n;
  }

  /** Rows that may hold the trace, ascending; empty when no run's bloom admits it. */
  rowRanges(id: Uint8Array): RowRange[] {
    const out: RowRange[] = [];
    for (const run of this.runs) {
      if (run.bloom !== undefined && !run.bloom.mayContain(id)) continue;
      const fences = run.fences.length / TRACE_ID_BYTES;
      if (fences === 0) {
        out.push({ from: run.firstRow, to: run.firstRow + run.rowCount });
        continue;
      }
      // The trace starts after the last fence below it and ends before the first fence above it.
      let lo = 0;
      let hi = fences;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareId(run.fences, mid * TRACE_ID_BYTES, id, 0) < 0) lo = mid + 1;
        else hi = mid;
      }
      const firstFence = Math.max(0, lo - 1);
      let above = lo;
      while (above < fences && compareId(run.fences, above * TRACE_ID_BYTES, id, 0) === 0) above++;
      const from = run.firstRow + firstFence * this.fenceRows;
      const to = run.firstRow + Math.min(run.rowCount, above * this.fenceRows);
      if (to > from) out.push({ from, to });
    }
    return out;
  }

  encode(): Uint8Array {
    const blooms = this.runs.map((r, i) => {
      if (r.bloom === undefined) throw new Error(`trace index: run ${i} has no bloom filter to write`);
      return r.bloom.encode();
    });
    let size = 16 + 4;
    this.runs.forEach((r, i) => (size += 24 + r.fences.length + blooms[i]!.length));
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    out.set(Buffer.from(MAGIC, 'latin1'), 0);
    view.setUint32(8, this.fenceRows, true);
    view.setUint32(12, this.runs.length, true);
    let at = 16;
    this.runs.forEach((r, i) => {
      view.setBigUint64(at, BigInt(r.firstRow), true);
      view.setBigUint64(at + 8, BigInt(r.rowCount), true);
      view.setUint32(at + 16, r.fences.length / TRACE_ID_BYTES, true);
      view.setUint32(at + 20, blooms[i]!.length, true);
      at += 24;
      out.set(r.fences, at);
      at += r.fences.length;
      out.set(blooms[i]!, at);
      at += blooms[i]!.length;
    });
    view.setUint32(at, crc32(out.subarray(0, at), 0), true);
    return out;
  }

  /** Throws TraceIndexCorruptError for anything but a complete, intact index. */
  static decode(bytes: Uint8Array, what = 'trace index'): TraceIndex {
    const fail = (why: string): never => {
      throw new TraceIndexCorruptError(`trace index: ${what}: ${why}`);
    };
    if (bytes.length < 20 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== MAGIC) fail('not a marquetry trace index');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const body = bytes.length - 4;
    if (view.getUint32(body, true) !== crc32(bytes.subarray(0, body), 0)) fail('checksum mismatch (torn or corrupt file)');
    const fenceRows = view.getUint32(8, true);
    const runCount = view.getUint32(12, true);
    if (fenceRows === 0) fail('fence interval of 0 rows');
    const runs: TraceIndexRun[] = [];
    let at = 16;
    for (let i = 0; i < runCount; i++) {
      if (at + 24 > body) fail(`run ${i} header past the end`);
      const firstRow = Number(view.getBigUint64(at, true));
      const rowCount = Number(view.getBigUint64(at + 8, true));
      const fenceBytes = view.getUint32(at + 16, true) * TRACE_ID_BYTES;
      const bloomBytes = view.getUint32(at + 20, true);
      at += 24;
      if (at + fenceBytes + bloomBytes > body) fail(`run ${i} past the end`);
      const fences = bytes.slice(at, at + fenceBytes);
      at += fenceBytes;
      const bloom = TraceBloom.decode(bytes.subarray(at, at + bloomBytes));
      at += bloomBytes;
      runs.push({ firstRow, rowCount, fences, bloom });
    }
    if (at !== body) fail(`${body - at} unexpected bytes after the last run`);
    return new TraceIndex(runs, fenceRows);
  }

  static async read(path: string): Promise<TraceIndex> {
    return TraceIndex.decode(await readFile(path), path);
  }

  /** Written to a temporary name, flushed, then renamed: a reader sees all of it or nothing. */
  async write(path: string): Promise<void> {
    await writeFile(`${path}.tmp`, this.encode(), { flush: true });
    await rename(`${path}.tmp`, path);
  }
}
