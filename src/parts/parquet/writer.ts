// Flat Parquet files from typed arrays: "PAR1", column chunks row group by
// row group, FileMetaData, its length, "PAR1". docs/format/parquet-writer.md
// has the byte layout and the reasons for each choice.

import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type ChunkOptions, type EncodedColumnChunk, PAGE_BYTES, encodeColumnChunk } from './column-chunk.js';
import { type ParquetColumn, type PreparedColumn, leafSchema, physicalType, prepareColumn } from './columns.js';
import { type ColumnMetaData, type LeafSchema, type RowGroup, encodeFileMetaData } from './metadata.js';
import type { ChunkLayout, FileLayout, StoredKind } from './layout.js';

export type { ParquetColumn } from './columns.js';

export interface ParquetWriteOptions {
  /** Rows per row group; default: all rows in one group. */
  rowGroupRows?: number;
  keyValueMetadata?: Record<string, string>;
  /** 'auto' (default): string columns use a dictionary when it pays. */
  dictionary?: 'auto' | 'never';
  /** Target bytes of values per data page; default PAGE_BYTES (1 MiB), at most MAX_PAGE_BYTES. */
  pageBytes?: number;
  /**
   * writeParquetFile: fsync the file and its directory (default true). Staging
   * files need not be durable: after a crash they are rebuilt from the WAL.
   */
  durable?: boolean;
}

export interface EncodedParquet {
  parts: Uint8Array[];
  /** where each column's pages lie, for a file of one row group (else undefined) */
  layout: FileLayout | undefined;
}

export const CREATED_BY = 'marquetry version 0.1.0';

/** Page sizes are Thrift i32s; stay well below 2^31. */
const MAX_PAGE_BYTES = 1 << 30;
const MAGIC = Uint8Array.of(0x50, 0x41, 0x52, 0x31); // "PAR1"
/** Buffers per writev call (IOV_MAX on Linux). */
const MAX_BUFFERS_PER_WRITEV = 1024;

/**
 * Encodes a whole file; returns its bytes as chunks (to write with one
 * writev). Chunks may be views of the input arrays: write them before
 * changing the inputs.
 */
export function encodeParquet(rowCount: number, columns: readonly ParquetColumn[], options: ParquetWriteOptions = {}): Uint8Array[] {
  return encodeParquetWithLayout(rowCount, columns, options).parts;
}

/** encodeParquet, also returning where the pages lie (layout.ts). */
export function encodeParquetWithLayout(rowCount: number, columns: readonly ParquetColumn[], options: ParquetWriteOptions = {}): EncodedParquet {
  assertLittleEndian();
  if (!Number.isSafeInteger(rowCount) || rowCount < 0) throw new Error(`parquet: row count ${rowCount} is not a non-negative integer`);
  if (columns.length === 0) throw new Error('parquet: a file needs at least one column');
  const groupRows = options.rowGroupRows ?? Math.max(rowCount, 1);
  if (!Number.isSafeInteger(groupRows) || groupRows < 1) throw new Error(`parquet: rowGroupRows ${groupRows} is not a positive integer`);
  rejectDuplicateNames(columns);

  const prepared = columns.map((column) => prepareColumn(column, rowCount));
  const chunkOptions: ChunkOptions = { tryDictionary: options.dictionary !== 'never', pageBytes: options.pageBytes ?? PAGE_BYTES };
  if (!Number.isSafeInteger(chunkOptions.pageBytes) || chunkOptions.pageBytes < 1 || chunkOptions.pageBytes > MAX_PAGE_BYTES) {
    throw new Error(`parquet: pageBytes ${chunkOptions.pageBytes} is not an integer in 1..${MAX_PAGE_BYTES}`);
  }
  const parts: Uint8Array[] = [MAGIC];
  let offset = MAGIC.length;
  const rowGroups: RowGroup[] = [];
  const chunkLayouts: ChunkLayout[] = [];
  for (let start = 0; start < rowCount; start += groupRows) {
    const end = Math.min(rowCount, start + groupRows);
    const groupOffset = offset;
    const chunks: ColumnMetaData[] = [];
    for (const column of prepared) {
      const chunk = encodeColumnChunk(column, start, end, chunkOptions);
      const meta = columnMetaData(column, chunk, offset, end - start);
      chunks.push(meta);
      chunkLayouts.push({
        name: column.name,
        kind: storedKind(column.kind),
        width: 'width' in column ? column.width : 0,
        optional: column.nulls !== undefined,
        at: offset,
        bytes: chunk.byteLength,
        dictionary: chunk.dictionary,
        pages: chunk.pages,
      });
      for (const part of chunk.parts) parts.push(part);
      offset += chunk.byteLength;
    }
    rowGroups.push({ columns: chunks, numRows: end - start, fileOffset: groupOffset, totalBytes: offset - groupOffset, ordinal: rowGroups.length });
  }

  const footer = encodeFileMetaData({
    leaves: prepared.map(leafSchema),
    numRows: rowCount,
    rowGroups,
    keyValueMetadata: Object.entries(options.keyValueMetadata ?? {}),
    createdBy: CREATED_BY,
  });
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, footer.length, true);
  tail.set(MAGIC, 4);
  parts.push(footer, tail);
  return { parts, layout: rowGroups.length === 1 ? { rows: rowCount, chunks: chunkLayouts } : undefined };
}

