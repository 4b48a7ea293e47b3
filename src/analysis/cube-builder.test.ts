// Span cubes built by the flush's regrouping worker: the same cube, row for
// row, as DuckDB's GROUP BY of the part's spans (cube-file.ts), and the same
// duration bucket and range as the SQL the comparison computes on spans.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readParquetSql, sqlString } from '../engine/duckdb.js';
import { CREATED_BY } from '../parts/parquet/writer.js';
import { generateBackground, storeDataset } from './compare-test-helpers.js';
import { CUBE_DURATION_BUCKET, CUBE_DURATION_RANGE, CUBE_LOG_DURATION_SUM, CUBE_SPAN_COUNT, SpanCubeBuilder, durationBucket, durationRangeMs } from './cube-builder.js';
import type { ParquetColumn } from '../parts/parquet/writer.js';
import { readParquetRows, stringEntriesColumn, withDuckDB, withTempDir } from '../parts/parquet/testing.js';
import { seededRandom } from '../model/seeded-random.js';
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

describe('span cube builder on hand-made columns', () => {
  /** Rows with every edge the grouping has a path for, and the groups a plain Map of the rows' keys makes. */
  function handMadeRun(rows: number) {
    const random = seededRandom(11);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    const maybe = <T>(share: number, value: T): T | undefined => (random() < share ? value : undefined);
    const services = Array.from({ length: rows }, () => pick(['cart', 'checkout', 'payment']));
    const names = Array.from({ length: rows }, () => pick(['GET', 'POST']));
    const kinds = Int32Array.from({ length: rows }, () => pick([1, 2, 3]));
    // int64 beyond the small values' array (negative, 2^40, the edge 4096), some rows null
    const bigs = Array.from({ length: rows }, () => maybe(0.7, pick([-5n, 0n, 7n, 2n ** 40n, 4095n, 4096n])));
    // booleans stored as any non-zero byte
    const flags = Array.from({ length: rows }, () => maybe(0.5, pick([0, 1, 7])));
    // a sparse string: groups with one value and rows without one, groups with two values and rows without
    const sparse = Array.from({ length: rows }, () => maybe(0.1, pick(['p', 'q'])));
    const ids = Array.from({ length: rows }, (_, i) => BigInt(i * 7919));
    const durations = Array.from({ length: rows }, () => maybe(0.95, pick([0n, 1n, -5n, 2n ** 60n, 999_999n, 1_000_000n, 1_999_999n, 2_000_000n, BigInt(Math.floor(random() * 1e10))])));
    const nullsOf = (values: readonly unknown[]) => Uint8Array.from(values, (v) => (v === undefined ? 1 : 0));
    const distinct = (name: string, values: readonly string[]): ParquetColumn => {
      const { nulls: _, ...column } = stringEntriesColumn(name, values) as Extract<ParquetColumn, { kind: 'string-entries' }>;
      return { ...column, distinctEntries: true };
    };
    const columns: ParquetColumn[] = [
      distinct('service_name', services),
      distinct('name', names),
      { name: 'kind', kind: 'int32', values: kinds },
      { name: 'span.big::int', kind: 'int64', values: BigInt64Array.from(bigs, (v) => v ?? 0n), nulls: nullsOf(bigs) },
      { name: 'span.flag::bool', kind: 'boolean', values: Uint8Array.from(flags, (v) => v ?? 0), nulls: nullsOf(flags) },
      stringEntriesColumn('span.sparse', sparse),
      { name: 'span.id::int', kind: 'int64', values: BigInt64Array.from(ids) },
      { name: 'duration_nano', kind: 'int64', values: BigInt64Array.from(durations, (v) => v ?? 0n), nulls: nullsOf(durations) },
    ];
    const groups = new Map<string, { spans: number; logSum: number }>();
    for (let i = 0; i < rows; i++) {
      const d = durations[i] === undefined ? undefined : Number(durations[i]);
      // a duration < 0 has no bucket (NaN): the INTEGER column holds 0, as it did before
      const bucket = d === undefined ? null : Number.isNaN(durationBucket(d)) ? 0 : durationBucket(d);
      const key = JSON.stringify([services[i], names[i], kinds[i], bigs[i]?.toString() ?? null, flags[i] === undefined ? null : flags[i] !== 0, sparse[i] ?? null, bucket, d === undefined ? null : durationRangeMs(d)]);
      const group = groups.get(key) ?? { spans: 0, logSum: 0 };
      group.spans++;
      if (d !== undefined) group.logSum += Math.log(d + 1);
      groups.set(key, group);
    }
    return { columns, groups };
  }

  it('groups every row as a plain grouping by its values does, and leaves out the diverse column', async () => {
    const rows = 5000;
    const { columns, groups } = handMadeRun(rows);
    await withTempDir(async (dir) => {
      const path = join(dir, 'run.cube.parquet');
      const candidates = ['service_name', 'name', 'kind', 'span.big::int', 'span.flag::bool', 'span.sparse', 'span.id::int'];
      const builder = new SpanCubeBuilder([rows], { candidates, always: ['service_name', 'name', 'kind'], paths: [path] });
      for (const c of columns) builder.add(0, c);
      const [cube] = builder.finish();
      assert.deepEqual(cube, { grouped: candidates.slice(0, 6), highCardinality: ['span.id::int'] });
      const cubeRows = await withDuckDB((connection) => readParquetRows(connection, path));
      const got = new Map<string, { spans: number; logSum: number }>();
      for (const r of cubeRows) {
        const key = JSON.stringify([r['service_name'], r['name'], r['kind'], r['span.big::int']?.toString() ?? null, r['span.flag::bool'], r['span.sparse'], r[CUBE_DURATION_BUCKET], r[CUBE_DURATION_RANGE]]);
        got.set(key, { spans: Number(r[CUBE_SPAN_COUNT]), logSum: r[CUBE_LOG_DURATION_SUM] === null ? 0 : Number(r[CUBE_LOG_DURATION_SUM]) });
      }
      assert.equal(got.size, cubeRows.length, 'one cube row per key');
      assert.deepEqual([...got.keys()].sort(), [...groups.keys()].sort());
      for (const [key, expected] of groups) {
        assert.equal(got.get(key)!.spans, expected.spans, key);
        const logSum = got.get(key)!.logSum;
        // ln of a duration < -1 is NaN: so is the sum
        assert.ok(Number.isNaN(expected.logSum) ? Number.isNaN(logSum) : Math.abs(logSum - expected.logSum) < 1e-9 * Math.max(1, expected.logSum), key);
      }
    });
  });
});
