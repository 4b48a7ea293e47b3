// Reading what a server left on disk, the way an outside tool would: the
// newest catalog snapshot (docs/format/catalog.md) and the Parquet parts it
// names, through a fresh in-memory DuckDB that knows nothing of marquetry.

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { CatalogSnapshot } from '../../src/parts/catalog.js';
import type { SpanBatch } from '../../src/model/span-batch.js';

/** The newest snapshot: the `_latest` hint, then probing forward. */
export async function readCatalogFromDisk(dataDir: string): Promise<CatalogSnapshot> {
  const dir = join(dataDir, 'catalog', 'traces');
  let version = Number((await readFile(join(dir, '_latest'), 'utf8')).trim());
  const name = (v: number): string => join(dir, `${String(v).padStart(16, '0')}.json`);
  for (;;) {
    try {
      await stat(name(version + 1));
      version++;
    } catch {
      break;
    }
  }
  return JSON.parse(await readFile(name(version), 'utf8')) as CatalogSnapshot;
}

/** Absolute paths of the Parquet parts the newest catalog snapshot lists. */
export async function catalogPartPaths(dataDir: string): Promise<string[]> {
  return (await readCatalogFromDisk(dataDir)).parts.map((p) => join(dataDir, p.path));
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs one SQL query in a fresh in-memory DuckDB and returns its rows as plain JS values. */
export async function duckdbRows(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

export function parquetList(paths: readonly string[]): string {
  return `read_parquet([${paths.map((p) => `'${p.replaceAll("'", "''")}'`).join(', ')}], union_by_name = true)`;
}

/** Moves every span of `batch` so that the first starts at `startNs`, keeping durations and gaps. */
export function shiftBatchTo(batch: SpanBatch, startNs: bigint): SpanBatch {
  if (batch.length === 0) return batch;
  const delta = startNs - batch.startTimeUnixNano[0]!;
  for (let i = 0; i < batch.length; i++) {
    batch.startTimeUnixNano[i] = batch.startTimeUnixNano[i]! + delta;
    batch.endTimeUnixNano[i] = batch.endTimeUnixNano[i]! + delta;
  }
  return batch;
}
