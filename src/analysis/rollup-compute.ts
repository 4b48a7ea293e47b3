// Rollups from raw spans (staging files at flush and for the head, parts
// that predate rollups) in one DuckDB pass: spans are counted per (file,
// minute, service, name, kind, status, sketch bucket) — the bucket index is
// computed in SQL with the sketch's own mapping — into a temporary table.
// Key strings then cross into JS once per key; the counts cross as plain
// numbers (no strings, lists or objects per row), sorted so each rollup row
// is one run of buckets.

import type { DuckDBConnection } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { readParquetSql, sqlString, type Engine } from '../engine/duckdb.js';
import { forEachChunk } from './rollup-file.js';
import { NS_PER_MINUTE, STATUS_ERROR } from './rollup-builder.js';
import { RollupTableBuilder, type RollupKeys, type RollupTable } from './rollup-table.js';
import { DDSketch, SKETCH_GAMMA } from './sketch.js';

/** ln γ as a DOUBLE literal that round-trips exactly, so SQL and JS buckets agree */
const LN_GAMMA_SQL = Math.log(SKETCH_GAMMA).toExponential();

/** SQL of a span's sketch bucket; NULL for the zero bucket (duration ≤ 0). */
export const BUCKET_SQL = `CASE WHEN duration_nano > 0 THEN ceil(ln(duration_nano) / ${LN_GAMMA_SQL})::INTEGER END`;

/**
 * One-minute rollups of the spans in `paths` (absolute Parquet paths): one
 * table per path, or with `perFile` false one table of them all (keyed '').
 * `where` (SQL over span columns) narrows the spans.
 */
export async function computeRollups(
  engine: Engine,
  paths: readonly string[],
  keys: RollupKeys,
  where = 'TRUE',
  perFile = true,
): Promise<Map<string, RollupTable>> {
  const names = perFile ? [...paths] : [''];
  const builders = names.map(() => new RollupTableBuilder(1));
  if (paths.length === 0) return new Map();
  const suffix = randomBytes(6).toString('hex');
  const counts = `rollup_counts_${suffix}`;
  const keyTable = `rollup_keys_${suffix}`;
  const fileIndex = perFile ? `list_position([${paths.map(sqlString).join(', ')}], filename)::INTEGER - 1` : '0';
  await engine.withConnection(async (conn) => {
    await conn.run(
      `CREATE TEMP TABLE ${counts} AS SELECT ${fileIndex} AS file, service_name, name, kind, status_code, ` +
        `(start_time_unix_nano // ${NS_PER_MINUTE})::INTEGER AS minute, ${BUCKET_SQL} AS bucket, ` +
        `count(*)::DOUBLE AS n, sum(duration_nano)::DOUBLE AS s, max(duration_nano)::DOUBLE AS mx ` +
        `FROM ${readParquetSql(paths, { filename: true })} WHERE ${where} GROUP BY ALL`,
    );
    try {
      await conn.run(
        `CREATE TEMP TABLE ${keyTable} AS SELECT (row_number() OVER () - 1)::INTEGER AS id, * ` +
          `FROM (SELECT DISTINCT service_name, name, kind, status_code FROM ${counts})`,
      );
      const keyOf: number[] = [];
      const statusOf: number[] = [];
      const keyRows = (await conn.runAndReadAll(`SELECT id, service_name, name, kind, status_code FROM ${keyTable}`)).getRows();
      for (const [id, service, name, kind, status] of keyRows) {
        keyOf[Number(id)] = keys.statusKey(String(service), String(name), Number(kind), Number(status));
        statusOf[Number(id)] = Number(status);
      }
      await readRuns(
        conn,
        `SELECT c.file, k.id, c.minute, c.bucket, c.n, c.s, c.mx FROM ${counts} c JOIN ${keyTable} k USING (service_name, name, kind, status_code) ` +
          `ORDER BY c.file, c.minute, k.id, c.bucket NULLS FIRST`,
        (file, keyId, minute, sketch, n, sumNs, maxNs) => {
          const errors = statusOf[keyId] === STATUS_ERROR ? n : 0;
          builders[file]!.add(minute, keyOf[keyId]!, n, errors, sumNs, maxNs, sketch);
        },
      );
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${counts}`);
      await conn.run(`DROP TABLE IF EXISTS ${keyTable}`);
    }
  });
  return new Map(names.map((p, i) => [p, builders[i]!.finish()]));
}

type RunHandler = (file: number, keyId: number, minute: number, sketch: DDSketch, count: number, sumNs: number, maxNs: number) => void;

/** Reads (file, key, minute, bucket, n, s, mx) rows sorted by (file, minute, key) and hands over one rollup row per run. */
async function readRuns(conn: DuckDBConnection, sql: string, onRow: RunHandler): Promise<void> {
  const sketch = new DDSketch();
  let file = -1;
  let keyId = -1;
  let minute = 0;
  let count = 0;
  let sumNs = 0;
  let maxNs = -Infinity;
  const emit = (): void => {
    if (file >= 0) onRow(file, keyId, minute, sketch, count, sumNs, maxNs);
    sketch.clear();
    count = 0;
    sumNs = 0;
    maxNs = -Infinity;
  };
  await forEachChunk(conn, sql, (chunk) => {
    const v = [0, 1, 2, 3, 4, 5, 6].map((i) => chunk.getColumnVector(i));
    for (let r = 0; r < chunk.rowCount; r++) {
      const f = v[0]!.getItem(r) as number;
      const k = v[1]!.getItem(r) as number;
      const m = v[2]!.getItem(r) as number;
      if (f !== file || k !== keyId || m !== minute) {
        emit();
        file = f;
        keyId = k;
        minute = m;
      }
      const bucket = v[3]!.getItem(r) as number | null;
      const n = v[4]!.getItem(r) as number;
      if (bucket === null) sketch.add(0, n);
      else sketch.addToBucket(bucket, n);
      count += n;
      sumNs += v[5]!.getItem(r) as number;
      const mx = v[6]!.getItem(r) as number;
      if (mx > maxNs) maxNs = mx;
    }
  });
  emit();
}
