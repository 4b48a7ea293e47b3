// Where the pages of a file this writer wrote lie, recorded while writing, and
// the decoding of one column chunk back into gatherable arrays — bytes, not
// JS values. The head keeps the layout of each staging file so a flush can
// regroup its rows in trace-id order without parsing footers or making a JS
// string per value (src/parts/sorted-run.ts). Only what this writer emits is
// understood: one row group, UNCOMPRESSED v1 pages, PLAIN or RLE_DICTIONARY
// values, definition levels at bit width 1.

import type { DictionaryLayout, PageLayout } from './column-chunk.js';
import { ScratchArena } from './scratch.js';
import { readU32 } from './page-bytes.js';

export type { DictionaryLayout, PageLayout } from './column-chunk.js';

/** Kinds as they come back from a file ('string-entries' columns are strings there). */
export type StoredKind = 'int64' | 'int32' | 'double' | 'boolean' | 'string' | 'fixed16' | 'fixed8';

export interface ChunkLayout {
  name: string;
  kind: StoredKind;
  /** bytes per value of fixed-width kinds; 0 otherwise */
  width: number;
  /** OPTIONAL (pages carry definition levels) */
  optional: boolean;
  /** the chunk's bytes in the file; page and dictionary offsets are relative to `at` */
  at: number;
  bytes: number;
  dictionary: DictionaryLayout | undefined;
  pages: PageLayout[];
}

/** A file of one row group. */
export interface FileLayout {
  rows: number;
  chunks: ChunkLayout[];
}

/**
 * One column of one file, decoded to arrays of its non-null values: value v
 * is of row valueRows[v], or of row v when valueRows is undefined (every row
 * has a value: no array of row numbers to build and read back). Every kind
 * has every property, empty where it has no use, made in one place
 * (decodedChunk): one object shape, so the flush worker's code that reads
 * them is not deoptimised by each new kind ("wrong map": docs/storage.md,
 * session 11).
 */
export interface DecodedChunk {
  /**
   * fixed: `values` are the non-null values packed width × count; boolean:
   * one byte per non-null value; strings: PLAIN byte arrays (`u32 length,
   * bytes`) in `entries`, entry e at entryStarts[e] (one more element: the
   * end), value v of the non-null ones being entry indices[v]
   */
  kind: 'fixed' | 'boolean' | 'strings';
  valueRows: Uint32Array | undefined;
  /** bytes per value in `values`: fixed's width, 1 for boolean, 0 for strings */
  width: number;
  values: Uint8Array;
  entries: Uint8Array;
  entryStarts: Uint32Array;
  indices: Uint32Array;
}

const NO_BYTES = new Uint8Array(0);
const NO_NUMBERS = new Uint32Array(0);

function decodedChunk(kind: DecodedChunk['kind'], valueRows: Uint32Array | undefined, width: number, values: Uint8Array, entries: Uint8Array, entryStarts: Uint32Array, indices: Uint32Array): DecodedChunk {
  return { kind, valueRows, width, values, entries, entryStarts, indices };
}

/**
 * Bytes of a ChunkArrays' kept array at most: one column's trace ids or
 * start times in every staging file of a flush fit; its events (~60 MB a
 * million spans) are fresh arrays.
 */
const CHUNK_ARRAYS_MOST_KEPT = 32 << 20;

/**
 * Where decodeChunk puts a chunk's arrays: each a view of an array kept from
 * one column to the next (the flush worker decodes a column of every staging
 * file into one ChunkArrays, and calls nextColumn() once they are
 * scattered).
 */
export class ChunkArrays {
  readonly valueRows = new ScratchArena((n) => new Uint32Array(n), CHUNK_ARRAYS_MOST_KEPT / 4);
  readonly values = new ScratchArena((n) => new Uint8Array(n), CHUNK_ARRAYS_MOST_KEPT);
  readonly entries = new ScratchArena((n) => new Uint8Array(n), CHUNK_ARRAYS_MOST_KEPT);
  readonly entryStarts = new ScratchArena((n) => new Uint32Array(n), CHUNK_ARRAYS_MOST_KEPT / 4);
  readonly indices = new ScratchArena((n) => new Uint32Array(n), CHUNK_ARRAYS_MOST_KEPT / 4);

  /** The arrays decoded so far are read no more: the next column's go in their place. */
  nextColumn(): void {
    this.valueRows.reset();
    this.values.reset();
    this.entries.reset();
    this.entryStarts.reset();
    this.indices.reset();
  }
}

