// Where the pages of a file this writer wrote lie, recorded while writing, and
// the decoding of one column chunk back into gatherable arrays — bytes, not
// JS values. The head keeps the layout of each staging file so a flush can
// regroup its rows in trace-id order without parsing footers or making a JS
// string per value (src/parts/sorted-run.ts). Only what this writer emits is
// understood: one row group, UNCOMPRESSED v1 pages, PLAIN or RLE_DICTIONARY
// values, definition levels at bit width 1.

import type { DictionaryLayout, PageLayout } from './column-chunk.js';

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

/** One column of one file, decoded to arrays indexed by row. */
export type DecodedChunk =
  /** `values`: non-null values packed width × present; present[row] = index among them, -1 for null */
  | { kind: 'fixed'; width: number; values: Uint8Array; present: Int32Array }
  /** one byte per non-null value */
  | { kind: 'boolean'; values: Uint8Array; present: Int32Array }
  /**
   * PLAIN byte arrays (`u32 length, bytes`) in `entries`, entry e at
   * entryStarts[e] (one more element: the end); value v of the non-null ones
   * is entry indices[v]
   */
  | { kind: 'strings'; entries: Uint8Array; entryStarts: Uint32Array; indices: Uint32Array; present: Int32Array };

/** Decodes `chunk` of a file with `rows` rows from `bytes`, the chunk's bytes (layout.at onwards). */
export function decodeChunk(layout: ChunkLayout, rows: number, bytes: Uint8Array): DecodedChunk {
  const present = new Int32Array(rows);
  /** non-null values per page */
  const pageValues = new Int32Array(layout.pages.length);
  let count = 0;
  let row = 0;
  const levels = new Uint8Array(rows);
  layout.pages.forEach((page, p) => {
    const before = count;
    if (page.levelsBytes === 0) {
      for (let i = 0; i < page.rows; i++) present[row++] = count++;
    } else {
      decodeHybrid(bytes, page.bodyAt + 4, page.bodyAt + page.levelsBytes, 1, levels, page.rows);
      for (let i = 0; i < page.rows; i++) present[row++] = levels[i] ? count++ : -1;
    }
    pageValues[p] = count - before;
  });
  if (row !== rows) throw new Error(`parquet layout: column "${layout.name}" pages hold ${row} rows, the file ${rows}`);
  switch (layout.kind) {
    case 'boolean': {
      const values = new Uint8Array(count);
      let v = 0;
      layout.pages.forEach((page, p) => {
        const at = page.bodyAt + page.levelsBytes;
        for (let k = 0; k < pageValues[p]!; k++) values[v++] = (bytes[at + (k >>> 3)]! >>> (k & 7)) & 1;
      });
      return { kind: 'boolean', values, present };
    }
    case 'string':
      return decodeStrings(layout, bytes, present, count, pageValues);
    default: {
      const width = layout.width;
      const values = new Uint8Array(count * width);
      let o = 0;
      for (const page of layout.pages) {
        const at = page.bodyAt + page.levelsBytes;
        values.set(bytes.subarray(at, at + page.valuesBytes), o);
        o += page.valuesBytes;
      }
      if (o !== values.length) throw new Error(`parquet layout: column "${layout.name}" holds ${o} value bytes, expected ${values.length}`);
      return { kind: 'fixed', width, values, present };
    }
  }
}

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function decodeStrings(layout: ChunkLayout, bytes: Uint8Array, present: Int32Array, count: number, pageValues: Int32Array): DecodedChunk {
  // entries: the dictionary's, then the PLAIN values of any page without one
  let plainBytes = 0;
  for (const page of layout.pages) if (!page.dictionaryIndices) plainBytes += page.valuesBytes;
  const dictionaryBytes = layout.dictionary?.bytes ?? 0;
  const entries = new Uint8Array(dictionaryBytes + plainBytes);
  if (layout.dictionary) entries.set(bytes.subarray(layout.dictionary.bodyAt, layout.dictionary.bodyAt + dictionaryBytes), 0);
  let o = dictionaryBytes;
  for (const page of layout.pages) {
    if (page.dictionaryIndices) continue;
    const at = page.bodyAt + page.levelsBytes;
    entries.set(bytes.subarray(at, at + page.valuesBytes), o);
    o += page.valuesBytes;
  }
  const dictionaryEntries = layout.dictionary?.entries ?? 0;
  const entryStarts = new Uint32Array(dictionaryEntries + count + 1);
  let e = 0;
  let pos = 0;
  while (pos < entries.length) {
    entryStarts[e++] = pos;
    pos += 4 + readU32(entries, pos);
  }
  if (pos !== entries.length) throw new Error(`parquet layout: column "${layout.name}" has a truncated string`);
  entryStarts[e] = pos;
  const indices = new Uint32Array(count);
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
  return { kind: 'strings', entries, entryStarts: entryStarts.subarray(0, e + 1), indices, present };
}

/**
 * Decodes `count` values of an RLE/bit-packed hybrid stream in bytes[from,
 * to) at `bitWidth` (≤ 24, as the writer emits) into `out`.
 */
export function decodeHybrid(bytes: Uint8Array, from: number, to: number, bitWidth: number, out: Uint8Array | Uint32Array, count: number): void {
  if (bitWidth < 1 || bitWidth > 24) throw new Error(`parquet layout: hybrid bit width ${bitWidth} outside 1..24`);
  let pos = from;
  let n = 0;
  const valueBytes = (bitWidth + 7) >>> 3;
  const mask = (1 << bitWidth) - 1;
  while (n < count) {
    if (pos >= to) throw new Error('parquet layout: hybrid stream ends early');
    let header = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++]!;
      header += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
    }
    if (header % 2 === 0) {
      let value = 0;
      for (let k = 0; k < valueBytes; k++) value |= bytes[pos++]! << (8 * k);
      const last = Math.min(count, n + header / 2);
      out.fill(value, n, last);
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
  }
}
