// Rollup files (docs/format/rollups.md): one Parquet file beside each part,
// `<partId>.rollup.parquet`, one row per (minute, service, span name, kind,
// status code) of the part's spans. Written through DuckDB — the sketch is a
// BLOB, which the staging-file writer does not write — from two temporary
// tables: the keys once each, and the rows as numbers with a key id (so no
// string crosses per row); read back the same way, chunk by chunk.

import { DuckDBBlobVector, type DuckDBAppender, type DuckDBConnection, type DuckDBDataChunk } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { readParquetSql, sqlString, type Engine } from '../engine/duckdb.js';
import { fsyncFile } from '../parts/fsync.js';
import { RollupTableBuilder, type RollupKeys, type RollupTable } from './rollup-table.js';
import { NS_PER_MINUTE, rollupMetadata } from './rollup-builder.js';

export { ROLLUP_FILE_SUFFIX, ROLLUP_FORMAT_VERSION } from './rollup-builder.js';

/** Columns of a rollup file, in file order. */
export const ROLLUP_COLUMNS = [
  'minute_start_unix_nano',
  'service_name',
  'name',
  'kind',
  'status_code',
  'span_count',
  'error_count',
  'duration_sum_nano',
  'duration_max_nano',
  'duration_sketch',
] as const;

/** Runs `sql` on `conn` and hands each result chunk to `onChunk`; values stay in DuckDB's vectors. */
export async function forEachChunk(conn: DuckDBConnection, sql: string, onChunk: (chunk: DuckDBDataChunk) => void): Promise<void> {
  const result = await conn.run(sql);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    onChunk(chunk);
  }
}

async function withAppender(conn: DuckDBConnection, table: string, fill: (a: DuckDBAppender) => void): Promise<void> {
  const appender = await conn.createAppender(table);
  try {
    fill(appender);
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** Writes the rows of `table` (1-minute, status-level keys) to `path` and fsyncs it. */
export async function writeRollupFile(engine: Engine, path: string, table: RollupTable, keys: RollupKeys): Promise<void> {
  if (table.grainMinutes !== 1) throw new Error(`rollup: files hold 1-minute rows, not ${table.grainMinutes}-minute rows`);
  const used = new Set<number>();
  for (let i = 0; i < table.length; i++) {
    const k = table.key[i]!;
    if (keys.level[k] !== 'status') throw new Error(`rollup: files hold (service, name, kind, status) rows, not ${keys.level[k]} rows`);
    used.add(k);
  }
  const suffix = randomBytes(6).toString('hex');
  const rows = `rollup_rows_${suffix}`;
  const keyTable = `rollup_keys_${suffix}`;
  await engine.withConnection(async (conn) => {
    await conn.run(`CREATE TEMP TABLE ${keyTable} (id INTEGER, service_name VARCHAR, name VARCHAR, kind INTEGER, status_code INTEGER)`);
    await conn.run(`CREATE TEMP TABLE ${rows} (minute INTEGER, id INTEGER, n DOUBLE, e DOUBLE, s DOUBLE, mx DOUBLE, sketch BLOB)`);
    try {
      await withAppender(conn, keyTable, (a) => {
        for (const k of used) {
          a.appendInteger(k);
          a.appendVarchar(keys.service[k]!);
          a.appendVarchar(keys.name[k]!);
          a.appendInteger(keys.kind[k]!);
          a.appendInteger(keys.status[k]!);
          a.endRow();
        }
      });
      await withAppender(conn, rows, (a) => {
        for (let i = 0; i < table.length; i++) {
          a.appendInteger(table.minute[i]!);
          a.appendInteger(table.key[i]!);
          a.appendDouble(table.count[i]!);
          a.appendDouble(table.errors[i]!);
          a.appendDouble(Math.round(table.sumNs[i]!));
          a.appendDouble(table.maxNs[i]!);
          a.appendBlob(table.sketchBytes.subarray(table.sketchStart[i]!, table.sketchStart[i + 1]!));
          a.endRow();
        }
      });
      const metadata = `{${Object.entries(rollupMetadata())
        .map(([k, v]) => `${k}: ${sqlString(v)}`)
        .join(', ')}}`;
      await conn.run(
        `COPY (SELECT r.minute::BIGINT * ${NS_PER_MINUTE} AS minute_start_unix_nano, k.service_name, k.name, k.kind, k.status_code, ` +
          `r.n::BIGINT AS span_count, r.e::BIGINT AS error_count, r.s::BIGINT AS duration_sum_nano, r.mx::BIGINT AS duration_max_nano, ` +
          `r.sketch AS duration_sketch FROM ${rows} r JOIN ${keyTable} k USING (id) ` +
          `ORDER BY minute_start_unix_nano, service_name, name, kind, status_code) ` +
          `TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd, KV_METADATA ${metadata})`,
      );
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${rows}`);
      await conn.run(`DROP TABLE IF EXISTS ${keyTable}`);
    }
  });
  await fsyncFile(path);
}

/** Reads a rollup file into a 1-minute table, interning its keys. */
export async function readRollupFile(engine: Engine, path: string, keys: RollupKeys): Promise<RollupTable> {
  const builder = new RollupTableBuilder(1);
  const keyTable = `rollup_file_keys_${randomBytes(6).toString('hex')}`;
  const file = readParquetSql([path]);
  await engine.withConnection(async (conn) => {
    await conn.run(
      `CREATE TEMP TABLE ${keyTable} AS SELECT (row_number() OVER () - 1)::INTEGER AS id, * ` +
        `FROM (SELECT DISTINCT service_name, name, kind, status_code FROM ${file})`,
    );
    try {
      const keyOf: number[] = [];
      for (const [id, service, name, kind, status] of (await conn.runAndReadAll(`SELECT * FROM ${keyTable}`)).getRows()) {
        keyOf[Number(id)] = keys.statusKey(String(service), String(name), Number(kind), Number(status));
      }
      const sql =
        `SELECT (f.minute_start_unix_nano // ${NS_PER_MINUTE})::INTEGER, k.id, f.span_count::DOUBLE, f.error_count::DOUBLE, ` +
        `f.duration_sum_nano::DOUBLE, f.duration_max_nano::DOUBLE, f.duration_sketch ` +
        `FROM ${file} f JOIN ${keyTable} k USING (service_name, name, kind, status_code)`;
      await forEachChunk(conn, sql, (chunk) => {
        const v = [0, 1, 2, 3, 4, 5].map((i) => chunk.getColumnVector(i));
        const sketch = chunk.getColumnVector(6);
        if (!(sketch instanceof DuckDBBlobVector)) throw new Error(`rollup: ${path}: duration_sketch is not a BLOB column`);
        for (let r = 0; r < chunk.rowCount; r++) {
          const bytes = sketch.getItemBytes(r);
          if (!bytes) throw new Error(`rollup: ${path}: row without a sketch`);
          const n = (i: number): number => v[i]!.getItem(r) as number;
          builder.addEncoded(n(0), keyOf[n(1)]!, n(2), n(3), n(4), n(5), bytes, 0, bytes.length);
        }
      });
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${keyTable}`);
    }
  });
  return builder.finish();
}
