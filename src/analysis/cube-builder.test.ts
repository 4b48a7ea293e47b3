// Span cubes built by the flush's regrouping worker: the same cube, row for
// row, as DuckDB's GROUP BY of the part's spans (cube-file.ts), and the same
// duration bucket and range as the SQL the comparison computes on spans.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readParquetSql, sqlString } from '../engine/duckdb.js';
import { CREATED_BY } from '../parts/parquet/writer.js';
import { generateBackground, storeDataset } from './compare-test-helpers.js';
import { durationBucket, durationRangeMs } from './cube-builder.js';
import { readCubeColumns, writeCubeFromSpans } from './cube-file.js';
import { DURATION_RANGE_SQL } from './compare-dimensions.js';
import { DURATION_BUCKET_SQL } from './compare-sql.js';

/** Durations where bucket or range change, a few ns either side, and others spread over 1 ns .. ~3 h. */
function boundaryDurations(): bigint[] {
  const out = new Set<bigint>([0n, 1n, 2n]);
  const near = (x: number): void => {
    const base = BigInt(Math.round(x));
    for (let d = -2n; d <= 2n; d++) if (base + d >= 0n) out.add(base + d);
  };
  for (let k = 0; k <= 16 * 30; k++) near(Math.exp(k / 16) - 1);
  for (let e = 0; e <= 13; e++) for (const m of [1, 2, 5]) near(m * 10 ** e);
  let x = 12345;
  for (let i = 0; i < 2000; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out.add(BigInt(Math.floor(Math.exp((x / 2 ** 31) * 30))));
  }
  return [...out];
}

describe('span cube builder', () => {
  it('computes the duration bucket and range exactly as the SQL on spans does', async () => {
    const ds = await storeDataset(generateBackground(20, 1));
    try {
      const durations = boundaryDurations();
      const rows = await ds.engine.all(
        `SELECT duration_nano, ${DURATION_BUCKET_SQL} AS b, ${DURATION_RANGE_SQL} AS r FROM (SELECT unnest([${durations.join(', ')}]::BIGINT[]) AS duration_nano)`,
      );
      assert.equal(rows.length, durations.length);
      for (const row of rows) {
        const d = Number(row['duration_nano']);
        assert.equal(durationBucket(d), Number(row['b']), `bucket of ${d} ns`);
        assert.equal(durationRangeMs(d), Number(row['r']), `range of ${d} ns`);
      }
    } finally {
      await ds.close();
    }
  });

  it('writes with each flushed part the cube DuckDB groups from its spans', async () => {
    const ds = await storeDataset(generateBackground(1500, 7, 0.03));
    try {
      const parts = ds.store.catalog.snapshot.parts;
      assert.ok(parts.length > 0);
      for (const part of parts) {
        assert.ok(part.cubePath, `part ${part.id} has a cube`);
        const mine = join(ds.dataDir, part.cubePath);
        const [meta] = await ds.engine.all(`SELECT created_by FROM parquet_file_metadata(${sqlString(mine)})`);
        assert.equal(meta!['created_by'], CREATED_BY, 'written by the flush worker, not by DuckDB');
        const theirs = join(ds.dataDir, `${part.id}.reference.cube.parquet`);
        const range = { fromNs: BigInt(part.minStartNs), toNs: BigInt(part.maxStartNs) };
        const expected = await writeCubeFromSpans(ds.engine, [join(ds.dataDir, part.path)], part.columns, range, theirs);
        assert.deepEqual(await readCubeColumns(ds.engine, mine), expected);
        assert.deepEqual(part.cubeHighCardinality, expected.highCardinality);
        // the sums of logarithms may differ in their last bits: added in another order
        const rounded = (path: string) => `SELECT * REPLACE (round(log_duration_sum, 6) AS log_duration_sum) FROM ${readParquetSql([path])}`;
        const [diff] = await ds.engine.all(
          `SELECT (SELECT count(*) FROM (${rounded(mine)} EXCEPT ALL ${rounded(theirs)}))::INTEGER AS extra, ` +
            `(SELECT count(*) FROM (${rounded(theirs)} EXCEPT ALL ${rounded(mine)}))::INTEGER AS missing, ` +
            `(SELECT count(*) FROM ${readParquetSql([mine])})::INTEGER AS n, (SELECT sum(span_count) FROM ${readParquetSql([mine])})::INTEGER AS spans`,
        );
        assert.deepEqual(diff, { extra: 0, missing: 0, n: diff!['n'], spans: part.rows });
        assert.ok(Number(diff!['n']) > 10, 'the cube has rows');
        // cube rows in service, then span name order
        const rows = await ds.engine.all(`SELECT service_name, name FROM ${readParquetSql([mine], { fileRowNumber: true })} ORDER BY file_row_number`);
        const keys = rows.map((r) => [String(r['service_name']), String(r['name'])] as const);
        for (let k = 1; k < keys.length; k++) {
          const [ps, pn] = keys[k - 1]!;
          const [s, n] = keys[k]!;
          assert.ok(Buffer.compare(Buffer.from(ps), Buffer.from(s)) < 0 || (ps === s && Buffer.compare(Buffer.from(pn), Buffer.from(n)) <= 0), `cube row ${k} in order`);
        }
      }
    } finally {
      await ds.close();
    }
  });
});
