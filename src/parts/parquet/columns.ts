// Input columns as callers give them, and their normalized form for the whole
// file: int32 widened, a byte view over fixed-width values, string nulls as
// a null mask, and whether the column needs definition levels at all.

import { type LeafSchema, PhysicalType, Repetition } from './metadata.js';
import { firstEqualEntries } from './strings.js';

export type ParquetColumn =
  /** nulls[i] = 1 → null; absent → no nulls */
  | { name: string; kind: 'int64'; values: BigInt64Array; nulls?: Uint8Array }
  /** Uint8Array and Uint32Array values are widened; a Uint32 value ≥ 2^31 is an error. */
  | { name: string; kind: 'int32'; values: Int32Array | Uint32Array | Uint8Array; nulls?: Uint8Array }
  | { name: string; kind: 'double'; values: Float64Array; nulls?: Uint8Array }
  /** 0 = false, anything else = true */
  | { name: string; kind: 'boolean'; values: Uint8Array; nulls?: Uint8Array }
  /** undefined → null; written as UTF-8 with the STRING logical type */
  | { name: string; kind: 'string'; values: ReadonlyArray<string | undefined> }
  /** FIXED_LEN_BYTE_ARRAY(16 | 8); values packed width × rows */
  | { name: string; kind: 'fixed16' | 'fixed8'; values: Uint8Array; nulls?: Uint8Array }
  /**
   * Strings already UTF-8 encoded: `entries` holds PLAIN byte arrays (`u32
   * length, bytes` each; entry e starts at entryStarts[e], entryStarts has one
   * more element, the end), and row i holds entry indices[i]. Written as a
   * dictionary of the entries the rows use, or PLAIN when every row uses its
   * own; no JS string is made (src/parts/sorted-run.ts regroups staging-file
   * bytes with it). `distinctEntries`: no two entries have equal bytes (the
   * caller merged them); without it the writer merges them once per column,
   * so equal entries still become one dictionary entry. `ownEntries`: each
   * row with a value has an entry of its own, in row order (a span's events
   * as JSON): written PLAIN as they are, equal ones not merged — hashing
   * every byte of them found nothing to merge. `binary`: bytes rather than
   * text, written without the STRING logical type (a BLOB).
   */
  | { name: string; kind: 'string-entries'; entries: Uint8Array; entryStarts: Uint32Array; indices: Uint32Array; nulls?: Uint8Array; distinctEntries?: boolean; ownEntries?: boolean; binary?: boolean };

export type ParquetColumnKind = ParquetColumn['kind'];

interface PreparedBase {
  name: string;
  /** undefined when the column has no null row in the file */
  nulls: Uint8Array | undefined;
  /**
   * OPTIONAL (pages carry definition levels): a column with a null row, or
   * every column when asked (ColumnFileOptions.allOptional); else REQUIRED.
   */
  optional: boolean;
  /**
   * A sparse chunk compacted to its rows with a value (sparse-chunk.ts): the
   * column holds their values alone, without nulls; its pages describe
   * these rows.
   */
  presentRows?: PresentRows;
}

/** Of a chunk of `rows` rows, the offsets from its first row of those with a value, ascending. */
export interface PresentRows {
  rows: number;
  offsets: Int32Array;
  /**
   * The chunk is every row of a string-entries column (`indices` no longer):
   * an uncompressed file's chunk then writes the column's entries as they
   * are (column-chunk.ts encodeWholeStringEntries), as the rows would.
   */
  wholeColumn: boolean;
}

export type PreparedColumn =
  | (PreparedBase & { kind: 'int64'; values: BigInt64Array; bytes: Uint8Array; width: 8 })
  | (PreparedBase & { kind: 'int32'; values: Int32Array; bytes: Uint8Array; width: 4 })
  | (PreparedBase & { kind: 'double'; values: Float64Array; bytes: Uint8Array; width: 8 })
  | (PreparedBase & { kind: 'fixed16' | 'fixed8'; bytes: Uint8Array; width: 16 | 8 })
  | (PreparedBase & { kind: 'boolean'; values: Uint8Array })
  | (PreparedBase & { kind: 'string'; values: ReadonlyArray<string | undefined> })
  /** indices name no two entries of equal bytes (merged when preparing); `distinct`: neither do the entries themselves */
  | (PreparedBase & { kind: 'string-entries'; entries: Uint8Array; entryStarts: Uint32Array; indices: Uint32Array; distinct: boolean; binary: boolean });

const INT32_MAX = 0x7fffffff;

/** `optional`: OPTIONAL (definition levels) even without a null row. */
export function prepareColumn(column: ParquetColumn, rowCount: number, optional = false): PreparedColumn {
  const prepared = prepareRequiredWhereNoNull(column, rowCount);
  // without a null row the levels are one run per page: no mask to read
  if (optional) prepared.optional = true;
  return prepared;
}

