// Turns staging files (or older parts) into one big part per UTC day, sorted
// in the signal's order (traces: by trace id then start time, so a trace's
// spans sit together, a lookup reads one row group and ids compress by
// dictionary/RLE), zstd, Parquet v1 encodings (smaller than v2's delta
// encodings once zstd runs). The figures behind each choice are in
// docs/storage.md.

import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readParquetSql, sqlString, type Engine } from '../engine/duckdb.js';
import type { PartInfo } from './catalog.js';
import { TraceBloom } from './trace-bloom.js';
import { fsyncFile } from './fsync.js';

/** Rows per Parquet row group in parts: small enough that a trace lookup decodes little. */
export const PART_ROW_GROUP_ROWS = 64 * 1024;
export const PART_COMPRESSION = 'zstd';
/** zstd level of parts: 9 measured 3.4 % smaller than the default 3 (docs/storage.md). */
export const PART_COMPRESSION_LEVEL = 9;

/** Where and in which order a signal's parts are written. */
export interface PartLayout {
  /** folder under parts/ — also the signal's WAL stream, catalog and staging folder: 'traces', 'logs' */
  stream: string;
  /** int64 column of each row's time, unix nanos; parts are split by its UTC day */
  timeColumn: string;
  /** ORDER BY of a flushed part */
  sortSql: string;
  /** rows per Parquet row group */
  rowGroupRows: number;
}

export const TRACE_PART_LAYOUT: PartLayout = {
  stream: 'traces',
  timeColumn: 'start_time_unix_nano',
  sortSql: 'trace_id, start_time_unix_nano',
  rowGroupRows: PART_ROW_GROUP_ROWS,
};

export interface PartSource {
  /** absolute paths of the Parquet files to merge */
  paths: string[];
  /** trace ids (16 bytes each) and row times of every row in the sources, in any order */
  traceIds: Uint8Array;
  startNs: BigInt64Array;
  columns: ReadonlySet<string>;
  services: ReadonlySet<string>;
}

const NS_PER_DAY = 86_400_000_000_000n;

export function dayOf(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 10);
}

/** Collision-free across processes and machines: time, then 64 random bits. */
export function newPartId(): string {
  return `${Date.now().toString(36).padStart(9, '0')}-${randomBytes(8).toString('hex')}`;
}

/** Unique trace ids of the rows whose time falls in [from, to). */
function traceIdsIn(source: PartSource, from: bigint, to: bigint): { ids: Uint8Array; count: number; rows: number; min: bigint; max: bigint } {
  const seen = new Set<string>();
  const ids: number[] = [];
  let rows = 0;
  let min = 0n;
  let max = 0n;
  const buf = Buffer.from(source.traceIds.buffer, source.traceIds.byteOffset, source.traceIds.byteLength);
  for (let i = 0; i < source.startNs.length; i++) {
    const t = source.startNs[i]!;
    if (t < from || t >= to) continue;
    if (rows === 0 || t < min) min = t;
    if (rows === 0 || t > max) max = t;
    rows++;
    const key = buf.toString('latin1', i * 16, i * 16 + 16);
    if (!seen.has(key)) {
      seen.add(key);
      ids.push(i);
    }
  }
  const out = new Uint8Array(ids.length * 16);
  ids.forEach((i, k) => out.set(source.traceIds.subarray(i * 16, i * 16 + 16), k * 16));
  return { ids: out, count: ids.length, rows, min, max };
}

/**
 * Writes one part per UTC day present in `source`; returns their catalog
 * entries (not yet committed). `level` is the compaction level of the result.
 */
export async function writeParts(engine: Engine, dataDir: string, layout: PartLayout, source: PartSource, level: number): Promise<PartInfo[]> {
  if (source.startNs.length === 0) return [];
  const days = new Set<bigint>();
  for (let i = 0; i < source.startNs.length; i++) days.add(source.startNs[i]! / NS_PER_DAY - (source.startNs[i]! < 0n ? 1n : 0n));
  const parts: PartInfo[] = [];
  for (const d of [...days].sort()) {
    const from = d * NS_PER_DAY;
    const to = from + NS_PER_DAY;
    const day = dayOf(from);
    const id = newPartId();
    const path = partFilePath(dataDir, layout, day, id);
    const bloomPath = join(dirname(path), `${id}.bloom`);
    await mkdir(dirname(path), { recursive: true });
    const onlyDay = days.size > 1 ? `WHERE ${layout.timeColumn} >= ${from} AND ${layout.timeColumn} < ${to}` : '';
    await copySorted(engine, source.paths, path, layout, onlyDay);
    await fsyncFile(path); // the catalog will point at it and the WAL will be cut: it must be on disk
    const ids = traceIdsIn(source, from, to);
    await TraceBloom.build(ids.ids, ids.count).write(bloomPath);
    parts.push({
      id,
      path: relative(dataDir, path),
      bloomPath: relative(dataDir, bloomPath),
      rows: ids.rows,
      bytes: (await stat(path)).size,
      minStartNs: String(ids.min),
      maxStartNs: String(ids.max),
      day,
      level,
      createdAtMs: Date.now(),
      columns: [...source.columns].sort(),
      // A flush spanning days lists, per part, only the services stored in it.
      services: days.size > 1 ? await servicesIn(engine, path) : [...source.services].sort(),
    });
  }
  return parts;
}

/** parts/<stream>/date=<day>/<id>.parquet under the data folder */
export function partFilePath(dataDir: string, layout: PartLayout, day: string, id: string): string {
  return join(dataDir, 'parts', layout.stream, `date=${day}`, `${id}.parquet`);
}

async function servicesIn(engine: Engine, path: string): Promise<string[]> {
  const rows = await engine.all(`SELECT DISTINCT service_name FROM ${readParquetSql([path])} ORDER BY service_name`);
  return rows.map((r) => String(r['service_name']));
}

/**
 * COPYs the rows of `paths` (optionally filtered) into one sorted zstd part file.
 * No Parquet bloom filters: DuckDB 1.5.6 answers `blob = x` with no rows when
 * one exists for the column (docs/storage.md); parts are skipped by our own
 * trace-id bloom instead, and row groups by min/max.
 */
export async function copySorted(engine: Engine, paths: readonly string[], path: string, layout: PartLayout, whereSql = ''): Promise<void> {
  await engine.run(`COPY (SELECT * FROM ${readParquetSql(paths)} ${whereSql} ORDER BY ${layout.sortSql}) TO ${sqlString(path)} ${partCopyOptions(layout)}`);
}

function partCopyOptions(layout: PartLayout): string {
  return `(FORMAT parquet, COMPRESSION ${PART_COMPRESSION}, COMPRESSION_LEVEL ${PART_COMPRESSION_LEVEL}, ROW_GROUP_SIZE ${layout.rowGroupRows}, WRITE_BLOOM_FILTER false)`;
}

/**
 * Merges parts that are each sorted by concatenating them: every input stays
 * a sorted run, so row-group min/max still skip all but the run holding a
 * trace, and there is no sort — a sort of millions of wide rows
 * spills gigabytes on this machine (bench: 545 s for 8.6 M rows).
 */
export async function copyConcatenated(engine: Engine, paths: readonly string[], path: string, layout: PartLayout): Promise<void> {
  await engine.run(`COPY (SELECT * FROM ${readParquetSql(paths)}) TO ${sqlString(path)} ${partCopyOptions(layout)}`);
}

