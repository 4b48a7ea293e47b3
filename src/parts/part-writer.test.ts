import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, sqlString } from '../engine/duckdb.js';
import { writeParquetFile, type ParquetColumn } from './parquet/writer.js';
import { seededRandom } from './parquet/testing.js';
import { PART_FLUSH_ROWS, TRACE_PART_LAYOUT, writeParts, type PartSource } from './part-writer.js';
import { TraceIndex } from './trace-index.js';
import type { PartInfo } from './catalog.js';

const NS_PER_DAY = 86_400_000_000_000n;
const DAY0 = 20_000n * NS_PER_DAY;

/**
 * Rows of `traces` random traces of 1..maxSpans spans in arrival order, each
 * starting within `windowNs` around midnight (so some cross it); span s of a
 * trace starts at spanStart(trace start, s, rows so far).
 */
function randomTraces(random: () => number, traces: number, maxSpans: number, windowNs: bigint, spanStart: (base: bigint, s: number, row: number) => bigint) {
  const ids: number[] = [];
  const times: bigint[] = [];
  for (let t = 0; t < traces; t++) {
    const id = Array.from({ length: 16 }, () => Math.floor(random() * 256));
    const base = DAY0 + NS_PER_DAY - windowNs / 2n + BigInt(Math.floor(random() * Number(windowNs)));
    for (let s = 1 + Math.floor(random() * maxSpans); s > 0; s--) {
      ids.push(...id);
      times.push(spanStart(base, s, times.length));
    }
  }
  return { ids, times, rows: times.length };
}

/** A staging file: rows in arrival order, traces of up to 30 spans, some crossing midnight. */
async function stagedFile(path: string, random: () => number, traces: number, service: string) {
  const { ids, times, rows } = randomTraces(random, traces, 30, 10_000_000_000n, (base, s) => base + BigInt(s) * 1_000_000n);
  const columns: ParquetColumn[] = [
    { name: 'trace_id', kind: 'fixed16', values: Uint8Array.from(ids) },
    { name: 'start_time_unix_nano', kind: 'int64', values: BigInt64Array.from(times) },
    { name: 'service_name', kind: 'string', values: new Array<string>(rows).fill(service) },
  ];
  const { layout } = await writeParquetFile(path, rows, columns);
  return { rows, traceIds: Uint8Array.from(ids), startNs: BigInt64Array.from(times), layout };
}


/** A staging file with a column of every kind, nulls, dictionary and PLAIN strings, and a column only some files have. */
async function richStagedFile(path: string, random: () => number, traces: number, f: number) {
  // spans out of start order, as they arrive from real SDKs; no two start together
  const { ids, times, rows } = randomTraces(random, traces, 12, 4_000_000_000n, (base, _, row) => base + BigInt(Math.floor(random() * 1_000_000)) * 1000n + BigInt(row));
  const nulls = (rate: number) => Uint8Array.from({ length: rows }, () => (random() < rate ? 1 : 0));
  const columns: ParquetColumn[] = [
    { name: 'trace_id', kind: 'fixed16', values: Uint8Array.from(ids) },
    { name: 'span_id', kind: 'fixed8', values: Uint8Array.from({ length: rows * 8 }, () => Math.floor(random() * 256)) },
    { name: 'start_time_unix_nano', kind: 'int64', values: BigInt64Array.from(times) },
    { name: 'service_name', kind: 'string', values: Array.from({ length: rows }, () => `svc-${Math.floor(random() * 5)}`) },
    { name: 'kind', kind: 'int32', values: Uint8Array.from({ length: rows }, () => Math.floor(random() * 5)) },
    { name: 'span.ratio::double', kind: 'double', values: Float64Array.from({ length: rows }, () => random()), nulls: nulls(0.3) },
    { name: 'has_exception', kind: 'boolean', values: Uint8Array.from({ length: rows }, () => (random() < 0.1 ? 1 : 0)), nulls: nulls(0.2) },
    { name: 'span.user.id', kind: 'string', values: Array.from({ length: rows }, (_, i) => (random() < 0.4 ? undefined : `user-${f}-${i}-é`)) },
    { name: 'span.http.route', kind: 'string', values: Array.from({ length: rows }, () => (random() < 0.5 ? undefined : `/api/${Math.floor(random() * 7)}`)) },
  ];
  if (f % 2 === 1) columns.push({ name: `span.only.odd.files`, kind: 'int64', values: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i * f)) });
  const { layout } = await writeParquetFile(path, rows, columns);
  return { rows, traceIds: Uint8Array.from(ids), startNs: BigInt64Array.from(times), layout };
}

/** Every row of every trace in each part lies in a row range its trace index names. */
async function assertIndexCoversEveryTrace(engine: Engine, dir: string, parts: readonly PartInfo[]): Promise<void> {
  for (const p of parts) {
    const index = await TraceIndex.read(join(dir, p.traceIndexPath!));
    assert.equal(index.rowCount, p.rows);
    const found = await engine.all(
      `SELECT trace_id, list(file_row_number) AS rows FROM read_parquet(${sqlString(join(dir, p.path))}, file_row_number = true) GROUP BY trace_id`,
    );
    assert.ok(found.length > 100);
    const [count] = await engine.all(`SELECT count(*) AS n, min(start_time_unix_nano) AS lo, max(start_time_unix_nano) AS hi FROM read_parquet(${sqlString(join(dir, p.path))})`);
    assert.equal(Number(count!['n']), p.rows);
    assert.equal(String(count!['lo']), p.minStartNs);
    assert.equal(String(count!['hi']), p.maxStartNs);
    for (const r of found) {
      const ranges = index.rowRanges(r['trace_id'] as Uint8Array);
      for (const row of r['rows'] as bigint[]) assert.ok(ranges.some((x) => Number(row) >= x.from && Number(row) < x.to), `row ${row} of part ${p.day}`);
    }
  }
}

