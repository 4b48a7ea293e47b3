// Flat Parquet files from typed arrays: "PAR1", column chunks row group by
// row group, FileMetaData, its length, "PAR1". docs/format/parquet-writer.md
// has the byte layout and the reasons for each choice.

import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type ChunkOptions, PAGE_BYTES, encodeColumnChunk } from './column-chunk.js';
import { type ParquetColumn, leafSchema, physicalType, prepareColumn } from './columns.js';
import { type ColumnMetaData, type RowGroup, encodeFileMetaData } from './metadata.js';

export type { ParquetColumn } from './columns.js';

export interface ParquetWriteOptions {
  /** Rows per row group; default: all rows in one group. */
  rowGroupRows?: number;
  keyValueMetadata?: Record<string, string>;
  /** 'auto' (default): string columns use a dictionary when it pays. */
  dictionary?: 'auto' | 'never';
  /** Target bytes of values per data page; default PAGE_BYTES (1 MiB), at most MAX_PAGE_BYTES. */
  pageBytes?: number;
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
  for (let start = 0; start < rowCount; start += groupRows) {
    const end = Math.min(rowCount, start + groupRows);
    const groupOffset = offset;
    const chunks: ColumnMetaData[] = [];
    for (const column of prepared) {
      const chunk = encodeColumnChunk(column, start, end, chunkOptions);
      const meta: ColumnMetaData = {
        type: physicalType(column.kind),
        encodings: chunk.encodings,
        path: column.name,
        numValues: end - start,
        totalBytes: chunk.byteLength,
        dataPageOffset: offset + chunk.dictionaryPageBytes,
        statistics: chunk.statistics,
      };
      if (chunk.dictionaryPageBytes > 0) meta.dictionaryPageOffset = offset;
      chunks.push(meta);
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
  return parts;
}

/** Writes atomically: to `<path>.tmp`, fsync, rename (then fsync the directory). */
export async function writeParquetFile(
  path: string,
  rowCount: number,
  columns: readonly ParquetColumn[],
  options: ParquetWriteOptions = {},
): Promise<number> {
  const parts = encodeParquet(rowCount, columns, options);
  const tmpPath = `${path}.tmp`;
  let bytes: number;
  try {
    const file = await open(tmpPath, 'w');
    try {
      bytes = await writeAll(file, parts);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmpPath, path);
  } catch (error) {
    await rm(tmpPath, { force: true });
    throw error;
  }
  // the rename itself is durable only once the directory is synced
  await syncDirectory(dirname(path));
  return bytes;
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
