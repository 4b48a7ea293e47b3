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
import { ownEntriesColumn, readParquetRows, stringEntriesColumn, withDuckDB, withTempDir } from '../parts/parquet/testing.js';
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

describe('span cube builder against a plain grouping, row for row', () => {
  /** A value as the key of a plain grouping, and as DuckDB reads it back: -0 is 0, NaN one value, null none. */
  const keyOf = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'number') return Number.isNaN(v) ? 'n:NaN' : `n:${v === 0 ? 0 : v}`;
    return `${typeof v}:${String(v)}`;
  };
  /** A mask whose first byte is `by` bytes past a word of its buffer: the rows before the mask's first whole word are read one by one. */
  const shifted = (mask: Uint8Array, by: number): Uint8Array => {
    const buffer = new Uint8Array(mask.length + by);
    buffer.set(mask, by);
    return buffer.subarray(by);
  };

  /** Columns of every path the builder takes (dense, sparse, of one value, small and large numbers, non-distinct entries), and each row's values. */
  function variedRun(rows: number) {
    const random = seededRandom(23);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    const maybe = <T>(share: number, value: T): T | undefined => (random() < share ? value : undefined);
    const nullsOf = (values: readonly unknown[]) => Uint8Array.from(values, (v) => (v === undefined ? 1 : 0));
    const distinct = (name: string, values: readonly (string | undefined)[], maskShift: number): ParquetColumn => {
      const column = stringEntriesColumn(name, values) as Extract<ParquetColumn, { kind: 'string-entries' }>;
      const { nulls, ...rest } = column;
      return { ...rest, distinctEntries: true, ...(values.includes(undefined) ? { nulls: shifted(nulls!, maskShift) } : {}) };
    };
    const int64s = (name: string, values: readonly (bigint | undefined)[], maskShift: number, nullValue = 0n): ParquetColumn => ({
      name,
      kind: 'int64',
      values: BigInt64Array.from(values, (v) => v ?? nullValue),
      ...(values.includes(undefined) ? { nulls: shifted(nullsOf(values), maskShift) } : {}),
    });
    // service names whose UTF-8 bytes sort otherwise than their JS strings would
    const services = Array.from({ length: rows }, () => pick(['zé', 'Zeta', 'cart', 'z\u{1F600}', 'z\uFFFD']));
    const names = Array.from({ length: rows }, () => maybe(0.97, pick(['GET', 'POST', 'get'])));
    const kinds = Array.from({ length: rows }, () => pick([1, 2, 3]));
    const zones = Array.from({ length: rows }, () => maybe(0.97, pick(['a', 'b', 'c'])));
    const sparse = Array.from({ length: rows }, () => maybe(0.02, pick(['p', 'q'])));
    const ports = Array.from({ length: rows }, () => pick([443n, 8080n, 50051n, -1n, 2n ** 40n]));
    const counts = Array.from({ length: rows }, () => maybe(0.9, pick([0n, 1n, 4095n])));
    const ratios = Array.from({ length: rows }, () => maybe(0.7, pick([0, -0, NaN, 1.5, 2.5])));
    const oks = Array.from({ length: rows }, () => pick([0, 1, 7]));
    const threes = Array.from({ length: rows }, () => maybe(0.5, 3n));
    const durations = Array.from({ length: rows }, () => maybe(0.98, pick([0n, 1n, -5n, 2n ** 60n, 999_999n, 1_000_000n, 1_999_999n, 2_000_000n, BigInt(Math.floor(random() * 1e10))])));
    const columns: ParquetColumn[] = [
      distinct('service_name', services, 0),
      distinct('name', names, 1),
      { name: 'kind', kind: 'int32', values: Int32Array.from(kinds) },
      { name: 'status_code', kind: 'int32', values: new Int32Array(rows) },
      distinct('resource.env', Array.from({ length: rows }, () => 'prod'), 0),
      distinct('resource.zone', zones, 3),
      { ...(ownEntriesColumn('span.sparse', sparse) as Extract<ParquetColumn, { kind: 'string-entries' }>), nulls: shifted(nullsOf(sparse), 2) },
      int64s('span.port::int', ports, 0),
      // rows without a value hold a large number: only the rows with one are read
      int64s('span.count::int', counts, 1, 2n ** 40n),
      { name: 'span.ratio::double', kind: 'double', values: Float64Array.from(ratios, (v) => v ?? 0), nulls: shifted(nullsOf(ratios), 2) },
      { name: 'span.ok::bool', kind: 'boolean', values: Uint8Array.from(oks) },
      int64s('span.three::int', threes, 3),
      int64s('duration_nano', durations, 0),
    ];
    const valuesOf = (i: number): unknown[] => {
      const d = durations[i] === undefined ? undefined : Number(durations[i]);
      // a duration < 0 has no bucket (NaN): the INTEGER column holds 0
      const bucket = d === undefined ? undefined : Number.isNaN(durationBucket(d)) ? 0 : durationBucket(d);
      return [services[i], names[i], kinds[i], 0, 'prod', zones[i], sparse[i], ports[i], counts[i], ratios[i], oks[i] !== 0, threes[i], bucket, d === undefined ? undefined : durationRangeMs(d)];
    };
    return { columns, durations, valuesOf };
  }

  it('writes the groups of a plain Map of the rows, by service, span name, then first row, with the same sums', async () => {
    const rows = 6001;
    const { columns, durations, valuesOf } = variedRun(rows);
    const dimensions = ['service_name', 'name', 'kind', 'status_code', 'resource.env', 'resource.zone', 'span.sparse', 'span.port::int', 'span.count::int', 'span.ratio::double', 'span.ok::bool', 'span.three::int'];
    // the plain grouping: a Map of each row's values, its sums added in row order as the builder adds them
    const groups = new Map<string, { values: unknown[]; first: number; spans: number; logSum: number | undefined }>();
    for (let i = 0; i < rows; i++) {
      const values = valuesOf(i);
      const key = values.map(keyOf).join('\u0000');
      const group = groups.get(key) ?? { values, first: i, spans: 0, logSum: undefined };
      group.spans++;
      if (durations[i] !== undefined) group.logSum = (group.logSum ?? 0) + Math.log(Number(durations[i]) + 1);
      groups.set(key, group);
    }
    const bytes = (v: unknown) => (v === undefined ? undefined : Buffer.from(String(v)));
    // null span names last, as DuckDB's ORDER BY puts them
    const byBytes = (a: Buffer | undefined, b: Buffer | undefined) => (a === undefined ? (b === undefined ? 0 : 1) : b === undefined ? -1 : Buffer.compare(a, b));
    const expected = [...groups.values()].sort((a, b) => byBytes(bytes(a.values[0]), bytes(b.values[0])) || byBytes(bytes(a.values[1]), bytes(b.values[1])) || a.first - b.first);
    await withTempDir(async (dir) => {
      const path = join(dir, 'run.cube.parquet');
      const builder = new SpanCubeBuilder([rows], { candidates: dimensions, always: dimensions, paths: [path] });
      for (const c of columns) builder.add(0, c);
      assert.deepEqual(builder.finish(), [{ grouped: dimensions, highCardinality: [] }]);
      const cubeRows = await withDuckDB((connection) => readParquetRows(connection, path));
      const got = cubeRows.map((r) => ({
        key: [...dimensions, CUBE_DURATION_BUCKET, CUBE_DURATION_RANGE].map((c) => keyOf(r[c])).join('\u0000'),
        spans: Number(r[CUBE_SPAN_COUNT]),
        logSum: keyOf(r[CUBE_LOG_DURATION_SUM]),
      }));
      assert.deepEqual(
        got,
        expected.map((g) => ({ key: g.values.map(keyOf).join('\u0000'), spans: g.spans, logSum: keyOf(g.logSum) })),
      );
    });
  });
});
