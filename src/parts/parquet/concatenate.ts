// Concatenates Parquet files this writer wrote with every column OPTIONAL
// (ColumnFileOptions.allOptional) into one, without decoding a value: the
// inputs' row groups one after another, each column chunk's bytes copied as
// they are (compressed pages, encodings and statistics kept), a column an
// input lacks written as an all-null chunk. The schema is the union of the
// inputs' columns in order of first appearance, as DuckDB's union_by_name
// reads them. Merging log parts this way keeps the encodings the flush chose
// and costs a copy (docs/storage.md, "Log parts"). The one exception: a
// column holding file row numbers (a log part's `__unit_row`) is moved by
// the rows of the inputs before (shift-int64.ts).

import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { encodeColumnChunk } from './column-chunk.js';
import { prepareColumn, type ParquetColumn } from './columns.js';
import { codecOf, type PageCodec } from './compression.js';
import { readFully, readParquetFooter, type ParquetFooter } from './footer.js';
import { chunkStartOffset, type ColumnMetaData, type LeafSchema, PhysicalType, Repetition, type RowGroup, encodeFileMetaData } from './metadata.js';
import { shiftInt64Chunk } from './shift-int64.js';
import { CREATED_BY } from './writer.js';

const MAGIC = Uint8Array.of(0x50, 0x41, 0x52, 0x31);

/**
 * Why `footers` cannot be concatenated, or undefined when they can: all
 * written by this writer, every column OPTIONAL, a column's type the same in
 * every input.
 */
function unmergeable(footers: readonly ParquetFooter[], rowNumberColumns: ReadonlySet<string>): string | undefined {
  const leaves = new Map<string, LeafSchema>();
  for (const f of footers) {
    if (f.createdBy !== CREATED_BY) return `written by ${f.createdBy ?? 'an unknown writer'}`;
    for (const leaf of f.leaves) {
      if (leaf.repetition !== Repetition.OPTIONAL) return `column "${leaf.name}" is REQUIRED`;
      if (rowNumberColumns.has(leaf.name) && leaf.type !== PhysicalType.INT64) return `row number column "${leaf.name}" is not INT64`;
      const seen = leaves.get(leaf.name);
      if (seen && (seen.type !== leaf.type || seen.typeLength !== leaf.typeLength || seen.utf8 !== leaf.utf8)) return `column "${leaf.name}" differs in type`;
      leaves.set(leaf.name, leaf);
    }
  }
  return undefined;
}

export interface ConcatenateOptions {
  /**
   * INT64 columns whose values are row numbers of their file (a log part's
   * `__unit_row`): each input's values are moved by the rows of the inputs
   * before it, so they name the same rows in the merged file.
   */
  rowNumberColumns?: readonly string[];
}

/**
 * Writes `paths` one after another into `outPath` (not fsynced). Returns
 * false, writing nothing, when they cannot be concatenated (see unmergeable);
 * the caller then merges them another way.
 */
