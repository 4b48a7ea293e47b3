// Flat Parquet files from typed arrays: "PAR1", column chunks row group by
// row group, FileMetaData, its length, "PAR1". docs/format/parquet-writer.md
// has the byte layout and the reasons for each choice.

import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type ChunkOptions, type EncodedColumnChunk, EncodingChoice, PAGE_BYTES, encodeColumnChunk } from './column-chunk.js';
import { type ParquetColumn, type PreparedColumn, leafSchema, physicalType, prepareColumn } from './columns.js';
import { type ColumnMetaData, type LeafSchema, type RowGroup, encodeFileMetaData } from './metadata.js';
import type { ChunkLayout, FileLayout, StoredKind } from './layout.js';
import { type PageCodec, codecOf } from './compression.js';

export type { ParquetColumn } from './columns.js';

export interface ParquetWriteOptions {
  /** Rows per row group; default: all rows in one group. */
  rowGroupRows?: number;
  keyValueMetadata?: Record<string, string>;
  /** 'auto' (default): string columns use a dictionary when it pays. */
  dictionary?: 'auto' | 'never';
  /** Target bytes of values per data page; default PAGE_BYTES (1 MiB), at most MAX_PAGE_BYTES. */
  pageBytes?: number;
  /** Page bodies compressed with it (log parts); default uncompressed. No layout is returned then. */
  codec?: PageCodec;
  /** int64 columns: DELTA_BINARY_PACKED where that chunk is smaller (column-chunk.ts). No layout is returned then. */
  tryDeltaInt64?: boolean;
  /** int32 columns likewise (ChunkOptions.tryDeltaInt32). No layout is returned then. */
  tryDeltaInt32?: boolean;
  /** With a codec: PLAIN strings where that chunk is smaller than its dictionary's. */
  tryPlainStrings?: boolean;
  /** With a codec: a PLAIN strings page as DELTA_LENGTH_BYTE_ARRAY where that is smaller (ChunkOptions.tryDeltaLengthStrings). */
  tryDeltaLengthStrings?: boolean;
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
  const chunkOptions: ChunkOptions = {
    tryDictionary: options.dictionary !== 'never',
    pageBytes: options.pageBytes ?? PAGE_BYTES,
    ...(options.codec !== undefined ? { codec: options.codec } : {}),
    tryDeltaInt64: options.tryDeltaInt64 ?? false,
    tryDeltaInt32: options.tryDeltaInt32 ?? false,
    tryPlainStrings: options.tryPlainStrings ?? false,
    tryDeltaLengthStrings: options.tryDeltaLengthStrings ?? false,
  };
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
    let groupUncompressed = 0;
    const chunks: ColumnMetaData[] = [];
    for (const column of prepared) {
      const chunk = encodeColumnChunk(column, start, end, chunkOptions);
      const meta = columnMetaData(column, chunk, offset, end - start, options.codec);
      chunks.push(meta);
      groupUncompressed += chunk.uncompressedByteLength;
      chunkLayouts.push({
        name: column.name,
        kind: storedKind(column.kind),
        width: 'width' in column ? column.width : 0,
        optional: column.optional,
        at: offset,
        bytes: chunk.byteLength,
        dictionary: chunk.dictionary,
        pages: chunk.pages,
      });
      for (const part of chunk.parts) parts.push(part);
      offset += chunk.byteLength;
    }
    rowGroups.push({
      columns: chunks,
      numRows: end - start,
      fileOffset: groupOffset,
      totalBytes: offset - groupOffset,
      totalUncompressedBytes: groupUncompressed,
      ordinal: rowGroups.length,
    });
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
  // decodeChunk reads uncompressed PLAIN and dictionary pages only
  const decodable = options.codec === undefined && !chunkOptions.tryDeltaInt64 && !chunkOptions.tryDeltaInt32;
  return { parts, layout: rowGroups.length === 1 && decodable ? { rows: rowCount, chunks: chunkLayouts } : undefined };
}