function prepareRequiredWhereNoNull(column: ParquetColumn, rowCount: number): PreparedColumn {
  const name = column.name;
  if (column.kind === 'string') {
    requireLength(name, 'values', column.values.length, rowCount);
    const nulls = stringNulls(column.values, rowCount);
    return { name, kind: 'string', values: column.values, nulls, optional: nulls !== undefined };
  }
  if (column.nulls !== undefined) requireLength(name, 'nulls', column.nulls.length, rowCount);
  const nulls = column.nulls !== undefined && hasNull(column.nulls, rowCount) ? column.nulls : undefined;
  const optional = nulls !== undefined;
  switch (column.kind) {
    case 'int64':
      requireLength(name, 'values', column.values.length, rowCount);
      return { name, kind: 'int64', values: column.values, bytes: byteView(column.values), width: 8, nulls, optional };
    case 'double':
      requireLength(name, 'values', column.values.length, rowCount);
      return { name, kind: 'double', values: column.values, bytes: byteView(column.values), width: 8, nulls, optional };
    case 'int32': {
      requireLength(name, 'values', column.values.length, rowCount);
      const values = widenInt32(name, column.values, rowCount, nulls);
      return { name, kind: 'int32', values, bytes: byteView(values), width: 4, nulls, optional };
    }
    case 'boolean':
      requireLength(name, 'values', column.values.length, rowCount);
      return { name, kind: 'boolean', values: column.values, nulls, optional };
    case 'string-entries':
      requireLength(name, 'indices', column.indices.length, rowCount);
      if (column.entryStarts.length < 1 || column.entryStarts[column.entryStarts.length - 1]! > column.entries.length) {
        throw new Error(`parquet: column "${name}" entryStarts must end with the byte length of its entries`);
      }
      return {
        name,
        kind: 'string-entries',
        entries: column.entries,
        entryStarts: column.entryStarts,
        indices: column.distinctEntries || column.ownEntries ? column.indices : distinctIndices(column),
        distinct: column.distinctEntries === true,
        binary: column.binary === true,
        nulls,
        optional,
      };
    case 'fixed16':
    case 'fixed8': {
      const width = column.kind === 'fixed16' ? 16 : 8;
      requireLength(name, 'values', column.values.length, rowCount * width);
      return { name, kind: column.kind, bytes: column.values, width, nulls, optional };
    }
  }
}

export function leafSchema(column: PreparedColumn): LeafSchema {
  const repetition = column.optional ? Repetition.OPTIONAL : Repetition.REQUIRED;
  const leaf: LeafSchema = { name: column.name, type: physicalType(column.kind), repetition, utf8: column.kind === 'string' || (column.kind === 'string-entries' && !column.binary) };
  if (column.kind === 'fixed16' || column.kind === 'fixed8') leaf.typeLength = column.width;
  return leaf;
}

export function physicalType(kind: ParquetColumnKind): PhysicalType {
  switch (kind) {
    case 'int64':
      return PhysicalType.INT64;
    case 'int32':
      return PhysicalType.INT32;
    case 'double':
      return PhysicalType.DOUBLE;
    case 'boolean':
      return PhysicalType.BOOLEAN;
    case 'string':
    case 'string-entries':
      return PhysicalType.BYTE_ARRAY;
    case 'fixed16':
    case 'fixed8':
      return PhysicalType.FIXED_LEN_BYTE_ARRAY;
  }
}

function requireLength(column: string, what: string, length: number, needed: number): void {
  if (length < needed) {
    throw new Error(`parquet: column "${column}" has ${length} ${what} entries, needs at least ${needed}`);
  }
}

/**
 * Whether a row of the first `rowCount` is null. Four rows at a time where the
 * mask lines up: the masks of the head's resource attribute columns have no
 * null and are read to their end (docs/storage.md, session 15).
 */
function hasNull(nulls: Uint8Array, rowCount: number): boolean {
  const head = Math.min(rowCount, (4 - (nulls.byteOffset & 3)) & 3);
  if (anyNonZero(nulls, 0, head)) return true;
  const words = new Int32Array(nulls.buffer, nulls.byteOffset + head, (rowCount - head) >>> 2);
  return anyNonZeroWord(words) || anyNonZero(nulls, head + words.length * 4, rowCount);
}

function anyNonZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return true;
  return false;
}

function anyNonZeroWord(words: Int32Array): boolean {
  for (let w = 0; w < words.length; w++) if (words[w] !== 0) return true;
  return false;
}

function stringNulls(values: ReadonlyArray<string | undefined>, rowCount: number): Uint8Array | undefined {
  let nulls: Uint8Array | undefined;
  for (let i = 0; i < rowCount; i++) {
    if (values[i] !== undefined) continue;
    nulls ??= new Uint8Array(rowCount);
    nulls[i] = 1;
  }
  return nulls;
}

function widenInt32(column: string, values: Int32Array | Uint32Array | Uint8Array, rowCount: number, nulls: Uint8Array | undefined): Int32Array {
  if (values instanceof Int32Array) return values;
  if (values instanceof Uint8Array) return Int32Array.from(values.subarray(0, rowCount));
  for (let i = 0; i < rowCount; i++) {
    if (values[i]! > INT32_MAX && (nulls === undefined || nulls[i] === 0)) {
      throw new Error(`parquet: column "${column}" row ${i} holds ${values[i]}, above INT32 max`);
    }
  }
  return new Int32Array(values.buffer, values.byteOffset, values.length);
}

function byteView(values: BigInt64Array | Float64Array | Int32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** The rows' entry indices with entries of equal bytes merged into the first of them. */
function distinctIndices(column: Extract<ParquetColumn, { kind: 'string-entries' }>): Uint32Array {
  const entryCount = column.entryStarts.length - 1;
  if (entryCount < 2) return column.indices;
  const canonical = firstEqualEntries(column.entries, column.entryStarts, entryCount);
  return column.indices.map((e) => (e < entryCount ? canonical[e]! : e));
}