describe('writeParts', () => {
  it('writes parts of bounded size whose trace index names the rows of every trace, also for a flush spanning two days', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'part-writer-'));
    const engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '512MB' });
    try {
      const random = seededRandom(21);
      const files = [];
      for (let f = 0; f < 8; f++) files.push({ path: join(dir, `staged-${f}.parquet`), ...(await stagedFile(join(dir, `staged-${f}.parquet`), random, 10_000, `svc-${f}`)) });
      const rows = files.reduce((n, f) => n + f.rows, 0);
      const source: PartSource = {
        paths: files.map((f) => f.path),
        traceIds: Buffer.concat(files.map((f) => f.traceIds)),
        startNs: BigInt64Array.from(files.flatMap((f) => [...f.startNs])),
        columns: new Set(['trace_id', 'start_time_unix_nano', 'service_name']),
        services: new Set(files.map((_, f) => `svc-${f}`)),
      };
      const parts = await writeParts(engine, dir, TRACE_PART_LAYOUT, source, 0);
      assert.ok(rows > PART_FLUSH_ROWS);
      assert.deepEqual(new Set(parts.map((p) => p.day)).size, 2, 'parts never cross a day');
      assert.ok(parts.length >= 3, 'the bigger day is split by trace id');
      assert.ok(parts.every((p) => p.rows <= PART_FLUSH_ROWS));
      assert.equal(parts.reduce((n, p) => n + p.rows, 0), rows);
      await assertIndexCoversEveryTrace(engine, dir, parts);
    } finally {
      engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('sorts rows itself from the staging files\' page layouts: the same parts, row for row, as DuckDB\'s ORDER BY', async (t) => {
    const errors = t.mock.method(console, 'error');
    const dir = await mkdtemp(join(tmpdir(), 'part-writer-'));
    const engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '512MB' });
    try {
      const random = seededRandom(23);
      const files = [];
      for (let f = 0; f < 6; f++) files.push({ path: join(dir, `staged-${f}.parquet`), ...(await richStagedFile(join(dir, `staged-${f}.parquet`), random, 6_000, f)) });
      const columns = new Set((await engine.all(`DESCRIBE SELECT * FROM read_parquet([${files.map((f) => sqlString(f.path)).join(', ')}], union_by_name = true)`)).map((r) => String(r['column_name'])));
      const base = {
        paths: files.map((f) => f.path),
        traceIds: Buffer.concat(files.map((f) => f.traceIds)),
        startNs: BigInt64Array.from(files.flatMap((f) => [...f.startNs])),
        columns,
        services: new Set(['svc-0', 'svc-1', 'svc-2', 'svc-3', 'svc-4']),
      };
      const regrouped = await writeParts(engine, dir, TRACE_PART_LAYOUT, { ...base, layouts: files.map((f) => f.layout) }, 0, 40_000);
      assert.deepEqual(errors.mock.calls.map((c) => c.arguments), [], 'no fallback to DuckDB\'s sort');
      const sortedByDuckDB = await writeParts(engine, dir, TRACE_PART_LAYOUT, base, 0, 40_000);
      assert.equal(regrouped.length, sortedByDuckDB.length);
      assert.ok(regrouped.length >= 5, 'two days, each split by trace id');
      for (let i = 0; i < regrouped.length; i++) {
        const [a, b] = [regrouped[i]!, sortedByDuckDB[i]!];
        assert.deepEqual({ ...a, id: '', path: '', traceIndexPath: '', createdAtMs: 0, bytes: 0 }, { ...b, id: '', path: '', traceIndexPath: '', createdAtMs: 0, bytes: 0 });
        const rowsOf = async (p: PartInfo) =>
          JSON.stringify(await engine.all(`SELECT * FROM read_parquet(${sqlString(join(dir, p.path))}, file_row_number = true) ORDER BY file_row_number`), (_, v) =>
            typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
          );
        const [ra, rb] = [await rowsOf(a), await rowsOf(b)];
        assert.ok(ra === rb, `part ${i}: rows differ`);
        const [ta, tb] = await Promise.all([a, b].map((p) => engine.all(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlString(join(dir, p.path))}))`)));
        assert.deepEqual(ta, tb);
      }
      await assertIndexCoversEveryTrace(engine, dir, regrouped);
    } finally {
      engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('writes an index without fences for parts not sorted by trace id, still naming every trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'part-writer-'));
    const engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '512MB' });
    try {
      const random = seededRandom(22);
      const path = join(dir, 'staged.parquet');
      const file = await stagedFile(path, random, 500, 'svc');
      const source: PartSource = { paths: [path], traceIds: file.traceIds, startNs: file.startNs, columns: new Set(['trace_id', 'start_time_unix_nano', 'service_name']), services: new Set(['svc']) };
      const layout = { stream: 'by-time', timeColumn: 'start_time_unix_nano', sortSql: 'start_time_unix_nano', rowGroupRows: 1024 };
      const parts = await writeParts(engine, dir, layout, source, 0);
      assert.equal(parts.reduce((n, p) => n + p.rows, 0), file.rows);
      await assertIndexCoversEveryTrace(engine, dir, parts);
    } finally {
      engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