function columnMetaData(column: PreparedColumn, chunk: EncodedColumnChunk, offset: number, numValues: number, codec?: PageCodec): ColumnMetaData {
  const meta: ColumnMetaData = {
    type: physicalType(column.kind),
    encodings: chunk.encodings,
    path: column.name,
    numValues,
    totalBytes: chunk.byteLength,
    totalUncompressedBytes: chunk.uncompressedByteLength,
    codec: codecOf(codec),
    dataPageOffset: offset + chunk.dictionaryPageBytes,
    statistics: chunk.statistics,
  };
  if (chunk.dictionaryPageBytes > 0) meta.dictionaryPageOffset = offset;
  return meta;
}

/** How ParquetColumnFileWriter encodes (log parts: src/parts/part-writer.ts). */
export interface ColumnFileOptions {
  pageBytes?: number;
  /** rows per row group; default one row group */
  rowGroupRows?: number;
  codec?: PageCodec;
  tryDeltaInt64?: boolean;
  tryDeltaInt32?: boolean;
  tryPlainStrings?: boolean;
  tryDeltaLengthStrings?: boolean;
  /**
   * Every column OPTIONAL, also one without nulls (a level run per page), so
   * column chunks of files with different null patterns are interchangeable
   * (a merge concatenates them, src/parts/parquet/concatenate.ts).
   */
  allOptional?: boolean;
  /**
   * Per column name, a codec other than `codec` (zstd levels by column: a
   * higher level where a column is small before compression, so it costs
   * little, a cheap one for the big ones; docs/storage.md).
   */
  columnCodecs?: Readonly<Record<string, PageCodec>>;
  /**
   * Per column name, a page size other than `pageBytes`: smaller pages where
   * a reader fetching a few rows would otherwise decompress a whole row
   * group's worth (trace parts' ids and times, docs/storage.md).
   */
  columnPageBytes?: Readonly<Record<string, number>>;
}

interface BufferedChunk {
  meta: ColumnMetaData;
  parts: Uint8Array[];
  /** offsets in meta are relative to the chunk's first byte until written */
  bytes: number;
  uncompressedBytes: number;
}

/**
 * A file written column by column, so each column's arrays can be dropped
 * once added (the flush's regrouping in a worker thread,
 * src/parts/sorted-run.ts). One row group: each chunk is written as it
 * comes. Several: the encoded chunks wait in memory (compressed, they are
 * small) and are written row group by row group at finish(). Not fsynced, no
 * temporary name: for files nobody reads before finish() returns.
 */
export class ParquetColumnFileWriter {
  private readonly fd: number;
  private offset = MAGIC.length;
  private readonly leaves: LeafSchema[] = [];
  /** per row group, its chunks in column order */
  private readonly groups: BufferedChunk[][];
  private readonly names = new Set<string>();
  private readonly chunkOptions: ChunkOptions;
  private readonly groupRows: number;

  constructor(
    readonly path: string,
    private readonly rowCount: number,
    private readonly options: ColumnFileOptions = {},
  ) {
    assertLittleEndian();
    if (!Number.isSafeInteger(rowCount) || rowCount < 0) throw new Error(`parquet: row count ${rowCount} is not a non-negative integer`);
    this.groupRows = Math.max(1, options.rowGroupRows ?? rowCount);
    this.groups = Array.from({ length: rowCount === 0 ? 0 : Math.ceil(rowCount / this.groupRows) }, () => []);
    this.chunkOptions = {
      tryDictionary: true,
      pageBytes: options.pageBytes ?? PAGE_BYTES,
      ...(options.codec !== undefined ? { codec: options.codec } : {}),
      tryDeltaInt64: options.tryDeltaInt64 ?? false,
      tryDeltaInt32: options.tryDeltaInt32 ?? false,
      tryPlainStrings: options.tryPlainStrings ?? false,
    tryDeltaLengthStrings: options.tryDeltaLengthStrings ?? false,
      };
    this.fd = openSync(path, 'w');
    writeFullySync(this.fd, MAGIC);
  }

