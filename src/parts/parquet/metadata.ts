// Parquet footer structs (parquet.thrift) and their compact encoding. Only
// the fields the writer uses exist here; docs/format/parquet-writer.md says
// why each is written.

import { CompactType, ThriftCompactWriter } from './thrift-compact.js';
import { CompressionCodec } from './compression.js';

export const PhysicalType = {
  BOOLEAN: 0,
  INT32: 1,
  INT64: 2,
  DOUBLE: 5,
  BYTE_ARRAY: 6,
  FIXED_LEN_BYTE_ARRAY: 7,
} as const;
export type PhysicalType = (typeof PhysicalType)[keyof typeof PhysicalType];

export const Repetition = { REQUIRED: 0, OPTIONAL: 1 } as const;
export type Repetition = (typeof Repetition)[keyof typeof Repetition];

export const Encoding = { PLAIN: 0, RLE: 3, DELTA_BINARY_PACKED: 5, DELTA_LENGTH_BYTE_ARRAY: 6, RLE_DICTIONARY: 8 } as const;
export type Encoding = (typeof Encoding)[keyof typeof Encoding];

const CONVERTED_TYPE_UTF8 = 0;
const FORMAT_VERSION = 1;
const ROOT_NAME = 'schema';
const MAX_I16 = 0x7fff;

export interface LeafSchema {
  name: string;
  type: PhysicalType;
  /** FIXED_LEN_BYTE_ARRAY width in bytes. */
  typeLength?: number;
  repetition: Repetition;
  /** BYTE_ARRAY holding UTF-8: annotated STRING (and legacy UTF8). */
  utf8: boolean;
}

export interface Statistics {
  nullCount: number;
  /** PLAIN-encoded bounds (strings: raw bytes without length prefix). */
  minValue?: Uint8Array;
  maxValue?: Uint8Array;
  /** DOUBLE only: readers may then rely on "no NaN" when it is 0. */
  nanCount?: number;
}

export interface ColumnMetaData {
  type: PhysicalType;
  encodings: readonly Encoding[];
  path: string;
  numValues: number;
  /** bytes of all pages, headers included, as stored */
  totalBytes: number;
  /** the same with page bodies uncompressed; totalBytes when not given */
  totalUncompressedBytes?: number;
  /** UNCOMPRESSED when not given */
  codec?: CompressionCodec;
  dataPageOffset: number;
  dictionaryPageOffset?: number;
  statistics: Statistics;
}

/**
 * File offset of a column chunk's first page: its dictionary page when it has
 * one (some writers record 0 or an offset past the data pages for none).
 */
export function chunkStartOffset(chunk: ColumnMetaData): number {
  const dictionary = chunk.dictionaryPageOffset;
  return dictionary !== undefined && dictionary > 0 && dictionary < chunk.dataPageOffset ? dictionary : chunk.dataPageOffset;
}

export interface RowGroup {
  columns: readonly ColumnMetaData[];
  numRows: number;
  /** Offset of the group's first page. */
  fileOffset: number;
  /** as stored */
  totalBytes: number;
  /** page bodies uncompressed; totalBytes when not given */
  totalUncompressedBytes?: number;
  ordinal: number;
}

export interface FileMetaData {
  leaves: readonly LeafSchema[];
  numRows: number;
  rowGroups: readonly RowGroup[];
  keyValueMetadata: ReadonlyArray<readonly [string, string]>;
  createdBy: string;
}

/**
 * FileMetaData
 *   1 version i32 · 2 schema list<SchemaElement> · 3 num_rows i64
 *   4 row_groups list<RowGroup> · 5 key_value_metadata list<KeyValue>
 *   6 created_by string · 7 column_orders list<ColumnOrder>
 */
export function encodeFileMetaData(meta: FileMetaData): Uint8Array {
  const w = new ThriftCompactWriter();
  w.structBegin();
  w.i32Field(1, FORMAT_VERSION);
  w.listField(2, CompactType.STRUCT, meta.leaves.length + 1);
  writeRootSchema(w, meta.leaves.length);
  for (const leaf of meta.leaves) writeLeafSchema(w, leaf);
  w.i64Field(3, meta.numRows);
  w.listField(4, CompactType.STRUCT, meta.rowGroups.length);
  for (const group of meta.rowGroups) writeRowGroup(w, group);
  if (meta.keyValueMetadata.length > 0) {
    w.listField(5, CompactType.STRUCT, meta.keyValueMetadata.length);
    for (const [key, value] of meta.keyValueMetadata) {
      // KeyValue: 1 key string · 2 value string
      w.structBegin();
      w.stringField(1, key);
      w.stringField(2, value);
      w.structEnd();
    }
  }
  w.stringField(6, meta.createdBy);
  w.listField(7, CompactType.STRUCT, meta.leaves.length);
  for (let i = 0; i < meta.leaves.length; i++) {
    // ColumnOrder union: 1 TYPE_ORDER TypeDefinedOrder (empty struct)
    w.structBegin();
    w.structField(1);
    w.structEnd();
    w.structEnd();
  }
  w.structEnd();
  return w.finish();
}

