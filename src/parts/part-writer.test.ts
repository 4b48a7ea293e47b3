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

/** A staging file: rows in arrival order, traces of up to 30 spans, some crossing midnight. */
async function stagedFile(path: string, random: () => number, traces: number, service: string) {
  const ids: number[] = [];
  const times: bigint[] = [];
  for (let t = 0; t < traces; t++) {
    const id = Array.from({ length: 16 }, () => Math.floor(random() * 256));
    // every trace's spans straddle the day boundary now and then
    const base = DAY0 + NS_PER_DAY - 5_000_000_000n + BigInt(Math.floor(random() * 10_000_000_000));
    for (let s = 1 + Math.floor(random() * 30); s > 0; s--) {
      ids.push(...id);
      times.push(base + BigInt(s) * 1_000_000n);
    }
  }
  const rows = times.length;
  const columns: ParquetColumn[] = [
    { name: 'trace_id', kind: 'fixed16', values: Uint8Array.from(ids) },
    { name: 'start_time_unix_nano', kind: 'int64', values: BigInt64Array.from(times) },
    { name: 'service_name', kind: 'string', values: new Array<string>(rows).fill(service) },
  ];
  await writeParquetFile(path, rows, columns);
  return { rows, traceIds: columns[0]!.values as Uint8Array, startNs: columns[1]!.values as BigInt64Array };
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
