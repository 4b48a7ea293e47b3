// A trace's rows read straight from a part's pages, without DuckDB: the
// trace index names the rows that may hold the trace, the part's footer
// (parsed once: parts are immutable) where their row group's column chunks
// lie, and of each chunk only the pages holding those rows are decompressed
// and only the values of the trace's rows decoded.
//
// Why: DuckDB decodes every value of every column chunk of the row group it
// reads (65,536 rows, ~130 columns) to return a few dozen rows, and sets up
// each column per query; the lookup's time was that decoding
// (docs/storage.md). Here the cost is decompressing the pages (the same
// bytes DuckDB decompresses, zstd in WebAssembly) plus decoding values up to
// the trace's last row; a column null in all of the trace's rows costs its
// definition levels only, and the answer's row objects carry no nulls.
//
// Only flat files with v1 data pages are read: PLAIN, dictionary,
// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY (log parts' ids) and RLE (booleans) values; zstd, gzip, Brotli or no
// compression; the physical and logical types DuckDB and our writer give
// span columns. Anything else throws UnsupportedPartError, and the lookup
// reads that part with DuckDB instead. Values are the JS values DuckDB's
// getRowObjectsJS gives (BIGINT → bigint, BLOB → Uint8Array, VARCHAR →
// string), so the OTLP answer is the same either way.

import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { readParquetFooter, ThriftCompactReader, type LeafAnnotation, type ParquetFooter, type Struct } from '../parts/parquet/footer.js';
import { decodeHybrid } from '../parts/parquet/layout.js';
import { chunkStartOffset, PhysicalType, Repetition, type ColumnMetaData, type LeafSchema } from '../parts/parquet/metadata.js';
import { decompressPage } from '../parts/parquet/compression.js';
import { readU32, readVarint, unzigzag } from '../parts/parquet/page-bytes.js';
import { loadZstd } from '../parts/parquet/zstd.js';
import type { RowRange } from '../parts/trace-index.js';
import type { Row } from '../engine/duckdb.js';
import { WordBytes } from './word-bytes.js';
import { lineColumnOf, lineFormColumns, UNIT_ROW_COLUMN } from '../parts/log-unit-columns.js';

/** The file uses something this reader does not (the caller reads it with DuckDB). */
export class UnsupportedPartError extends Error {}

/** How a column's stored values become JS values. */
type Conversion = 'string' | 'bytes' | 'int32' | 'int64' | 'double' | 'float' | 'boolean';

const ConvertedType = { UTF8: 0, INT_32: 17, INT_64: 18 } as const;
const LogicalType = { STRING: 1, INTEGER: 10 } as const;
const PageType = { DATA_PAGE: 0, INDEX_PAGE: 1, DICTIONARY_PAGE: 2, DATA_PAGE_V2: 3 } as const;
const ValueEncoding = { PLAIN: 0, PLAIN_DICTIONARY: 2, RLE: 3, DELTA_BINARY_PACKED: 5, DELTA_LENGTH_BYTE_ARRAY: 6, RLE_DICTIONARY: 8 } as const;
/** FLOAT is not among the types our writer writes (metadata.ts) */
const FLOAT = 4;

function integerMatches(a: LeafAnnotation, bits: number, converted: number): boolean {
  if (a.convertedType !== undefined && a.convertedType !== converted) return false;
  if (a.logicalType === undefined) return true;
  return a.logicalType === LogicalType.INTEGER && a.integer?.bitWidth === bits && a.integer.signed;
}

/** undefined: a type DuckDB returns as something else than these (dates, decimals, unsigned, UUID, JSON…). */
function conversionOf(leaf: LeafSchema, a: LeafAnnotation): Conversion | undefined {
  const plain = a.convertedType === undefined && a.logicalType === undefined;
  switch (leaf.type as number) {
    case PhysicalType.BOOLEAN:
      return plain ? 'boolean' : undefined;
    case PhysicalType.INT32:
      return integerMatches(a, 32, ConvertedType.INT_32) ? 'int32' : undefined;
    case PhysicalType.INT64:
      return integerMatches(a, 64, ConvertedType.INT_64) ? 'int64' : undefined;
    case PhysicalType.DOUBLE:
      return plain ? 'double' : undefined;
    case FLOAT:
      return plain ? 'float' : undefined;
    case PhysicalType.BYTE_ARRAY:
      if (plain) return 'bytes';
      return (a.convertedType === undefined || a.convertedType === ConvertedType.UTF8) && (a.logicalType === undefined || a.logicalType === LogicalType.STRING) ? 'string' : undefined;
    case PhysicalType.FIXED_LEN_BYTE_ARRAY:
      return plain ? 'bytes' : undefined;
    default:
      return undefined;
  }
}

/** A part's footer, parsed once, and what the reader needs of it. */
export interface PartPages {
  path: string;
  footer: ParquetFooter;
  /** first row of each row group */
  firstRows: number[];
  conversions: (Conversion | undefined)[];
  /** where a log part in the units form keeps its unit columns; undefined for a file without `__unit_row` */
  units: UnitLayout | undefined;
}

/**
 * A file in the units form (src/parts/log-unit-columns.ts): its rows are
 * answered as a part written in line form would answer them.
 */
interface UnitLayout {
  /** the leaf of `__unit_row` */
  unitRowLeaf: number;
  /** per leaf: 1 where it is a unit column (`S::unit`) */
  isUnitLeaf: Uint8Array;
  /** the file's columns as lineFormColumns names them, in that order */
  names: string[];
  /** per name: its own leaf (S), -1 if the file has none */
  ownLeaf: Int32Array;
  /** per name: its unit leaf (`S::unit`), -1 if the file has none */
  unitLeaf: Int32Array;
  /** line-form name → its unit leaf */
  unitLeafOf: Map<string, number>;
}

function unitLayoutOf(leaves: readonly LeafSchema[]): UnitLayout | undefined {
  const fileColumns = leaves.map((l) => l.name);
  const unitRowLeaf = fileColumns.indexOf(UNIT_ROW_COLUMN);
  if (unitRowLeaf < 0) return undefined;
  const names = lineFormColumns(fileColumns);
  const isUnitLeaf = new Uint8Array(leaves.length);
  const unitLeafOf = new Map<string, number>();
  fileColumns.forEach((c, leaf) => {
    const line = lineColumnOf(c);
    if (line === undefined) return;
    isUnitLeaf[leaf] = 1;
    unitLeafOf.set(line, leaf);
  });
  const ownLeaf = Int32Array.from(names, (name) => fileColumns.indexOf(name));
  const unitLeaf = Int32Array.from(names, (name) => unitLeafOf.get(name) ?? -1);
  return { unitRowLeaf, isUnitLeaf, names, ownLeaf, unitLeaf, unitLeafOf };
}

function partPagesOf(path: string): PartPages {
  let footer: ParquetFooter;
  try {
    footer = readParquetFooter(path);
  } catch (err) {
    // nested schemas and the like; a missing file is an error of its own
    if (err instanceof Error && /parquet footer: nested/.test(err.message)) throw new UnsupportedPartError(err.message);
    throw err;
  }
  const firstRows: number[] = [];
  let row = 0;
  for (const g of footer.rowGroups) {
    firstRows.push(row);
    row += g.numRows;
  }
  return { path, footer, firstRows, conversions: footer.leaves.map((leaf, i) => conversionOf(leaf, footer.annotations[i]!)), units: unitLayoutOf(footer.leaves) };
}

/** Parsed footers by file path; parts are immutable, so entries never go stale. */
export class PartPagesCache {
  private readonly parts = new Map<string, PartPages>();

  get(path: string): PartPages {
    let part = this.parts.get(path);
    if (!part) {
      part = partPagesOf(path);
      this.parts.set(path, part);
    }
    return part;
  }

  /** Drops entries of files no longer in use. */
  retain(paths: Iterable<string>): void {
    const live = new Set(paths);
    for (const path of this.parts.keys()) if (!live.has(path)) this.parts.delete(path);
  }
}

const utf8 = new TextDecoder();

/** A page body uncompressed; `transient`: zstd's is valid only until the next zstd call (decompressPage). */
function decompress(codec: number | undefined, body: Uint8Array, size: number, transient: boolean): Uint8Array {
  const out = decompressPage(codec, body, size, transient);
  if (out === undefined) throw new UnsupportedPartError(`part pages: compression codec ${String(codec)}`);
  return out;
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number') throw new Error(`part pages: page header without ${what}`);
  return v;
}

/** A column chunk's values at some of its rows, decoded as the chunk is walked. */
class ChunkReader {
  private dictionaryPage: { body: Uint8Array; size: number; entries: number } | undefined;
  private dictionary: Dictionary | undefined;

  constructor(
    private readonly leaf: LeafSchema,
    private readonly meta: ColumnMetaData,
    private readonly conversion: Conversion,
  ) {}

  /**
   * Values at `rows` (ascending, within the row group), null where null.
   * `bytes` hold the row group's chunks from file offset `base` on.
   */
  read(bytes: Uint8Array, base: number, rows: Int32Array): unknown[] {
    const out: unknown[] = new Array<unknown>(rows.length).fill(null);
    let r = 0;
    if (rows.length === 0) return out;
    for (const page of chunkPages(bytes, base, this.meta, this.leaf.name)) {
      if (page.firstRow < 0) {
        this.dictionaryPage = { body: page.body, size: page.size, entries: page.rows };
        this.dictionary = undefined;
        continue;
      }
      const pageEnd = page.firstRow + page.rows;
      if (rows[r]! >= pageEnd) continue;
      let last = r;
      while (last + 1 < rows.length && rows[last + 1]! < pageEnd) last++;
      // decoded before the next page (or the dictionary) is decompressed: no copy
      this.readPage(decompress(this.meta.codec, page.body, page.size, true), page.encoding, page.firstRow, rows, r, last, out);
      r = last + 1;
      if (r === rows.length) return out;
    }
    throw new Error(`part pages: column "${this.leaf.name}" ends before row ${rows[r]}`);
  }