/** SchemaElement (root): 4 name string · 5 num_children i32 */
function writeRootSchema(w: ThriftCompactWriter, children: number): void {
  w.structBegin();
  w.stringField(4, ROOT_NAME);
  w.i32Field(5, children);
  w.structEnd();
}

/**
 * SchemaElement (leaf)
 *   1 type Type · 2 type_length i32 · 3 repetition_type FieldRepetitionType
 *   4 name string · 6 converted_type ConvertedType · 10 logicalType LogicalType
 */
function writeLeafSchema(w: ThriftCompactWriter, leaf: LeafSchema): void {
  w.structBegin();
  w.i32Field(1, leaf.type);
  if (leaf.typeLength !== undefined) w.i32Field(2, leaf.typeLength);
  w.i32Field(3, leaf.repetition);
  w.stringField(4, leaf.name);
  if (leaf.utf8) {
    w.i32Field(6, CONVERTED_TYPE_UTF8);
    // LogicalType union: 1 STRING StringType (empty struct)
    w.structField(10);
    w.structField(1);
    w.structEnd();
    w.structEnd();
  }
  w.structEnd();
}

/**
 * RowGroup
 *   1 columns list<ColumnChunk> · 2 total_byte_size i64 · 3 num_rows i64
 *   5 file_offset i64 · 6 total_compressed_size i64 · 7 ordinal i16
 */
function writeRowGroup(w: ThriftCompactWriter, group: RowGroup): void {
  w.structBegin();
  w.listField(1, CompactType.STRUCT, group.columns.length);
  for (const column of group.columns) writeColumnChunk(w, column);
  w.i64Field(2, group.totalUncompressedBytes ?? group.totalBytes);
  w.i64Field(3, group.numRows);
  w.i64Field(5, group.fileOffset);
  w.i64Field(6, group.totalBytes);
  if (group.ordinal <= MAX_I16) w.i16Field(7, group.ordinal);
  w.structEnd();
}

/** ColumnChunk: 2 file_offset i64 (first page of the chunk) · 3 meta_data ColumnMetaData */
function writeColumnChunk(w: ThriftCompactWriter, column: ColumnMetaData): void {
  w.structBegin();
  w.i64Field(2, column.dictionaryPageOffset ?? column.dataPageOffset);
  w.structField(3);
  writeColumnMetaData(w, column);
  w.structEnd();
  w.structEnd();
}

/**
 * ColumnMetaData
 *   1 type Type · 2 encodings list<Encoding> · 3 path_in_schema list<string>
 *   4 codec CompressionCodec · 5 num_values i64 · 6 total_uncompressed_size i64
 *   7 total_compressed_size i64 · 9 data_page_offset i64
 *   11 dictionary_page_offset i64 · 12 statistics Statistics
 * (fields only; the caller opened the struct)
 */
function writeColumnMetaData(w: ThriftCompactWriter, column: ColumnMetaData): void {
  w.i32Field(1, column.type);
  w.listField(2, CompactType.I32, column.encodings.length);
  for (const encoding of column.encodings) w.i32Element(encoding);
  w.listField(3, CompactType.BINARY, 1);
  w.stringElement(column.path);
  w.i32Field(4, column.codec ?? CompressionCodec.UNCOMPRESSED);
  w.i64Field(5, column.numValues);
  w.i64Field(6, column.totalUncompressedBytes ?? column.totalBytes);
  w.i64Field(7, column.totalBytes);
  w.i64Field(9, column.dataPageOffset);
  if (column.dictionaryPageOffset !== undefined) w.i64Field(11, column.dictionaryPageOffset);
  w.structField(12);
  writeStatistics(w, column.statistics);
  w.structEnd();
}

/**
 * Statistics (fields only): 3 null_count i64 · 5 max_value binary · 6 min_value binary
 *   · 7 is_max_value_exact bool · 8 is_min_value_exact bool · 9 nan_count i64
 */
function writeStatistics(w: ThriftCompactWriter, stats: Statistics): void {
  w.i64Field(3, stats.nullCount);
  if (stats.maxValue !== undefined) w.binaryField(5, stats.maxValue);
  if (stats.minValue !== undefined) w.binaryField(6, stats.minValue);
  // bounds are never truncated
  if (stats.maxValue !== undefined) w.boolField(7, true);
  if (stats.minValue !== undefined) w.boolField(8, true);
  if (stats.nanCount !== undefined) w.i64Field(9, stats.nanCount);
}