/**
 * Decodes `chunk` of a file with `rows` rows from `bytes`, the chunk's bytes
 * (layout.at onwards), into `arrays`; the result shares nothing with `bytes`
 * (a reader may reuse them).
 */
export function decodeChunk(layout: ChunkLayout, rows: number, bytes: Uint8Array, arrays: ChunkArrays): DecodedChunk {
  /** non-null values per page */
  const pageValues = new Int32Array(layout.pages.length);
  let count = 0;
  let row = 0;
  // pages without levels have a value per row: their row numbers are only written when another page has nulls
  const everyRow = layout.pages.every((page) => page.levelsBytes === 0);
  const rowsOfValues = everyRow ? NO_NUMBERS : arrays.valueRows.take(rows);
  layout.pages.forEach((page, p) => {
    const before = count;
    if (page.levelsBytes === 0) {
      if (everyRow) count += page.rows;
      else for (let i = 0; i < page.rows; i++) rowsOfValues[count++] = row + i;
    } else {
      count = presentRows(bytes, page.bodyAt + 4, page.bodyAt + page.levelsBytes, page.rows, row, rowsOfValues, count);
    }
    row += page.rows;
    pageValues[p] = count - before;
  });
  if (row !== rows) throw new Error(`parquet layout: column "${layout.name}" pages hold ${row} rows, the file ${rows}`);
  const valueRows = count === rows ? undefined : rowsOfValues.subarray(0, count);
  switch (layout.kind) {
    case 'boolean': {
      const values = arrays.values.take(count);
      let v = 0;
      layout.pages.forEach((page, p) => {
        const at = page.bodyAt + page.levelsBytes;
        for (let k = 0; k < pageValues[p]!; k++) values[v++] = (bytes[at + (k >>> 3)]! >>> (k & 7)) & 1;
      });
      return decodedChunk('boolean', valueRows, 1, values, NO_BYTES, NO_NUMBERS, NO_NUMBERS);
    }
    case 'string':
      return decodeStrings(layout, bytes, count, valueRows, pageValues, arrays);
    default: {
      const width = layout.width;
      const values = arrays.values.take(count * width);
      let o = 0;
      for (const page of layout.pages) {
        const at = page.bodyAt + page.levelsBytes;
        values.set(bytes.subarray(at, at + page.valuesBytes), o);
        o += page.valuesBytes;
      }
      if (o !== values.length) throw new Error(`parquet layout: column "${layout.name}" holds ${o} value bytes, expected ${values.length}`);
      return decodedChunk('fixed', valueRows, width, values, NO_BYTES, NO_NUMBERS, NO_NUMBERS);
    }
  }
}

/**
 * The rows with a value (definition level 1) among `rows` rows from
 * `firstRow` on, decoded from their levels' hybrid stream at bit width 1 in
 * bytes[from, to), appended to `out` at `count`; returns the new count. A run
 * of nulls costs nothing per row: most columns of a part are attributes few
 * spans have.
 */
function presentRows(bytes: Uint8Array, from: number, to: number, rows: number, firstRow: number, out: Uint32Array, count: number): number {
  const cursor = { pos: from };
  let n = 0;
  while (n < rows) {
    if (cursor.pos >= to) throw new Error('parquet layout: definition levels end early');
    const header = readRunHeader(bytes, cursor);
    let pos = cursor.pos;
    if (header % 2 === 0) {
      const last = Math.min(rows, n + header / 2);
      if (bytes[pos++]! & 1) for (let i = n; i < last; i++) out[count++] = firstRow + i;
      n = last;
      cursor.pos = pos;
    } else {
      const groups = (header - 1) / 2;
      for (let g = 0; g < groups; g++) {
        const byte = bytes[pos++]!;
        if (byte !== 0) for (let bit = 0; bit < 8; bit++) if ((byte >>> bit) & 1 && n + bit < rows) out[count++] = firstRow + n + bit;
        n += 8;
      }
      if (n > rows) n = rows;
      cursor.pos = pos;
    }
  }
  return count;
}

/** The varint header of a hybrid run at cursor.pos (count << 1 | packed), the cursor moved past it. */
function readRunHeader(bytes: Uint8Array, cursor: { pos: number }): number {
  let b = bytes[cursor.pos++]!;
  // most runs of a staging file are short: a header of one byte
  if (b < 0x80) return b;
  let header = b & 0x7f;
  for (let scale = 0x80; ; scale *= 0x80) {
    b = bytes[cursor.pos++]!;
    header += (b & 0x7f) * scale;
    if (b < 0x80) return header;
  }
}