export function concatenateParquet(paths: readonly string[], outPath: string, codec: PageCodec | undefined, options: ConcatenateOptions = {}): boolean {
  const footers = paths.map(readParquetFooter);
  const rowNumberColumns = new Set(options.rowNumberColumns);
  if (unmergeable(footers, rowNumberColumns) !== undefined) return false;
  const leaves: LeafSchema[] = [];
  const seen = new Set<string>();
  for (const f of footers) {
    for (const leaf of f.leaves) {
      if (seen.has(leaf.name)) continue;
      seen.add(leaf.name);
      leaves.push(leaf);
    }
  }
  const out = openSync(outPath, 'w');
  let offset = 0;
  const write = (bytes: Uint8Array): void => {
    for (let at = 0; at < bytes.length; ) at += writeSync(out, bytes, at, bytes.length - at);
    offset += bytes.length;
  };
  try {
    write(MAGIC);
    const rowGroups: RowGroup[] = [];
    let rowsBefore = 0;
    paths.forEach((path, f) => {
      const footer = footers[f]!;
      const fd = openSync(path, 'r');
      try {
        for (const group of footer.rowGroups) {
          const byName = new Map(group.columns.map((c) => [c.path, c]));
          const fileOffset = offset;
          const columns: ColumnMetaData[] = [];
          let uncompressed = 0;
          for (const leaf of leaves) {
            const chunk = byName.get(leaf.name);
            const start = offset;
            if (chunk && rowsBefore > 0 && rowNumberColumns.has(leaf.name)) {
              const from = chunkStartOffset(chunk);
              const bytes = new Uint8Array(chunk.totalBytes);
              readFully(fd, bytes, from);
              const shifted = shiftInt64Chunk(bytes, chunk, BigInt(rowsBefore), codec);
              for (const part of shifted.parts) write(part);
              const meta: ColumnMetaData = { ...shifted.meta, dataPageOffset: start + shifted.meta.dataPageOffset };
              if (shifted.meta.dictionaryPageOffset !== undefined) meta.dictionaryPageOffset = start + shifted.meta.dictionaryPageOffset;
              columns.push(meta);
              uncompressed += shifted.meta.totalUncompressedBytes ?? shifted.meta.totalBytes;
            } else if (chunk) {
              const from = chunkStartOffset(chunk);
              const bytes = new Uint8Array(chunk.totalBytes);
              readFully(fd, bytes, from);
              write(bytes);
              const moved: ColumnMetaData = { ...chunk, dataPageOffset: chunk.dataPageOffset - from + start };
              if (chunk.dictionaryPageOffset !== undefined) moved.dictionaryPageOffset = start;
              columns.push(moved);
              uncompressed += chunk.totalUncompressedBytes ?? chunk.totalBytes;
            } else {
              const nulls = allNullChunk(leaf, group.numRows, codec);
              for (const part of nulls.parts) write(part);
              columns.push({ ...nulls.meta, dataPageOffset: start + nulls.meta.dataPageOffset });
              uncompressed += nulls.meta.totalUncompressedBytes ?? nulls.meta.totalBytes;
            }
          }
          rowGroups.push({ columns, numRows: group.numRows, fileOffset, totalBytes: offset - fileOffset, totalUncompressedBytes: uncompressed, ordinal: rowGroups.length });
        }
      } finally {
        closeSync(fd);
      }
      rowsBefore += footer.numRows;
    });
    const numRows = footers.reduce((n, f) => n + f.numRows, 0);
    const footer = encodeFileMetaData({ leaves, numRows, rowGroups, keyValueMetadata: [], createdBy: CREATED_BY });
    const tail = new Uint8Array(8);
    new DataView(tail.buffer).setUint32(0, footer.length, true);
    tail.set(MAGIC, 4);
    write(footer);
    write(tail);
  } catch (err) {
    closeSync(out);
    rmSync(outPath, { force: true });
    throw err;
  }
  closeSync(out);
  return true;
}

/** A column chunk of `rows` nulls of the leaf's type; its offsets relative to its first byte. */
function allNullChunk(leaf: LeafSchema, rows: number, codec: PageCodec | undefined): { parts: Uint8Array[]; meta: ColumnMetaData } {
  const nulls = new Uint8Array(rows).fill(1);
  const name = leaf.name;
  let column: ParquetColumn;
  switch (leaf.type) {
    case PhysicalType.INT64:
      column = { name, kind: 'int64', values: new BigInt64Array(rows), nulls };
      break;
    case PhysicalType.INT32:
      column = { name, kind: 'int32', values: new Int32Array(rows), nulls };
      break;
    case PhysicalType.DOUBLE:
      column = { name, kind: 'double', values: new Float64Array(rows), nulls };
      break;
    case PhysicalType.BOOLEAN:
      column = { name, kind: 'boolean', values: new Uint8Array(rows), nulls };
      break;
    case PhysicalType.FIXED_LEN_BYTE_ARRAY:
      column = { name, kind: leaf.typeLength === 16 ? 'fixed16' : 'fixed8', values: new Uint8Array(rows * (leaf.typeLength ?? 8)), nulls };
      break;
    case PhysicalType.BYTE_ARRAY:
      if (!leaf.utf8) throw new Error(`parquet: binary column "${name}" cannot be filled with nulls`);
      column = { name, kind: 'string', values: new Array<undefined>(rows).fill(undefined) };
      break;
  }
  const chunk = encodeColumnChunk(prepareColumn(column, rows, true), 0, rows, { tryDictionary: false, pageBytes: 1 << 20, ...(codec ? { codec } : {}) });
  return {
    parts: chunk.parts,
    meta: {
      type: leaf.type,
      encodings: chunk.encodings,
      path: name,
      numValues: rows,
      totalBytes: chunk.byteLength,
      totalUncompressedBytes: chunk.uncompressedByteLength,
      codec: codecOf(codec),
      dataPageOffset: 0,
      statistics: chunk.statistics,
    },
  };
}