function columnMetaData(column: PreparedColumn, chunk: EncodedColumnChunk, offset: number, numValues: number): ColumnMetaData {
  const meta: ColumnMetaData = {
    type: physicalType(column.kind),
    encodings: chunk.encodings,
    path: column.name,
    numValues,
    totalBytes: chunk.byteLength,
    dataPageOffset: offset + chunk.dictionaryPageBytes,
    statistics: chunk.statistics,
  };
  if (chunk.dictionaryPageBytes > 0) meta.dictionaryPageOffset = offset;
  return meta;
}

/**
 * A file of one row group written column by column with synchronous writes,
 * so each column's arrays can be dropped once added (the flush's regrouping
 * in a worker thread, src/parts/sorted-run.ts). Not fsynced, no temporary
 * name: for files nobody reads before finish() returns.
 */
export class ParquetColumnFileWriter {
  private readonly fd: number;
  private offset = MAGIC.length;
  private readonly leaves: LeafSchema[] = [];
  private readonly chunks: ColumnMetaData[] = [];
  private readonly names = new Set<string>();

  constructor(
    readonly path: string,
    private readonly rowCount: number,
    private readonly pageBytes = PAGE_BYTES,
  ) {
    assertLittleEndian();
    if (!Number.isSafeInteger(rowCount) || rowCount < 0) throw new Error(`parquet: row count ${rowCount} is not a non-negative integer`);
    this.fd = openSync(path, 'w');
    writeFullySync(this.fd, MAGIC);
  }

  add(column: ParquetColumn): void {
    if (this.names.has(column.name)) throw new Error(`parquet: duplicate column "${column.name}"`);
    this.names.add(column.name);
    const prepared = prepareColumn(column, this.rowCount);
    const chunk = encodeColumnChunk(prepared, 0, this.rowCount, { tryDictionary: true, pageBytes: this.pageBytes });
    this.chunks.push(columnMetaData(prepared, chunk, this.offset, this.rowCount));
    this.leaves.push(leafSchema(prepared));
    for (const part of chunk.parts) writeFullySync(this.fd, part);
    this.offset += chunk.byteLength;
  }

  /** Writes the footer and closes the file; returns its size. */
  finish(): number {
    if (this.leaves.length === 0) throw new Error('parquet: a file needs at least one column');
    try {
      const rowGroups: RowGroup[] =
        this.rowCount > 0 ? [{ columns: this.chunks, numRows: this.rowCount, fileOffset: MAGIC.length, totalBytes: this.offset - MAGIC.length, ordinal: 0 }] : [];
      const footer = encodeFileMetaData({ leaves: this.leaves, numRows: this.rowCount, rowGroups, keyValueMetadata: [], createdBy: CREATED_BY });
      const tail = new Uint8Array(8);
      new DataView(tail.buffer).setUint32(0, footer.length, true);
      tail.set(MAGIC, 4);
      writeFullySync(this.fd, footer);
      writeFullySync(this.fd, tail);
      return this.offset + footer.length + tail.length;
    } finally {
      closeSync(this.fd);
    }
  }

  /** Closes and deletes the unfinished file. */
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed by finish()
    }
    rmSync(this.path, { force: true });
  }
}

function writeFullySync(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

function storedKind(kind: ParquetColumn['kind']): StoredKind {
  return kind === 'string-entries' ? 'string' : kind;
}

/**
 * Writes atomically: to `<path>.tmp`, fsync, rename (then fsync the
 * directory); without the fsyncs when `options.durable` is false. Returns the
 * file's size and, for a file of one row group, its layout.
 */
export async function writeParquetFile(
  path: string,
  rowCount: number,
  columns: readonly ParquetColumn[],
  options: ParquetWriteOptions = {},
): Promise<{ bytes: number; layout: FileLayout | undefined }> {
  const { parts, layout } = encodeParquetWithLayout(rowCount, columns, options);
  const durable = options.durable ?? true;
  const tmpPath = `${path}.tmp`;
  let bytes: number;
  try {
    const file = await open(tmpPath, 'w');
    try {
      bytes = await writeAll(file, parts);
      if (durable) await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmpPath, path);
  } catch (error) {
    await rm(tmpPath, { force: true });
    throw error;
  }
  // the rename itself is durable only once the directory is synced
  if (durable) await syncDirectory(dirname(path));
  return { bytes, layout };
}

/** writev in IOV_MAX batches, finishing any short write with plain writes. */
async function writeAll(file: FileHandle, parts: readonly Uint8Array[]): Promise<number> {
  let total = 0;
  for (let i = 0; i < parts.length; i += MAX_BUFFERS_PER_WRITEV) {
    const batch = parts.slice(i, i + MAX_BUFFERS_PER_WRITEV);
    let written = (await file.writev(batch)).bytesWritten;
    for (const part of batch) {
      total += part.length;
      if (written >= part.length) {
        written -= part.length;
        continue;
      }
      for (let at = written; at < part.length; ) at += (await file.write(part, at, part.length - at)).bytesWritten;
      written = 0;
    }
  }
  return total;
}

async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

function rejectDuplicateNames(columns: readonly ParquetColumn[]): void {
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column.name)) throw new Error(`parquet: duplicate column "${column.name}"`);
    seen.add(column.name);
  }
}

function assertLittleEndian(): void {
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
    throw new Error('parquet: typed arrays are big-endian on this platform; the writer needs little-endian');
  }
}