  /** rows[first..last] lie in this page, whose first row is `pageFirst`. */
  private readPage(page: Uint8Array, encoding: number, pageFirst: number, rows: Int32Array, first: number, last: number, out: unknown[]): void {
    const local = new Int32Array(last - first + 1);
    for (let k = 0; k < local.length; k++) local[k] = rows[first + k]! - pageFirst;
    const { valueAt, indexes, pos } = pageValueIndexes(page, this.leaf, local);
    if (indexes.length === 0) return;
    const values = this.values(page, pos, encoding, indexes);
    let w = 0;
    for (let k = 0; k < valueAt.length; k++) if (valueAt[k]! >= 0) out[first + k] = values[w++];
  }

  /** The page's values at `indexes` (ascending), its values starting at byte `pos`. */
  private values(page: Uint8Array, pos: number, encoding: number, indexes: Int32Array): unknown[] {
    switch (encoding) {
      case ValueEncoding.PLAIN:
        return plainValuesAt(page, pos, this.leaf, this.conversion, indexes);
      case ValueEncoding.PLAIN_DICTIONARY:
      case ValueEncoding.RLE_DICTIONARY: {
        const bitWidth = page[pos]!;
        const keys = new Int32Array(indexes.length);
        if (bitWidth > 0) hybridValuesAt(page, pos + 1, page.length, bitWidth, indexes, keys);
        const dictionary = this.dictionaryValues();
        return Array.from(keys, (key) => dictionary.at(key));
      }
      case ValueEncoding.DELTA_BINARY_PACKED: {
        if (this.conversion !== 'int64' && this.conversion !== 'int32') throw new UnsupportedPartError(`part pages: DELTA_BINARY_PACKED ${this.conversion}`);
        const ints = deltaBinaryPackedAt(page, pos, indexes);
        // int32 deltas may wrap around as 32-bit arithmetic: the value is its low 32 bits
        return this.conversion === 'int64' ? ints : ints.map((v) => Number(BigInt.asIntN(32, v)));
      }
      case ValueEncoding.DELTA_LENGTH_BYTE_ARRAY:
        return deltaLengthValuesAt(page, pos, this.leaf, this.conversion, indexes);
      case ValueEncoding.RLE: {
        if (this.conversion !== 'boolean') throw new UnsupportedPartError(`part pages: RLE ${this.conversion}`);
        const bits = new Int32Array(indexes.length);
        hybridValuesAt(page, pos + 4, pos + 4 + readU32(page, pos), 1, indexes, bits);
        return Array.from(bits, (b) => b === 1);
      }
      default:
        throw new UnsupportedPartError(`part pages: value encoding ${encoding}`);
    }
  }

  private dictionaryValues(): Dictionary {
    if (this.dictionary) return this.dictionary;
    const page = this.dictionaryPage;
    if (!page) throw new Error(`part pages: column "${this.leaf.name}" has dictionary-encoded values but no dictionary page`);
    // kept while later pages of the chunk are decompressed: a copy
    this.dictionary = new Dictionary(plainValues(decompress(this.meta.codec, page.body, page.size, false), 0, this.leaf, this.conversion, page.entries));
    return this.dictionary;
  }
}

interface ValueSource {
  at(index: number): unknown;
}

/** Dictionary entries, each converted once however many rows name it. */
class Dictionary implements ValueSource {
  private readonly converted = new Map<number, unknown>();
  constructor(private readonly entries: ValueSource) {}

  at(index: number): unknown {
    let v = this.converted.get(index);
    if (v === undefined) {
      v = this.entries.at(index);
      this.converted.set(index, v);
    }
    return v;
  }
}

/** `count` PLAIN values of the leaf's type from bytes[pos…]. */
function plainValues(bytes: Uint8Array, pos: number, leaf: LeafSchema, conversion: Conversion, count: number): ValueSource {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fixed = (width: number): void => {
    if (pos + width * count > bytes.length) throw new Error(`part pages: column "${leaf.name}" holds fewer than ${count} values`);
  };
  switch (conversion) {
    case 'boolean':
      if (pos + Math.ceil(count / 8) > bytes.length) throw new Error(`part pages: column "${leaf.name}" holds fewer than ${count} values`);
      return { at: (i) => ((bytes[pos + (i >>> 3)]! >>> (i & 7)) & 1) === 1 };
    case 'int32':
      fixed(4);
      return { at: (i) => view.getInt32(pos + 4 * i, true) };
    case 'int64':
      fixed(8);
      return { at: (i) => view.getBigInt64(pos + 8 * i, true) };
    case 'double':
      fixed(8);
      return { at: (i) => view.getFloat64(pos + 8 * i, true) };
    case 'float':
      fixed(4);
      return { at: (i) => view.getFloat32(pos + 4 * i, true) };
    default:
      break;
  }
  const convert = byteArrayConversion(conversion);
  if (leaf.type === PhysicalType.FIXED_LEN_BYTE_ARRAY) {
    // at a fixed stride
    const width = leaf.typeLength ?? 0;
    fixed(width);
    return { at: (i) => convert(bytes.subarray(pos + width * i, pos + width * (i + 1))) };
  }
  // length-prefixed (dictionary pages: every entry may be wanted)
  const starts = new Uint32Array(count);
  const lengths = new Uint32Array(count);
  let at = pos;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) throw new Error(`part pages: column "${leaf.name}" holds fewer than ${count} values`);
    const length = readU32(bytes, at);
    starts[i] = at + 4;
    lengths[i] = length;
    at += 4 + length;
  }
  if (at > bytes.length) throw new Error(`part pages: column "${leaf.name}" has a truncated value`);
  return { at: (i) => convert(bytes.subarray(starts[i]!, starts[i]! + lengths[i]!)) };
}

function byteArrayConversion(conversion: Conversion): (bytes: Uint8Array) => unknown {
  return conversion === 'string'
    ? (bytes) => utf8.decode(bytes)
    : // a copy, as a Buffer: what DuckDB's node client returns for a BLOB
      (bytes) => Buffer.from(bytes);
}

/**
 * The PLAIN values at `indexes` (ascending) from bytes[pos…]: length-prefixed
 * byte arrays walked once up to the last index, nothing kept of the others.
 */
function plainValuesAt(bytes: Uint8Array, pos: number, leaf: LeafSchema, conversion: Conversion, indexes: Int32Array): unknown[] {
  const count = indexes[indexes.length - 1]! + 1;
  if ((conversion !== 'string' && conversion !== 'bytes') || leaf.type === PhysicalType.FIXED_LEN_BYTE_ARRAY) {
    const source = plainValues(bytes, pos, leaf, conversion, count);
    return Array.from(indexes, (i) => source.at(i));
  }
  const convert = byteArrayConversion(conversion);
  const out = new Array<unknown>(indexes.length);
  let at = pos;
  for (let i = 0, k = 0; k < indexes.length; i++) {
    if (at + 4 > bytes.length) throw new Error(`part pages: column "${leaf.name}" holds fewer than ${count} values`);
    const length = readU32(bytes, at);
    if (i === indexes[k]) {
      if (at + 4 + length > bytes.length) throw new Error(`part pages: column "${leaf.name}" has a truncated value`);
      out[k++] = convert(bytes.subarray(at + 4, at + 4 + length));
    }
    at += 4 + length;
  }
  return out;
}

/**
 * The DELTA_LENGTH_BYTE_ARRAY values at `indexes` (ascending) from
 * bytes[pos…]: every value's length (DELTA_BINARY_PACKED), then their bytes
 * one after another.
 */
function deltaLengthValuesAt(bytes: Uint8Array, pos: number, leaf: LeafSchema, conversion: Conversion, indexes: Int32Array): unknown[] {
  if (conversion !== 'string' && conversion !== 'bytes') throw new UnsupportedPartError(`part pages: DELTA_LENGTH_BYTE_ARRAY ${conversion}`);
  const { lengths, end } = deltaLengths(bytes, pos);
  if (indexes.length > 0 && indexes[indexes.length - 1]! >= lengths.length) throw new Error(`part pages: column "${leaf.name}" holds fewer than ${indexes[indexes.length - 1]! + 1} values`);
  const convert = byteArrayConversion(conversion);
  const out = new Array<unknown>(indexes.length);
  let at = end;
  for (let i = 0, k = 0; k < indexes.length; i++) {
    if (i === indexes[k]) {
      if (at + lengths[i]! > bytes.length) throw new Error(`part pages: column "${leaf.name}" has a truncated value`);
      out[k++] = convert(bytes.subarray(at, at + lengths[i]!));
    }
    at += lengths[i]!;
  }
  return out;
}

/**
 * The header of a DELTA stream at bytes[pos…] (block size, miniblocks per
 * block, value count, first value), its block layout checked; `state.pos`
 * is where the first block starts.
 */