  add(column: ParquetColumn): void {
    if (this.names.has(column.name)) throw new Error(`parquet: duplicate column "${column.name}"`);
    this.names.add(column.name);
    const prepared = prepareColumn(column, this.rowCount, this.options.allOptional ?? false);
    this.leaves.push(leafSchema(prepared));
    const choice = new EncodingChoice();
    const { codec, chunkOptions } = this.encodingOf(column.name);
    this.groups.forEach((chunks, g) => {
      const start = g * this.groupRows;
      const end = Math.min(this.rowCount, start + this.groupRows);
      const chunk = encodeColumnChunk(prepared, start, end, chunkOptions, choice);
      const buffered = { meta: columnMetaData(prepared, chunk, 0, end - start, codec), parts: chunk.parts, bytes: chunk.byteLength, uncompressedBytes: chunk.uncompressedByteLength };
      if (this.groups.length === 1) {
        // the only row group: write the chunk now, keep its metadata
        this.place(buffered);
        chunks.push({ ...buffered, parts: [] });
      } else {
        chunks.push(buffered);
      }
    });
  }

  /**
   * Bytes that `columns` — `rows` rows each, at most a row group's —
   * would take as this file encodes a row group, nothing written: a caller
   * choosing between two representations of a column measures both on a
   * sample of its rows.
   */
  groupBytes(columns: readonly ParquetColumn[], rows: number): number {
    if (rows > this.groupRows) throw new Error(`parquet: ${rows} rows are more than a row group's ${this.groupRows}`);
    let bytes = 0;
    for (const column of columns) {
      const prepared = prepareColumn(column, rows, this.options.allOptional ?? false);
      bytes += encodeColumnChunk(prepared, 0, rows, this.encodingOf(column.name).chunkOptions, new EncodingChoice()).byteLength;
    }
    return bytes;
  }

  /**
   * Whether add() keeps views of a column's arrays until finish(): several
   * row groups of uncompressed pages (a page's values may be a view of the
   * column's). Compressed pages, and the one row group's chunk written at
   * once, keep nothing of them.
   */
  get keepsColumnArrays(): boolean {
    // columnCodecs only choose another codec for a column: with a file codec every page is compressed
    return this.groups.length > 1 && this.options.codec === undefined;
  }

  /** Rows per row group. */
  get rowGroupRows(): number {
    return this.groupRows;
  }

  /** The codec and chunk options of a column (columnCodecs and columnPageBytes, else the file's). */
  private encodingOf(name: string): { codec: PageCodec | undefined; chunkOptions: ChunkOptions } {
    const codec = this.options.columnCodecs?.[name] ?? this.options.codec;
    const pageBytes = this.options.columnPageBytes?.[name];
    const chunkOptions =
      codec === this.options.codec && pageBytes === undefined
        ? this.chunkOptions
        : { ...this.chunkOptions, ...(codec !== undefined ? { codec } : {}), ...(pageBytes !== undefined ? { pageBytes } : {}) };
    return { codec, chunkOptions };
  }

  /** Writes the footer and closes the file; returns its size. */
  finish(): number {
    if (this.leaves.length === 0) throw new Error('parquet: a file needs at least one column');
    try {
      const rowGroups: RowGroup[] = this.groups.map((chunks, g) => {
        const fileOffset = this.groups.length === 1 ? MAGIC.length : this.offset;
        if (this.groups.length > 1) for (const c of chunks) this.place(c);
        return {
          columns: chunks.map((c) => c.meta),
          numRows: Math.min(this.groupRows, this.rowCount - g * this.groupRows),
          fileOffset,
          totalBytes: chunks.reduce((n, c) => n + c.bytes, 0),
          totalUncompressedBytes: chunks.reduce((n, c) => n + c.uncompressedBytes, 0),
          ordinal: g,
        };
      });
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

  /** Writes a chunk at the current offset and makes its metadata's offsets absolute. */
  private place(chunk: BufferedChunk): void {
    chunk.meta.dataPageOffset += this.offset;
    if (chunk.meta.dictionaryPageOffset !== undefined) chunk.meta.dictionaryPageOffset += this.offset;
    for (const part of chunk.parts) writeFullySync(this.fd, part);
    this.offset += chunk.bytes;
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

/**
 * Encodes and writes a whole file synchronously, not fsynced (worker
 * threads writing companions of a part the caller fsyncs and renames).
 */
export function writeParquetFileSync(path: string, rowCount: number, columns: readonly ParquetColumn[], options: ParquetWriteOptions = {}): void {
  const parts = encodeParquet(rowCount, columns, options);
  const fd = openSync(path, 'w');
  try {
    for (const part of parts) writeFullySync(fd, part);
  } finally {
    closeSync(fd);
  }
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