function decodeStrings(layout: ChunkLayout, bytes: Uint8Array, count: number, valueRows: Uint32Array | undefined, pageValues: Int32Array, arrays: ChunkArrays): DecodedChunk {
  // entries: the dictionary's, then the PLAIN values of any page without one
  let plainBytes = 0;
  for (const page of layout.pages) if (!page.dictionaryIndices) plainBytes += page.valuesBytes;
  const dictionaryBytes = layout.dictionary?.bytes ?? 0;
  const entries = arrays.entries.take(dictionaryBytes + plainBytes);
  if (layout.dictionary) entries.set(bytes.subarray(layout.dictionary.bodyAt, layout.dictionary.bodyAt + dictionaryBytes), 0);
  let o = dictionaryBytes;
  for (const page of layout.pages) {
    if (page.dictionaryIndices) continue;
    const at = page.bodyAt + page.levelsBytes;
    entries.set(bytes.subarray(at, at + page.valuesBytes), o);
    o += page.valuesBytes;
  }
  const dictionaryEntries = layout.dictionary?.entries ?? 0;
  const entryStarts = arrays.entryStarts.take(dictionaryEntries + count + 1);
  let e = 0;
  let pos = 0;
  while (pos < entries.length) {
    entryStarts[e++] = pos;
    pos += 4 + readU32(entries, pos);
  }
  if (pos !== entries.length) throw new Error(`parquet layout: column "${layout.name}" has a truncated string`);
  entryStarts[e] = pos;
  const indices = arrays.indices.take(count);
  let v = 0;
  let plainEntry = dictionaryEntries;
  layout.pages.forEach((page, p) => {
    const at = page.bodyAt + page.levelsBytes;
    const n = pageValues[p]!;
    if (page.dictionaryIndices) {
      decodeHybrid(bytes, at + 1, at + page.valuesBytes, bytes[at]!, indices.subarray(v, v + n), n);
    } else {
      for (let k = 0; k < n; k++) indices[v + k] = plainEntry++;
    }
    v += n;
  });
  if (plainEntry !== e) throw new Error(`parquet layout: column "${layout.name}" holds ${e - dictionaryEntries} PLAIN strings, expected ${plainEntry - dictionaryEntries}`);
  return decodedChunk('strings', valueRows, 0, NO_BYTES, entries, entryStarts.subarray(0, e + 1), indices);
}

/** Runs shorter than this are set value by value (decodeHybrid). */
const SHORT_RUN = 16;

/**
 * Decodes `count` values of an RLE/bit-packed hybrid stream in bytes[from,
 * to) at `bitWidth` (≤ 24, as the writer emits) into `out`.
 */
export function decodeHybrid(bytes: Uint8Array, from: number, to: number, bitWidth: number, out: Uint8Array | Uint32Array, count: number): void {
  if (bitWidth < 1 || bitWidth > 24) throw new Error(`parquet layout: hybrid bit width ${bitWidth} outside 1..24`);
  const cursor = { pos: from };
  let n = 0;
  const valueBytes = (bitWidth + 7) >>> 3;
  const mask = (1 << bitWidth) - 1;
  while (n < count) {
    if (cursor.pos >= to) throw new Error('parquet layout: hybrid stream ends early');
    const header = readRunHeader(bytes, cursor);
    let pos = cursor.pos;
    if (header % 2 === 0) {
      let value = 0;
      for (let k = 0; k < valueBytes; k++) value |= bytes[pos++]! << (8 * k);
      const last = Math.min(count, n + header / 2);
      // a short run (a staging file's values repeat a few times) costs less set one by one than through fill()
      if (last - n < SHORT_RUN) for (; n < last; n++) out[n] = value;
      else out.fill(value, n, last);
      n = last;
    } else {
      const values = ((header - 1) / 2) * 8;
      // acc stays below 2^31: at most bitWidth - 1 bits wait when 8 more arrive
      let acc = 0;
      let bits = 0;
      for (let k = 0; k < values; k++) {
        while (bits < bitWidth) {
          acc |= bytes[pos++]! << bits;
          bits += 8;
        }
        if (n < count) out[n++] = acc & mask;
        acc >>>= bitWidth;
        bits -= bitWidth;
      }
    }
    cursor.pos = pos;
  }
}