function deltaHeader(bytes: Uint8Array, pos: number, encoding: string): { state: { pos: number }; miniblocks: number; perMiniblock: number; total: number; first: bigint } {
  const state = { pos };
  const blockSize = Number(readVarint(bytes, state));
  const miniblocks = Number(readVarint(bytes, state));
  const total = Number(readVarint(bytes, state));
  const first = unzigzag(readVarint(bytes, state));
  if (miniblocks === 0 || blockSize % miniblocks !== 0 || (blockSize / miniblocks) % 8 !== 0) throw new Error(`part pages: ${encoding} block layout`);
  return { state, miniblocks, perMiniblock: blockSize / miniblocks, total, first };
}

/**
 * Every length of a DELTA_LENGTH_BYTE_ARRAY body at bytes[pos…], and where
 * the values' bytes start. Lengths are below 2^31, so a delta less the
 * block's smallest fits in 32 bits and the sums wrap as int32s.
 */
function deltaLengths(bytes: Uint8Array, pos: number): { lengths: Int32Array; end: number } {
  const { state, miniblocks, perMiniblock, total, first } = deltaHeader(bytes, pos, 'DELTA_LENGTH_BYTE_ARRAY');
  let value = Number(first) | 0;
  const lengths = new Int32Array(total);
  if (total > 0) lengths[0] = value;
  let n = 1;
  while (n < total) {
    const minDelta = Number(BigInt.asIntN(32, unzigzag(readVarint(bytes, state))));
    const widths = state.pos;
    state.pos += miniblocks;
    for (let m = 0; m < miniblocks && n < total; m++) {
      const width = bytes[widths + m]!;
      if (width > 32) throw new Error(`part pages: DELTA_LENGTH_BYTE_ARRAY bit width ${width}`);
      const count = Math.min(perMiniblock, total - n);
      if (state.pos + (perMiniblock * width) / 8 > bytes.length) throw new Error('part pages: DELTA_LENGTH_BYTE_ARRAY block ends early');
      for (let i = 0, bit = state.pos * 8; i < count; i++, bit += width) {
        value = (value + minDelta + packedAt(bytes, bit, width)) | 0;
        lengths[n++] = value;
      }
      state.pos += (perMiniblock * width) / 8;
    }
  }
  return { lengths, end: state.pos };
}

/** Set bits per byte value. */
const ONES = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let v = b; v > 0; v >>>= 1) n += v & 1;
  return n;
});

