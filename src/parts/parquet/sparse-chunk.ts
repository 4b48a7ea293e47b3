// A chunk of a sparse column — most rows null, as are most of a trace
// part's ~120 attribute columns — compacted to the rows with a value before
// it is encoded (column-chunk.ts): every pass of the encoder (null count,
// dictionary numbering by first use, PLAIN values, statistics, each trial's
// candidates) then reads only those rows, not a mask byte of every row, and
// the definition levels are written from the list of rows with a value. The
// bytes are those of the chunk encoded row by row (docs/storage.md,
// "Session 14: the writer's sparse columns"), compressed or not (the head's
// staging files: session 15).

import type { PreparedColumn, PresentRows } from './columns.js';
import { Scratch } from './scratch.js';
import { collectPresentRows } from './present-rows.js';

/** Compacted where at most this share of a chunk's rows have a value. */
const MOST_PRESENT_SHARE = 0.5;
/** Bytes a dictionary index takes at most in a data page (bit width 32): a string chunk's rows per page. */
const WIDEST_INDEX_BYTES = 4;

/** A compacted chunk: its values alone, and where their rows were. */
export type CompactedChunk = PreparedColumn & { presentRows: PresentRows };

/** The chunk's rows with a value, as offsets from its first row; its compacted values. Valid until the next chunk. */
const offsetScratch = new Scratch((n) => new Int32Array(n));
const valueScratch = new Scratch((n) => new Uint8Array(n));
const indexScratch = new Scratch((n) => new Uint32Array(n));

/**
 * Rows [start, end) of `column` as a column of their values alone (rows
 * [0, present)), carrying where those rows were (PreparedBase.presentRows),
 * or undefined where that does not pay or could cut pages otherwise:
 * no null, more than half the rows present, none present, a chunk that may
 * take more than one data page, or JS strings. The arrays are scratch,
 * valid until the next chunk, but for the fixed-width values of uncompressed
 * pages (`uncompressed`): such a page's values are a view of them, kept
 * until the file is written, so they are a fresh array (as the page's values
 * gathered row by row would be).
 */
export function compactSparseChunk(column: PreparedColumn, start: number, end: number, pageBytes: number, uncompressed = false): CompactedChunk | undefined {
  const rows = end - start;
  if (column.nulls === undefined || column.kind === 'string' || rows * rowBytesAtMost(column) > pageBytes) return undefined;
  const most = Math.floor(rows * MOST_PRESENT_SHARE);
  const offsets = offsetScratch.take(most);
  const present = collectPresentRows(column.nulls, start, end, most, offsets);
  if (present <= 0) return undefined;
  const wholeColumn = column.kind === 'string-entries' && start === 0 && end === column.indices.length;
  const presentRows: PresentRows = { rows, offsets: offsets.subarray(0, present), wholeColumn };
  return compactValues(column, start, presentRows, pageBytes, uncompressed);
}

/**
 * Bytes a row takes at most in a data page of the column's kind before
 * compression, as the rows' encoding cuts pages (by rows, at this many bytes
 * a row): a chunk of at most pageBytes / this rows is one data page in every
 * encoding of the kind — fixed widths PLAIN, an integer dictionary's or
 * DELTA_BINARY_PACKED pages (more rows a page), booleans' bits, a string
 * dictionary's indices (a string chunk's PLAIN values are checked by their
 * bytes). The head's staging files of ~75 k rows (a seal every 500 ms at
 * 150 k spans/s) are one page a column of strings, int64s and doubles.
 */
function rowBytesAtMost(column: Exclude<PreparedColumn, { kind: 'string' }>): number {
  switch (column.kind) {
    case 'boolean':
      return 1;
    case 'string-entries':
      return WIDEST_INDEX_BYTES;
    default:
      return column.width;
  }
}

function compactValues(column: Exclude<PreparedColumn, { kind: 'string' }>, start: number, presentRows: PresentRows, pageBytes: number, uncompressed: boolean): CompactedChunk | undefined {
  const base = { name: column.name, nulls: undefined, optional: true, presentRows };
  const present = presentRows.offsets.length;
  switch (column.kind) {
    case 'boolean': {
      const values = valueScratch.take(present);
      gatherBytes(column.values, start, presentRows.offsets, values);
      return { ...base, kind: 'boolean', values };
    }
    case 'string-entries': {
      const indices = indexScratch.take(present);
      // PLAIN values of a page beyond pageBytes would cut the page: row by row then
      const plainBytes = gatherEntryIndices(column.indices, column.entryStarts, start, presentRows.offsets, indices);
      if (plainBytes >= pageBytes) return undefined;
      return { ...base, kind: 'string-entries', entries: column.entries, entryStarts: column.entryStarts, indices, distinct: column.distinct, binary: column.binary };
    }
    default: {
      if (column.bytes.byteOffset % 4 !== 0) return undefined;
      const bytes = uncompressed ? new Uint8Array(present * column.width) : valueScratch.take(present * column.width);
      gatherWords(wordsOf(column.bytes), column.width >>> 2, start, presentRows.offsets, wordsOf(bytes));
      switch (column.kind) {
        case 'int64':
          return { ...base, kind: 'int64', values: new BigInt64Array(bytes.buffer, 0, present), bytes, width: 8 };
        case 'double':
          return { ...base, kind: 'double', values: new Float64Array(bytes.buffer, 0, present), bytes, width: 8 };
        case 'int32':
          return { ...base, kind: 'int32', values: new Int32Array(bytes.buffer, 0, present), bytes, width: 4 };
        case 'fixed16':
        case 'fixed8':
          return { ...base, kind: column.kind, bytes, width: column.width };
      }
    }
  }
}

function wordsOf(bytes: Uint8Array): Int32Array {
  return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
}

function gatherBytes(values: Uint8Array, start: number, offsets: Int32Array, out: Uint8Array): void {
  for (let k = 0; k < offsets.length; k++) out[k] = values[start + offsets[k]!]!;
}

/** Each present row's words (`perRow` a row) one after another: bit patterns kept (NaN, -0). */
function gatherWords(words: Int32Array, perRow: number, start: number, offsets: Int32Array, out: Int32Array): void {
  for (let k = 0, o = 0; k < offsets.length; k++) {
    for (let w = (start + offsets[k]!) * perRow, last = w + perRow; w < last; w++) out[o++] = words[w]!;
  }
}

/** Each present row's entry index into `out`; returns the bytes of their PLAIN values (`u32 length, bytes` each). */
function gatherEntryIndices(indices: Uint32Array, entryStarts: Uint32Array, start: number, offsets: Int32Array, out: Uint32Array): number {
  let bytes = 0;
  for (let k = 0; k < offsets.length; k++) {
    const e = indices[start + offsets[k]!]!;
    out[k] = e;
    bytes += entryStarts[e + 1]! - entryStarts[e]!;
  }
  return bytes;
}