/** Set bits of bytes[from, to): four bytes at a time, then byte by byte. */
function setBits(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  let i = from;
  for (; i + 4 <= to; i += 4) {
    let v = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    v -= (v >>> 1) & 0x55555555;
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    n += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  for (; i < to; i++) n += ONES[bytes[i]!]!;
  return n;
}

/** An RLE/bit-packed hybrid run header (a ULEB128 varint) at bytes[state.pos]. */
function runHeader(bytes: Uint8Array, state: { pos: number }, to: number): number {
  let header = 0;
  let shift = 0;
  for (;;) {
    if (state.pos >= to) throw new Error('part pages: RLE/bit-packed stream ends early');
    const b = bytes[state.pos++]!;
    header += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return header;
    shift += 7;
  }
}

/**
 * Values at `indexes` (ascending) of the RLE/bit-packed hybrid stream in
 * bytes[from, to) at `bitWidth` (≤ 24): only the run headers before the last
 * index are read, and of bit-packed runs only the wanted values.
 */
export function hybridValuesAt(bytes: Uint8Array, from: number, to: number, bitWidth: number, indexes: ArrayLike<number>, out: Int32Array): void {
  if (bitWidth < 1 || bitWidth > 24) throw new UnsupportedPartError(`part pages: RLE/bit-packed width ${bitWidth}`);
  const state = { pos: from };
  const mask = (1 << bitWidth) - 1;
  const valueBytes = (bitWidth + 7) >>> 3;
  let base = 0;
  let k = 0;
  while (k < indexes.length) {
    const header = runHeader(bytes, state, to);
    if (header % 2 === 0) {
      const end = base + header / 2;
      let value = 0;
      for (let b = 0; b < valueBytes; b++) value |= bytes[state.pos++]! << (8 * b);
      while (k < indexes.length && indexes[k]! < end) out[k++] = value;
      base = end;
    } else {
      const groups = (header - 1) / 2;
      const end = base + groups * 8;
      const at = state.pos;
      while (k < indexes.length && indexes[k]! < end) {
        const bit = (indexes[k]! - base) * bitWidth;
        const byte = at + (bit >>> 3);
        // bitWidth + 7 ≤ 31 bits: four bytes hold the value (past the end of the array read as 0)
        const word = (bytes[byte] ?? 0) | ((bytes[byte + 1] ?? 0) << 8) | ((bytes[byte + 2] ?? 0) << 16) | ((bytes[byte + 3] ?? 0) << 24);
        out[k++] = (word >>> (bit & 7)) & mask;
      }
      state.pos += groups * bitWidth;
      base = end;
    }
  }
}

/**
 * Definition levels (bit width 1) in bytes[from, to): for each of `rows`
 * (ascending), -1 when its level is 0 (null), else how many non-null values
 * precede it — its index among the page's values.
 */
export function definedIndexes(bytes: Uint8Array, from: number, to: number, rows: ArrayLike<number>, out: Int32Array): void {
  const state = { pos: from };
  let base = 0;
  let ones = 0;
  let k = 0;
  while (k < rows.length) {
    const header = runHeader(bytes, state, to);
    if (header % 2 === 0) {
      const length = header / 2;
      const set = bytes[state.pos++]! & 1;
      while (k < rows.length && rows[k]! < base + length) {
        out[k] = set ? ones + (rows[k]! - base) : -1;
        k++;
      }
      if (set) ones += length;
      base += length;
    } else {
      const groups = (header - 1) / 2;
      const at = state.pos;
      // ones in the run's bytes before `scanned`
      let scanned = 0;
      let before = 0;
      while (k < rows.length && rows[k]! < base + groups * 8) {
        const j = rows[k]! - base;
        const byte = j >>> 3;
        before += setBits(bytes, at + scanned, at + byte);
        scanned = byte;
        const bits = bytes[at + byte]!;
        out[k] = (bits >>> (j & 7)) & 1 ? ones + before + ONES[bits & ((1 << (j & 7)) - 1)]! : -1;
        k++;
      }
      // the rest of the run counts only for rows after it
      if (k === rows.length) return;
      ones += before + setBits(bytes, at + scanned, at + groups);
      state.pos += groups;
      base += groups * 8;
    }
  }
}


/** `width` (≤ 24) bits at bit `bitPos` of bytes, LSB first (bytes past the end read as 0). */
function bitsAt(bytes: Uint8Array, bitPos: number, width: number): number {
  const byte = bitPos >>> 3;
  // width + 7 ≤ 31 bits: four bytes hold the value
  const word = (bytes[byte] ?? 0) | ((bytes[byte + 1] ?? 0) << 8) | ((bytes[byte + 2] ?? 0) << 16) | ((bytes[byte + 3] ?? 0) << 24);
  return (word >>> (bitPos & 7)) & ((1 << width) - 1);
}

/** A packed value of `width` (≤ 48) bits as a Number: in pieces of ≤ 24 bits. */
function packedAt(bytes: Uint8Array, bitPos: number, width: number): number {
  if (width <= 24) return width === 0 ? 0 : bitsAt(bytes, bitPos, width);
  return bitsAt(bytes, bitPos, 24) + bitsAt(bytes, bitPos + 24, width - 24) * 0x1000000;
}

/** A packed value of any width up to 64 bits. */
function packedBigAt(bytes: Uint8Array, bitPos: number, width: number): bigint {
  if (width <= 48) return BigInt(packedAt(bytes, bitPos, width));
  return BigInt(packedAt(bytes, bitPos, 32)) + (BigInt(packedAt(bytes, bitPos + 32, width - 32)) << 32n);
}

/** Sum of `count` packed values of `width` (1–24) bits from bytes[at…], whose bytes (+3) lie within the array. */
function packedSum(bytes: Uint8Array, at: number, width: number, count: number): number {
  const mask = (1 << width) - 1;
  let sum = 0;
  for (let i = 0, bit = 0; i < count; i++, bit += width) {
    const byte = at + (bit >>> 3);
    const word = bytes[byte]! | (bytes[byte + 1]! << 8) | (bytes[byte + 2]! << 16) | (bytes[byte + 3]! << 24);
    sum += (word >>> (bit & 7)) & mask;
  }
  return sum;
}

/** The same for any width up to NUMBER_SUM_WIDTH and near the end of the page. */
function slowPackedSum(bytes: Uint8Array, bitStart: number, width: number, count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += packedAt(bytes, bitStart + i * width, width);
  return sum;
}

/** Widths up to this sum a miniblock's packed values as Numbers: 32 values < 2^48 stay below 2^53. */
const NUMBER_SUM_WIDTH = 48;

/**
 * Values at `indexes` (ascending) of the DELTA_BINARY_PACKED stream at
 * bytes[pos…] (int32 values widen losslessly). A value is the first plus
 * every delta before it, so the stream is walked up to the last index, but
 * a miniblock holding no wanted index is only summed — its packed values as
 * Numbers, its min deltas once — not decoded value by value as BigInts.
 */
export function deltaBinaryPackedAt(bytes: Uint8Array, pos: number, indexes: ArrayLike<number>): bigint[] {
  const out: bigint[] = [];
  if (indexes.length === 0) return out;
  const { state, miniblocks, perMiniblock, total, first } = deltaHeader(bytes, pos, 'DELTA_BINARY_PACKED');
  let value = first;
  const need = indexes[indexes.length - 1]! + 1;
  if (need > total) throw new Error(`part pages: DELTA_BINARY_PACKED holds ${total} values, ${need} wanted`);
  let k = 0;
  if (indexes[0] === 0) {
    out.push(value);
    k++;
  }
  // values produced so far: the current one has index n - 1
  let n = 1;
  while (n < need) {
    const minDelta = unzigzag(readVarint(bytes, state));
    const widths = state.pos;
    state.pos += miniblocks;
    if (state.pos > bytes.length) throw new Error('part pages: DELTA_BINARY_PACKED block ends early');
    for (let m = 0; m < miniblocks && n < need; m++) {
      const width = bytes[widths + m]!;
      if (width > 64) throw new Error(`part pages: DELTA_BINARY_PACKED bit width ${width}`);
      const count = Math.min(perMiniblock, need - n);
      const bitStart = state.pos * 8;
      if (indexes[k]! >= n + count && width <= NUMBER_SUM_WIDTH) {
        // no wanted value in this miniblock: only the sum of its deltas matters
        const sum = width <= 24 && state.pos + width * 4 + 3 < bytes.length ? packedSum(bytes, state.pos, width, count) : slowPackedSum(bytes, bitStart, width, count);
        value = BigInt.asIntN(64, value + minDelta * BigInt(count) + BigInt(sum));
      } else {
        for (let i = 0; i < count; i++) {
          value = BigInt.asIntN(64, value + minDelta + packedBigAt(bytes, bitStart + i * width, width));
          if (indexes[k] === n + i) {
            out.push(value);
            k++;
          }
        }
      }
      state.pos += (perMiniblock * width) / 8;
      n += count;
    }
  }
  return out;
}

/**
 * One row group's bytes (~2.4 MB) are read per part a lookup touches. A new
 * buffer each time is memory outside the JS heap that V8 reclaims only by
 * full collections, so the largest buffer is kept for the next lookup
 * (values never point into it: they are copied or converted out). It is
 * shared memory, which a ColumnReadHelper reads without a copy.
 */
let spareReadBuffer: Buffer | undefined;
/** a spare above this is not kept (a row group of unusually wide rows) */
const MAX_SPARE_READ_BYTES = 64 << 20;

function takeReadBuffer(bytes: number): Buffer {
  const spare = spareReadBuffer;
  if (spare && spare.length >= bytes) {
    spareReadBuffer = undefined;
    return spare;
  }
  // shared, so that a helper thread reads it too (ColumnReadHelper); zeroed, but mostly the spare is reused
  return Buffer.from(new SharedArrayBuffer(bytes));
}

function giveBackReadBuffer(buffer: Buffer): void {
  if (buffer.length <= MAX_SPARE_READ_BYTES && (!spareReadBuffer || spareReadBuffer.length < buffer.length)) spareReadBuffer = buffer;
}

/** Rows of the ranges that fall in [from, to), relative to `from`, ascending. */
function rowsIn(ranges: readonly RowRange[], from: number, to: number): Int32Array {
  let count = 0;
  for (const r of ranges) count += Math.max(0, Math.min(r.to, to) - Math.max(r.from, from));
  const out = new Int32Array(count);
  let k = 0;
  for (const r of ranges) for (let row = Math.max(r.from, from); row < Math.min(r.to, to); row++) out[k++] = row - from;
  return out;
}

function sameBytes(a: unknown, b: Uint8Array): boolean {
  if (!(a instanceof Uint8Array) || a.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What a column chunk's reader needs of the footer: plain data, sent as is to a lookup helper thread. */
export interface ColumnChunkRef {
  leaf: LeafSchema;
  meta: ColumnMetaData;
  conversion: Conversion;
}

/**
 * The values of each column at `rows` (ascending, within the row group),
 * null where null; `bytes` hold the row group's chunks from file offset
 * `base` on.
 */
export function readColumnValues(bytes: Uint8Array, base: number, columns: readonly ColumnChunkRef[], rows: Int32Array): unknown[][] {
  return columns.map((c) => new ChunkReader(c.leaf, c.meta, c.conversion).read(bytes, base, rows));
}

/**
 * Another thread that reads columns (readColumnValues) while this one reads
 * others: a lookup is one row group's decompression and decoding, which
 * splits by column (lookup-helper.ts). `bytes` must lie in shared memory.
 */
export interface ColumnReadHelper {
  /** false once the thread failed: everything is read here */
  readonly usable: boolean;
  read(bytes: Uint8Array, base: number, columns: readonly ColumnChunkRef[], rows: Int32Array): Promise<unknown[][]>;
}

/**
 * Decoding cost of a column chunk for a few rows, roughly: the bytes its
 * page holding them and its dictionary decompress to (our writer's pages
 * hold up to 1 MiB; a chunk larger than that is mostly a big dictionary,
 * decompressed when a wanted row has a value) plus a fixed cost per chunk
 * (page headers, levels, values walked up to the rows).
 */
function readCost(meta: ColumnMetaData): number {
  return Math.min(meta.totalUncompressedBytes ?? meta.totalBytes, 3 << 20) + (32 << 10);
}

/**
 * Columns split between this thread and the helper: heaviest first, each to
 * the side with less so far, the helper taking a little more (this thread
 * also builds the rows and the answer afterwards).
 */
function splitForHelper(columns: readonly ColumnChunkRef[]): { here: ColumnChunkRef[]; there: ColumnChunkRef[] } {
  const here: ColumnChunkRef[] = [];
  const there: ColumnChunkRef[] = [];
  let hereCost = 0;
  let thereCost = 0;
  const byCost = columns.map((c) => ({ c, cost: readCost(c.meta) })).sort((a, b) => b.cost - a.cost);
  for (const { c, cost } of byCost) {
    if (thereCost <= hereCost * HELPER_SHARE) {
      there.push(c);
      thereCost += cost;
    } else {
      here.push(c);
      hereCost += cost;
    }
  }
  return { here, there };
}

/** The helper's share of the work against this thread's (measured: lookup-profile.ts). */
const HELPER_SHARE = 1.2;

/**
 * The column as sent to the helper: the footer's statistics left out (their
 * bounds are views of the whole footer's bytes, which a message would copy
 * whole for each).
 */
function portable(c: ColumnChunkRef): ColumnChunkRef {
  const m = c.meta;
  const meta: ColumnMetaData = { type: m.type, encodings: [], path: m.path, numValues: m.numValues, totalBytes: m.totalBytes, dataPageOffset: m.dataPageOffset, statistics: { nullCount: m.statistics.nullCount } };
  if (m.codec !== undefined) meta.codec = m.codec;
  if (m.dictionaryPageOffset !== undefined) meta.dictionaryPageOffset = m.dictionaryPageOffset;
  return { leaf: c.leaf, meta, conversion: c.conversion };
}

/**
 * Values the helper reads, ready to send: a byte array (a Buffer, maybe a
 * view of Node's shared 8 KiB pool, which a message would copy whole) as a
 * Uint8Array of its own.
 */
export function readPortableColumnValues(bytes: Uint8Array, base: number, columns: readonly ColumnChunkRef[], rows: Int32Array): unknown[][] {
  const values = readColumnValues(bytes, base, columns, rows);
  columns.forEach((c, i) => {
    if (c.conversion !== 'bytes') return;
    const column = values[i]!;
    for (let r = 0; r < column.length; r++) {
      const v = column[r];
      if (v instanceof Uint8Array) column[r] = Uint8Array.prototype.slice.call(v);
    }
  });
  return values;
}

/** Values the helper sent: byte arrays come back as Uint8Arrays, the rows hold Buffers (what DuckDB gives). */
function asLocalValues(columns: readonly ColumnChunkRef[], values: unknown[][]): unknown[][] {
  columns.forEach((c, i) => {
    if (c.conversion !== 'bytes') return;
    const column = values[i]!;
    for (let r = 0; r < column.length; r++) {
      const v = column[r];
      if (v instanceof Uint8Array && !Buffer.isBuffer(v)) column[r] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    }
  });
  return values;
}

/**
 * The columns' values, half of them (by readCost) read by the helper at the
 * same time when there is one; what it cannot read is read here.
 */
async function readColumnsShared(bytes: Uint8Array, base: number, columns: readonly ColumnChunkRef[], rows: Int32Array, helper: ColumnReadHelper | undefined): Promise<unknown[][]> {
  if (!helper?.usable || columns.length < 2) return readColumnValues(bytes, base, columns, rows);
  const { here, there } = splitForHelper(columns);
  const remote = helper.read(bytes, base, there.map(portable), rows).then(
    (values) => asLocalValues(there, values),
    () => undefined,
  );
  let local: unknown[][];
  try {
    local = readColumnValues(bytes, base, here, rows);
  } finally {
    // the bytes stay untouched until the helper is done with them
    await remote;
  }
  const remoteValues = (await remote) ?? readColumnValues(bytes, base, there, rows);
  const out = new Map<ColumnChunkRef, unknown[]>();
  here.forEach((c, i) => out.set(c, local[i]!));
  there.forEach((c, i) => out.set(c, remoteValues[i]!));
  return columns.map((c) => out.get(c)!);
}

/** A column whose values pick rows: only rows where it equals `value` are read whole. */
interface RowKey {
  column: string;
  value: Uint8Array;
}

/**
 * The rows of `part` within `ranges` (ascending, disjoint; file row numbers)
 * whose `keyColumn` equals `key`, in file order, as DuckDB would return
 * them, minus the null columns. With a `helper`, another thread reads half
 * of the columns at the same time.
 */
export function readMatchingRows(part: PartPages, ranges: readonly RowRange[], keyColumn: string, key: Uint8Array, helper?: ColumnReadHelper): Promise<Row[]> {
  return readPartRows(part, ranges, { column: keyColumn, value: key }, helper);
}

/**
 * Rows `rows` of `part` (file row numbers, ascending, distinct), every
 * column, in that order, minus the null columns: only the pages holding
 * them are decompressed.
 */
export function readRowsAt(part: PartPages, rows: readonly number[]): Promise<Row[]> {
  const ranges: RowRange[] = [];
  for (const row of rows) {
    const last = ranges[ranges.length - 1];
    if (last && last.to === row) last.to = row + 1;
    else ranges.push({ from: row, to: row + 1 });
  }
  return readPartRows(part, ranges, undefined);
}

async function readPartRows(part: PartPages, ranges: readonly RowRange[], key: RowKey | undefined, helper?: ColumnReadHelper): Promise<Row[]> {
  const { footer } = part;
  const keyLeaf = key ? footer.leaves.findIndex((l) => l.name === key.column) : -1;
  if (key && keyLeaf < 0) throw new UnsupportedPartError(`part pages: no column ${key.column}`);
  // a key stored once per unit would pick units, then their lines: DuckDB reads such files (only trace ids are keys)
  if (key && part.units?.unitLeafOf.has(key.column)) throw new UnsupportedPartError(`part pages: key column ${key.column} stored once per unit`);
  for (let i = 0; i < footer.leaves.length; i++) if (!part.conversions[i] || footer.leaves[i]!.repetition > Repetition.OPTIONAL) throw new UnsupportedPartError(`part pages: column "${footer.leaves[i]!.name}" of a type read otherwise by DuckDB`);
  await loadZstd();
  const file = await open(part.path, 'r');
  const held: Buffer[] = [];
  try {
    const out: Row[] = [];
    for (let g = 0; g < footer.rowGroups.length; g++) {
      const group = footer.rowGroups[g]!;
      const candidates = rowsIn(ranges, part.firstRows[g]!, part.firstRows[g]! + group.numRows);
      if (candidates.length === 0) continue;
      let start = Infinity;
      let end = 0;
      for (const c of group.columns) {
        const first = chunkStartOffset(c);
        start = Math.min(start, first);
        end = Math.max(end, first + c.totalBytes);
      }
      const buffer = takeReadBuffer(end - start);
      held.push(buffer);
      const bytes = buffer.subarray(0, end - start);
      const { bytesRead } = await file.read(bytes, 0, bytes.length, start);
      if (bytesRead !== bytes.length) throw new Error(`part pages: ${part.path} ends early`);
      const ref = (leaf: number): ColumnChunkRef => ({ leaf: footer.leaves[leaf]!, meta: group.columns[leaf]!, conversion: part.conversions[leaf]! });
      const keys = key ? readColumnValues(bytes, start, [ref(keyLeaf)], candidates)[0]! : undefined;
      const hits = key ? candidates.filter((_, i) => sameBytes(keys![i], key.value)) : candidates;
      if (hits.length === 0) continue;
      // null in every row of the group (footers without null counts say 0): nothing to read;
      // the key column's values at the hits are known: its page is not decompressed twice
      const leaves: number[] = [];
      for (let leaf = 0; leaf < footer.leaves.length; leaf++) if (leaf !== keyLeaf && group.columns[leaf]!.statistics.nullCount !== group.numRows) leaves.push(leaf);
      if (part.units) {
        out.push(...(await readUnitFormRows(part, part.units, g, bytes, start, leaves, hits, keyLeaf, key ? keys!.filter((k) => sameBytes(k, key.value)) : undefined, helper)));
        continue;
      }
      const read = await readColumnsShared(bytes, start, leaves.map(ref), hits, helper);
      const values = new Map<number, unknown[]>(leaves.map((leaf, l) => [leaf, read[l]!]));
      if (key) values.set(keyLeaf, keys!.filter((k) => sameBytes(k, key.value)));
      const rows: Row[] = Array.from({ length: hits.length }, () => ({}));
      for (let leaf = 0; leaf < footer.leaves.length; leaf++) {
        const column = values.get(leaf);
        if (!column) continue;
        const name = footer.leaves[leaf]!.name;
        for (let i = 0; i < hits.length; i++) if (column[i] !== null) rows[i]![name] = column[i];
      }
      out.push(...rows);
    }
    return out;
  } finally {
    for (const buffer of held) giveBackReadBuffer(buffer);
    await file.close();
  }
}

/**
 * Rows `hits` of row group `g` of a file in the units form, as the part in
 * line form gives them: the line leaves and `__unit_row` at the hits, then
 * the unit leaves at the distinct unit rows those name, from the same row
 * group bytes; a line's own value of S wins where it is not null (a merged
 * file's line-form row groups). `leaves`: those not null in every row of the
 * group, the key's left out (its values at the hits are `keyValues`).
 */
async function readUnitFormRows(part: PartPages, units: UnitLayout, g: number, bytes: Uint8Array, start: number, leaves: readonly number[], hits: Int32Array, keyLeaf: number, keyValues: unknown[] | undefined, helper: ColumnReadHelper | undefined): Promise<Row[]> {
  const group = part.footer.rowGroups[g]!;
  const ref = (leaf: number): ColumnChunkRef => ({ leaf: part.footer.leaves[leaf]!, meta: group.columns[leaf]!, conversion: part.conversions[leaf]! });
  const lineLeaves = leaves.filter((leaf) => units.isUnitLeaf[leaf] === 0 && leaf !== units.unitRowLeaf);
  const unitLeaves = leaves.filter((leaf) => units.isUnitLeaf[leaf] === 1);
  const hasUnitRows = unitLeaves.length > 0 && leaves.includes(units.unitRowLeaf);
  // per hit: its unit row within the group (-1: none); unitIndex: its place among `unitRows`
  const unitRowOfHit = hasUnitRows ? unitRowsAt(bytes, start, ref(units.unitRowLeaf), hits, part.firstRows[g]!, group.numRows) : undefined;
  const { unitRows, unitIndex } = distinctUnitRows(unitRowOfHit, hits.length);
  const lineRead = await readColumnsShared(bytes, start, lineLeaves.map(ref), hits, helper);
  const unitRead = unitRows.length === 0 ? [] : await readColumnsShared(bytes, start, unitLeaves.map(ref), unitRows, helper);
  const own = new Map<number, unknown[]>(lineLeaves.map((leaf, l) => [leaf, lineRead[l]!]));
  if (keyValues) own.set(keyLeaf, keyValues);
  const ofUnits = new Map<number, unknown[]>(unitRows.length === 0 ? [] : unitLeaves.map((leaf, l) => [leaf, unitRead[l]!]));
  const rows: Row[] = Array.from({ length: hits.length }, () => ({}));
  for (let c = 0; c < units.names.length; c++) {
    const mine = own.get(units.ownLeaf[c]!);
    const theirs = ofUnits.get(units.unitLeaf[c]!);
    if (!mine && !theirs) continue;
    const name = units.names[c]!;
    for (let i = 0; i < hits.length; i++) {
      let v = mine ? mine[i] : null;
      if (v === null && theirs && unitIndex[i]! >= 0) v = theirs[unitIndex[i]!];
      if (v !== null) rows[i]![name] = v;
    }
  }
  return rows;
}

/** The distinct unit rows of `unitRowOfHit` (ascending) and each hit's index among them (-1: none). */
function distinctUnitRows(unitRowOfHit: Int32Array | undefined, hits: number): { unitRows: Int32Array; unitIndex: Int32Array } {
  const unitIndex = new Int32Array(hits).fill(-1);
  if (!unitRowOfHit) return { unitRows: new Int32Array(0), unitIndex };
  const sorted = unitRowOfHit.filter((r) => r >= 0).sort();
  let n = 0;
  for (let k = 0; k < sorted.length; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) sorted[n++] = sorted[k]!;
  const unitRows = sorted.subarray(0, n);
  for (let i = 0; i < hits; i++) {
    const r = unitRowOfHit[i]!;
    if (r < 0) continue;
    // binary search: a few hundred hits at most
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (unitRows[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    unitIndex[i] = lo;
  }
  return { unitRows, unitIndex };
}

/**
 * `__unit_row` at `rows` (ascending, within the row group) as rows of the
 * group (-1: null). Each page's levels and values are decoded whole up to
 * its last wanted row, as Numbers (file rows are below 2^53): a value of
 * DELTA_BINARY_PACKED is the sum of those before it, and a scan wants most
 * rows of the group. `bytes` hold the group's chunks from file offset
 * `base` on. A unit row outside the group is not the format
 * (src/parts/log-unit-columns.ts): DuckDB reads such a file.
 */
function unitRowsAt(bytes: Uint8Array, base: number, ref: ColumnChunkRef, rows: Int32Array, groupFirst: number, groupRows: number): Int32Array {
  if (ref.conversion !== 'int64') throw new UnsupportedPartError(`part pages: ${UNIT_ROW_COLUMN} is ${ref.conversion}`);
  const out = new Int32Array(rows.length).fill(-1);
  let dictionaryPage: { body: Uint8Array; size: number; entries: number } | undefined;
  let dictionary: Float64Array | undefined;
  let r = 0;
  for (const page of chunkPages(bytes, base, ref.meta, ref.leaf.name)) {
    if (r === rows.length) return out;
    if (page.firstRow < 0) {
      dictionaryPage = { body: page.body, size: page.size, entries: page.rows };
      dictionary = undefined;
      continue;
    }
    const pageEnd = page.firstRow + page.rows;
    if (rows[r]! >= pageEnd) continue;
    let last = r;
    while (last + 1 < rows.length && rows[last + 1]! < pageEnd) last++;
    const isDictionary = page.encoding === ValueEncoding.PLAIN_DICTIONARY || page.encoding === ValueEncoding.RLE_DICTIONARY;
    // the dictionary decoded (a copy) before the data page is decompressed: both use zstd's one transient buffer
    if (isDictionary && !dictionary) {
      if (!dictionaryPage) throw new Error(`part pages: column "${ref.leaf.name}" has dictionary-encoded values but no dictionary page`);
      dictionary = plainInt64Numbers(decompress(ref.meta.codec, dictionaryPage.body, dictionaryPage.size, true), 0, dictionaryPage.entries, ref.leaf.name);
    }
    const body = decompress(ref.meta.codec, page.body, page.size, true);
    // the page's rows up to the last wanted: their levels, then their values
    const upTo = rows[last]! - page.firstRow + 1;
    let present: Uint8Array | undefined;
    let pos = 0;
    if (ref.leaf.repetition === Repetition.OPTIONAL) {
      present = new Uint8Array(upTo);
      decodeHybrid(body, 4, 4 + readU32(body, 0), 1, present, upTo);
      pos = 4 + readU32(body, 0);
    }
    const count = present ? countOnes(present) : upTo;
    const values = int64PageNumbers(body, pos, page.encoding, count, dictionary, ref.leaf.name);
    // no null among them (a units-form row group): a row's value is at its own index
    placeUnitRows(values, count === upTo ? undefined : present, rows, r, last, page.firstRow, groupFirst, groupRows, out);
    r = last + 1;
  }
  if (r < rows.length) throw new Error(`part pages: column "${ref.leaf.name}" ends before row ${rows[r]}`);
  return out;
}

function countOnes(flags: Uint8Array): number {
  let n = 0;
  for (let k = 0; k < flags.length; k++) n += flags[k]!;
  return n;
}

/**
 * out[k] = the unit row (within the group) of rows[k], for k in [r, last]
 * (rows of the page starting at group row `pageFirst`): `values` are the
 * page's values from its first row on, one for each row `present` marks
 * (every row without it).
 */
function placeUnitRows(values: Float64Array, present: Uint8Array | undefined, rows: Int32Array, r: number, last: number, pageFirst: number, groupFirst: number, groupRows: number, out: Int32Array): void {
  // w: the index of page row p's value
  let w = 0;
  let p = 0;
  for (let k = r; k <= last; k++) {
    const local = rows[k]! - pageFirst;
    if (present) {
      for (; p < local; p++) w += present[p]!;
      if (present[local] === 0) continue;
    } else w = local;
    const row = values[w]! - groupFirst;
    if (!(row >= 0 && row < groupRows)) throw new UnsupportedPartError(`part pages: row ${groupFirst + rows[k]!} names unit row ${row + groupFirst}, outside its row group`);
    out[k] = row;
  }
}

/** The first `count` values of an INT64 page (values from `pos`) as Numbers, exact below 2^53. */
function int64PageNumbers(body: Uint8Array, pos: number, encoding: number, count: number, dictionary: Float64Array | undefined, name: string): Float64Array {
  switch (encoding) {
    case ValueEncoding.PLAIN:
      return plainInt64Numbers(body, pos, count, name);
    case ValueEncoding.DELTA_BINARY_PACKED:
      return deltaBinaryPackedNumbers(body, pos, count);
    case ValueEncoding.PLAIN_DICTIONARY:
    case ValueEncoding.RLE_DICTIONARY: {
      const keys = new Uint32Array(count);
      const bitWidth = body[pos]!;
      if (bitWidth > 0 && count > 0) decodeHybrid(body, pos + 1, body.length, bitWidth, keys, count);
      return dictionaryNumbers(keys, dictionary!, name);
    }
    default:
      throw new UnsupportedPartError(`part pages: value encoding ${encoding} of ${name}`);
  }
}

function dictionaryNumbers(keys: Uint32Array, dictionary: Float64Array, name: string): Float64Array {
  const out = new Float64Array(keys.length);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    if (key >= dictionary.length) throw new Error(`part pages: column "${name}" names dictionary entry ${key} of ${dictionary.length}`);
    out[k] = dictionary[key]!;
  }
  return out;
}

/** The `count` PLAIN INT64 values at bytes[pos…] as Numbers: the two halves, no BigInt. */
function plainInt64Numbers(bytes: Uint8Array, pos: number, count: number, name: string): Float64Array {
  if (pos + 8 * count > bytes.length) throw new Error(`part pages: column "${name}" holds fewer than ${count} values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getUint32(pos + 8 * i, true) + view.getInt32(pos + 8 * i + 4, true) * 2 ** 32;
  return out;
}

/**
 * The first `count` values of the DELTA_BINARY_PACKED stream at bytes[pos…]
 * as Numbers, for int64 columns whose values and deltas lie below 2^53
 * (row numbers): no BigInt per value (deltaBinaryPackedAt's way).
 */
function deltaBinaryPackedNumbers(bytes: Uint8Array, pos: number, count: number): Float64Array {
  const out = new Float64Array(count);
  if (count === 0) return out;
  const { state, miniblocks, perMiniblock, total, first } = deltaHeader(bytes, pos, 'DELTA_BINARY_PACKED');
  let value = Number(first);
  if (count > total) throw new Error(`part pages: DELTA_BINARY_PACKED holds ${total} values, ${count} wanted`);
  out[0] = value;
  let n = 1;
  while (n < count) {
    const minDelta = Number(BigInt.asIntN(64, unzigzag(readVarint(bytes, state))));
    const widths = state.pos;
    state.pos += miniblocks;
    if (state.pos > bytes.length) throw new Error('part pages: DELTA_BINARY_PACKED block ends early');
    for (let m = 0; m < miniblocks && n < count; m++) {
      const width = bytes[widths + m]!;
      if (width > NUMBER_SUM_WIDTH) throw new UnsupportedPartError(`part pages: DELTA_BINARY_PACKED width ${width} read as Numbers`);
      const take = Math.min(perMiniblock, count - n);
      value = addPackedDeltas(bytes, state.pos, width, take, value, minDelta, out, n);
      state.pos += (perMiniblock * width) / 8;
      n += take;
    }
  }
  if (!Number.isSafeInteger(value) || !Number.isSafeInteger(out[0]!)) throw new UnsupportedPartError('part pages: DELTA_BINARY_PACKED values beyond 2^53 read as Numbers');
  return out;
}

/** out[n + i] = the value before it + minDelta + the i-th packed delta (`width` bits, from bytes[at…]), for i < count; returns the last value. */
function addPackedDeltas(bytes: Uint8Array, at: number, width: number, count: number, value: number, minDelta: number, out: Float64Array, n: number): number {
  if (width > 24) {
    for (let i = 0; i < count; i++) out[n + i] = value += minDelta + packedAt(bytes, at * 8 + i * width, width);
    return value;
  }
  if (at + ((count * width + 7) >>> 3) + 3 >= bytes.length) {
    // near the end of the page: bytes past it read as 0
    for (let i = 0; i < count; i++) out[n + i] = value += minDelta + packedAt(bytes, at * 8 + i * width, width);
    return value;
  }
  const mask = (1 << width) - 1;
  for (let i = 0, bit = 0; i < count; i++, bit += width) {
    const byte = at + (bit >>> 3);
    // width + 7 ≤ 31 bits: four bytes hold the delta
    const word = bytes[byte]! | (bytes[byte + 1]! << 8) | (bytes[byte + 2]! << 16) | (bytes[byte + 3]! << 24);
    out[n + i] = value += minDelta + ((word >>> (bit & 7)) & mask);
  }
  return value;
}

/**
 * For rows `local` of a data page (ascending, relative to the page): each
 * one's index among the page's values (-1: null), the indexes of the
 * non-null ones, and where the values start (after the definition levels).
 */
function pageValueIndexes(page: Uint8Array, leaf: LeafSchema, local: Int32Array): { valueAt: Int32Array; indexes: Int32Array; pos: number } {
  let valueAt = local;
  let pos = 0;
  if (leaf.repetition === Repetition.OPTIONAL) {
    const levelBytes = readU32(page, 0);
    valueAt = new Int32Array(local.length);
    definedIndexes(page, 4, 4 + levelBytes, local, valueAt);
    pos = 4 + levelBytes;
  }
  let defined = 0;
  for (const v of valueAt) if (v >= 0) defined++;
  const indexes = new Int32Array(defined);
  defined = 0;
  for (const v of valueAt) if (v >= 0) indexes[defined++] = v;
  return { valueAt, indexes, pos };
}

/** A value test of scanRows: text holding `word` (lower case, ASCII) once lower-cased, or the integer `number`. */
export type ValueTest = { column: string; word: string } | { column: string; number: number };

/**
 * Whether bytes[from, to) may hold `word` (lower-case ASCII) once
 * lower-cased: the bytes as Latin-1 text, lower-cased and searched by V8's
 * own string code (a byte loop here cost ~2.5 ms a chunk). No Latin-1
 * character lower-cases to an ASCII letter, so ASCII matches are exactly
 * those of the bytes; also true wherever a character lies whose lower case
 * holds ASCII letters (U+0130 'İ', bytes C4 B0; U+212A KELVIN SIGN, E2 84
 * AA). A superset: the rows of a page it answers true for are tested one by
 * one.
 */
function mayHoldWord(bytes: Uint8Array, from: number, to: number, word: string): boolean {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
  return text.toLowerCase().includes(word) || text.includes('\u00c4\u00b0') || text.includes('\u00e2\u0084\u00aa');
}

/** The data pages of a column chunk, in order, each with its first row; the dictionary page, if any, first (firstRow -1). */
function* chunkPages(bytes: Uint8Array, base: number, meta: ColumnMetaData, name: string): Generator<{ firstRow: number; rows: number; encoding: number; body: Uint8Array; size: number }> {
  let at = chunkStartOffset(meta) - base;
  const end = at + meta.totalBytes;
  let firstRow = 0;
  while (at < end) {
    const reader = new ThriftCompactReader(bytes, at);
    const header = reader.struct();
    const size = num(header.get(2), 'uncompressed_page_size');
    const stored = num(header.get(3), 'compressed_page_size');
    const body = bytes.subarray(reader.offset, reader.offset + stored);
    at = reader.offset + stored;
    const type = header.get(1);
    if (type === PageType.DICTIONARY_PAGE) {
      const h = header.get(7) as Struct;
      const encoding = num(h.get(2), 'dictionary encoding');
      if (encoding !== ValueEncoding.PLAIN && encoding !== ValueEncoding.PLAIN_DICTIONARY) throw new UnsupportedPartError(`part pages: dictionary encoding ${encoding}`);
      yield { firstRow: -1, rows: num(h.get(1), 'dictionary num_values'), encoding, body, size };
      continue;
    }
    if (type === PageType.DATA_PAGE_V2) throw new UnsupportedPartError('part pages: v2 data pages');
    if (type !== PageType.DATA_PAGE) continue;
    const h = header.get(5) as Struct;
    const rows = num(h.get(1), 'num_values');
    yield { firstRow, rows, encoding: num(h.get(2), 'encoding'), body, size };
    firstRow += rows;
  }
  if (at !== end) throw new Error(`part pages: column "${name}" overruns its chunk`);
}

/**
 * Rows [from, to) of a row group (relative to it) whose text value in this
 * column chunk holds `word` once lower-cased (JavaScript's toLowerCase, then
 * a substring test: DuckDB's `contains(lower(x), word)`, whose lower() maps
 * 'İ' to 'i'), into `out`. A page
 * is decompressed only when the dictionary has an entry that may hold the
 * word, and its values decoded only when its bytes may hold it: a rare word
 * costs the dictionaries and a byte scan of the plain pages.
 */
function scanWord(bytes: Uint8Array, base: number, c: ColumnChunkRef, from: number, to: number, word: WordBytes, out: Uint8Array): void {
  const holds = (v: unknown): boolean => {
    if (typeof v !== 'string') return false;
    const lower = v.toLowerCase();
    // 'İ' lower-cases to "i̇" here, to 'i' in DuckDB: either counts
    return lower.includes(word.word) || (v.includes('\u0130') && lower.replaceAll('i\u0307', 'i').includes(word.word));
  };
  let dictionaryHits: Uint8Array | undefined;
  let anyDictionaryHit = false;
  for (const page of chunkPages(bytes, base, c.meta, c.leaf.name)) {
    if (page.firstRow < 0) {
      const body = decompress(c.meta.codec, page.body, page.size, true);
      dictionaryHits = dictionaryEntriesHolding(body, page.rows, word, holds);
      anyDictionaryHit = dictionaryHits.includes(1);
      continue;
    }
    const pageEnd = page.firstRow + page.rows;
    if (pageEnd <= from || page.firstRow >= to) continue;
    const dictionary = page.encoding === ValueEncoding.PLAIN_DICTIONARY || page.encoding === ValueEncoding.RLE_DICTIONARY;
    if (dictionary && !anyDictionaryHit) continue;
    if (!dictionary && page.encoding !== ValueEncoding.PLAIN && page.encoding !== ValueEncoding.DELTA_LENGTH_BYTE_ARRAY) throw new UnsupportedPartError(`part pages: text value encoding ${page.encoding}`);
    const body = decompress(c.meta.codec, page.body, page.size, true);
    // where the word lies in the values' bytes: undefined when only decoded values tell
    const starts = dictionary ? undefined : word.startsIn(body, c.leaf.repetition === Repetition.OPTIONAL ? 4 + readU32(body, 0) : 0, body.length);
    if (starts?.length === 0) continue;
    // the page's rows in [from, to)
    const first = Math.max(from, page.firstRow);
    const local = new Int32Array(Math.min(to, pageEnd) - first);
    for (let k = 0; k < local.length; k++) local[k] = first + k - page.firstRow;
    const { valueAt, indexes, pos } = pageValueIndexes(body, c.leaf, local);
    if (indexes.length === 0) continue;
    let hit: (k: number) => boolean;
    if (dictionary) {
      const keys = new Int32Array(indexes.length);
      const bitWidth = body[pos]!;
      if (bitWidth > 0) hybridValuesAt(body, pos + 1, body.length, bitWidth, indexes, keys);
      hit = (k) => dictionaryHits?.[keys[k]!] === 1;
    } else {
      const decode = (at: Int32Array): unknown[] => (page.encoding === ValueEncoding.DELTA_LENGTH_BYTE_ARRAY ? deltaLengthValuesAt(body, pos, c.leaf, c.conversion, at) : plainValuesAt(body, pos, c.leaf, c.conversion, at));
      if (starts === undefined) {
        const values = decode(indexes);
        hit = (k) => holds(values[k]);
      } else {
        // only the values a match lies in are decoded and tested (wanted: a subset of indexes, both ascending)
        const wanted = Int32Array.from(intersectSorted(valuesHoldingStarts(body, pos, page.encoding, starts, word.bytes.length), indexes));
        const wantedValues = decode(wanted);
        const held = new Uint8Array(indexes.length);
        for (let k = 0, w = 0; w < wanted.length; k++) {
          if (indexes[k] !== wanted[w]) continue;
          if (holds(wantedValues[w])) held[k] = 1;
          w++;
        }
        hit = (k) => held[k] === 1;
      }
    }
    for (let k = 0, w = 0; k < valueAt.length; k++) if (valueAt[k]! >= 0 && hit(w++)) out[first + k - from] = 1;
  }
}

/**
 * Which entries of a PLAIN dictionary body hold the word (`holds` on the
 * decoded entry): where the byte search tells, only the entries a match lies
 * in are decoded; else each entry's bytes are searched first.
 */
function dictionaryEntriesHolding(body: Uint8Array, entries: number, word: WordBytes, holds: (v: unknown) => boolean): Uint8Array {
  const hits = new Uint8Array(entries);
  const starts = word.startsIn(body, 0, body.length);
  if (starts?.length === 0) return hits;
  for (let i = 0, at = 0, s = 0; i < entries; i++) {
    const length = readU32(body, at);
    const valueStart = at + 4;
    at = valueStart + length;
    let may: boolean;
    if (starts === undefined) may = mayHoldWord(body, valueStart, at, word.word);
    else {
      while (s < starts.length && starts[s]! < valueStart) s++;
      if (s === starts.length) break;
      may = starts[s]! + word.bytes.length <= at;
    }
    if (may && holds(utf8.decode(body.subarray(valueStart, at)))) hits[i] = 1;
  }
  return hits;
}

/**
 * Indexes of the PLAIN or DELTA_LENGTH_BYTE_ARRAY byte array values of a
 * page body (values from `pos`) that hold one of `starts` (absolute offsets
 * of a match of `length` bytes, ascending), ascending.
 */
function valuesHoldingStarts(body: Uint8Array, pos: number, encoding: number, starts: readonly number[], length: number): Int32Array {
  const out: number[] = [];
  let s = 0;
  const take = (i: number, valueStart: number, valueEnd: number): boolean => {
    while (s < starts.length && starts[s]! < valueStart) s++;
    if (s === starts.length) return false;
    if (starts[s]! + length <= valueEnd) out.push(i);
    return true;
  };
  if (encoding === ValueEncoding.DELTA_LENGTH_BYTE_ARRAY) {
    const { lengths, end } = deltaLengths(body, pos);
    for (let i = 0, at = end; i < lengths.length && take(i, at, at + lengths[i]!); i++) at += lengths[i]!;
  } else {
    for (let i = 0, at = pos; at + 4 <= body.length; i++) {
      const valueEnd = at + 4 + readU32(body, at);
      if (!take(i, at + 4, valueEnd)) break;
      at = valueEnd;
    }
  }
  return Int32Array.from(out);
}

/** Values in both ascending arrays. */
export function intersectSorted(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i]! < b[j]!) i++;
    else if (a[i]! > b[j]!) j++;
    else {
      out.push(a[i]!);
      i++;
      j++;
    }
  }
  return out;
}

/**
 * The byte range holding all of `chunks`, to read in one call, or undefined
 * where it holds much else too (each chunk is then read alone): a log part's
 * row group of 32 Ki rows is ~600 KB, and a search's test of a candidate
 * chunk reads most of its text columns, where one read each cost ~0.1 ms.
 */
function testedSpan(chunks: readonly ColumnMetaData[]): { start: number; bytes: number } | undefined {
  if (chunks.length === 0) return undefined;
  let start = Infinity;
  let end = 0;
  let sum = 0;
  for (const meta of chunks) {
    const at = chunkStartOffset(meta);
    start = Math.min(start, at);
    end = Math.max(end, at + meta.totalBytes);
    sum += meta.totalBytes;
  }
  return end - start <= Math.max(2 * sum, 1 << 20) ? { start, bytes: end - start } : undefined;
}

function readFully(file: number, bytes: Uint8Array, position: number, path: string): void {
  const bytesRead = readSync(file, bytes, 0, bytes.length, position);
  if (bytesRead !== bytes.length) throw new Error(`part pages: ${path} ends early`);
}

/** Marks hit[k] for the rows from + k of the chunk (bytes from file offset `start`) whose value passes `test`. */
function testChunk(bytes: Uint8Array, start: number, ref: ColumnChunkRef, test: ValueTest, word: WordBytes | undefined, from: number, to: number, hit: Uint8Array): void {
  if ('word' in test) {
    if (ref.conversion !== 'string') throw new UnsupportedPartError(`part pages: text test of a ${ref.conversion} column`);
    scanWord(bytes, start, ref, from, to, word!, hit);
    return;
  }
  const rows = new Int32Array(to - from);
  for (let k = 0; k < rows.length; k++) rows[k] = from + k;
  const values = readColumnValues(bytes, start, [ref], rows)[0]!;
  const wanted = ref.conversion === 'int64' ? BigInt(test.number) : test.number;
  for (let k = 0; k < values.length; k++) if (values[k] === wanted) hit[k] = 1;
}

/**
 * File rows in [first, last] of `part` where at least one of `tests` passes,
 * ascending: a log search's cheap word test (src/query/logs/log-search.ts)
 * without DuckDB. A test of a column the file lacks passes nowhere. Tests
 * name columns as a part in line form stores them: where the file stores S
 * once per unit (`S::unit`), a line passes where its own S passes or the
 * unit row its `__unit_row` names passes (each unit row tested once, then
 * one pass over `__unit_row`, only in row groups where a unit row passed).
 * Throws UnsupportedPartError for what this reader does not read (the
 * search then asks DuckDB).
 */
export async function scanRows(part: PartPages, first: number, last: number, tests: readonly ValueTest[]): Promise<number[]> {
  const { footer, units } = part;
  await loadZstd();
  // synchronous: a few reads of one row group each, from files the page cache holds; each promise round trip cost more CPU than the read
  const file = openSync(part.path, 'r');
  const out: number[] = [];
  // each test's column, found once for every row group
  const leafOf = tests.map((test) => footer.leaves.findIndex((l) => l.name === test.column));
  const unitLeafOf = tests.map((test) => units?.unitLeafOf.get(test.column) ?? -1);
  const words = tests.map((test) => ('word' in test ? new WordBytes(test.word) : undefined));
  try {
    for (let g = 0; g < footer.rowGroups.length; g++) {
      const group = footer.rowGroups[g]!;
      const groupFirst = part.firstRows[g]!;
      const from = Math.max(first, groupFirst) - groupFirst;
      const to = Math.min(last + 1, groupFirst + group.numRows) - groupFirst;
      if (from >= to) continue;
      const hit = new Uint8Array(to - from);
      const tested = testedColumns(part, g, tests, leafOf);
      // a line-form row group of a merged file has no unit row
      const unitTested = units && hasValues(group, units.unitRowLeaf) ? testedColumns(part, g, tests, unitLeafOf) : [];
      // `__unit_row` is read only where a unit row passes: alone, unless it lies in the span
      const span = testedSpan([...tested, ...unitTested].map((t) => group.columns[t.leaf]!));
      const buffer = span ? takeReadBuffer(span.bytes) : undefined;
      try {
        if (span) readFully(file, buffer!.subarray(0, span.bytes), span.start, part.path);
        /** `use` on bytes holding the leaf's chunk (from file offset `start`): the span's, or the chunk read alone */
        const withChunk = <T>(leaf: number, use: (bytes: Uint8Array, start: number) => T): T => {
          const meta = group.columns[leaf]!;
          if (span && chunkStartOffset(meta) >= span.start && chunkStartOffset(meta) + meta.totalBytes <= span.start + span.bytes) return use(buffer!.subarray(0, span.bytes), span.start);
          const own = takeReadBuffer(meta.totalBytes);
          try {
            const bytes = own.subarray(0, meta.totalBytes);
            readFully(file, bytes, chunkStartOffset(meta), part.path);
            return use(bytes, chunkStartOffset(meta));
          } finally {
            giveBackReadBuffer(own);
          }
        };
        const ref = (leaf: number): ColumnChunkRef => ({ leaf: footer.leaves[leaf]!, meta: group.columns[leaf]!, conversion: part.conversions[leaf]! });
        for (const { t, leaf } of tested) withChunk(leaf, (bytes, start) => testChunk(bytes, start, ref(leaf), tests[t]!, words[t], from, to, hit));
        if (unitTested.length > 0) {
          // per line of [from, to), its unit row: read once, where a unit row passed
          let unitRows: Int32Array | undefined;
          const markLines = (unitHit: Uint8Array, ownValue: Uint8Array | undefined): void => {
            if (!unitHit.includes(1)) return;
            unitRows ??= withChunk(units!.unitRowLeaf, (bytes, start) => unitRowsAt(bytes, start, ref(units!.unitRowLeaf), rowsFrom(from, to), groupFirst, group.numRows));
            markLinesOfUnits(unitRows, unitHit, ownValue, hit);
          };
          // unit rows of the whole group (a line in [from, to) may name any of them), each tested once
          const unitHit = new Uint8Array(group.numRows);
          for (const { t, leaf } of unitTested) {
            const ownLeaf = leafOf[t]!;
            if (ownLeaf < 0 || !hasValues(group, ownLeaf)) {
              withChunk(leaf, (bytes, start) => testChunk(bytes, start, ref(leaf), tests[t]!, words[t], 0, group.numRows, unitHit));
              continue;
            }
            // S and S::unit both hold values here (no merge writes that, the format allows it): a line's own S decides where it has one
            const own = new Uint8Array(group.numRows);
            withChunk(leaf, (bytes, start) => testChunk(bytes, start, ref(leaf), tests[t]!, words[t], 0, group.numRows, own));
            markLines(own, withChunk(ownLeaf, (bytes, start) => rowsWithValues(bytes, start, ref(ownLeaf), from, to)));
          }
          markLines(unitHit, undefined);
        }
      } finally {
        if (buffer) giveBackReadBuffer(buffer);
      }
      for (let k = 0; k < hit.length; k++) if (hit[k]) out.push(groupFirst + from + k);
    }
    return out;
  } finally {
    closeSync(file);
  }
}

function hasValues(group: ParquetFooter['rowGroups'][number], leaf: number): boolean {
  return group.columns[leaf]!.statistics.nullCount !== group.numRows;
}

/** The tests whose column (`leafOf`, -1: none) holds values in row group g, with that leaf. */
function testedColumns(part: PartPages, g: number, tests: readonly ValueTest[], leafOf: readonly number[]): { t: number; leaf: number }[] {
  const group = part.footer.rowGroups[g]!;
  const out: { t: number; leaf: number }[] = [];
  for (let t = 0; t < tests.length; t++) {
    const leaf = leafOf[t]!;
    if (leaf < 0 || !hasValues(group, leaf)) continue;
    if (!part.conversions[leaf] || part.footer.leaves[leaf]!.repetition > Repetition.OPTIONAL) throw new UnsupportedPartError(`part pages: column "${part.footer.leaves[leaf]!.name}" of a type read otherwise by DuckDB`);
    out.push({ t, leaf });
  }
  return out;
}

/** Rows from … to - 1. */
function rowsFrom(from: number, to: number): Int32Array {
  const rows = new Int32Array(to - from);
  for (let k = 0; k < rows.length; k++) rows[k] = from + k;
  return rows;
}

/** Marks hit[k] where unitRows[k] (a line's unit row in its group, -1: none) is marked in unitHit and the line has no own value (ownValue[k], if given). */
function markLinesOfUnits(unitRows: Int32Array, unitHit: Uint8Array, ownValue: Uint8Array | undefined, hit: Uint8Array): void {
  for (let k = 0; k < unitRows.length; k++) {
    const u = unitRows[k]!;
    if (u >= 0 && unitHit[u] === 1 && ownValue?.[k] !== 1) hit[k] = 1;
  }
}

/** 1 for each row from + k (< to) of the chunk that holds a value: its definition levels alone. */
function rowsWithValues(bytes: Uint8Array, base: number, ref: ColumnChunkRef, from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from);
  for (const page of chunkPages(bytes, base, ref.meta, ref.leaf.name)) {
    if (page.firstRow < 0) continue;
    const first = Math.max(from, page.firstRow);
    const end = Math.min(to, page.firstRow + page.rows);
    if (first >= end) continue;
    const local = new Int32Array(end - first);
    for (let k = 0; k < local.length; k++) local[k] = first + k - page.firstRow;
    const { valueAt } = pageValueIndexes(decompress(ref.meta.codec, page.body, page.size, true), ref.leaf, local);
    for (let k = 0; k < valueAt.length; k++) if (valueAt[k]! >= 0) out[first - from + k] = 1;
  }
  return out;
}
