// Part layout experiment: the same realistic spans written as parts with
// different sort orders, zstd levels, row-group sizes and Parquet versions;
// prints bytes/span for each and the biggest columns of the chosen layout.
// The figures behind docs/storage.md.
//
//   node dist/bench/storage-layout.js [--spans 500000]

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine, readParquetSql, sqlString } from '../src/engine/duckdb.js';
import { SpanBatchBuilder } from '../src/model/span-batch-builder.js';
import type { SpanBatch } from '../src/model/span-batch.js';
import { generateTraces } from '../src/loadgen/trace-generator.js';
import { Rng } from '../src/loadgen/rng.js';
import { spanRowColumns } from '../src/parts/span-columns.js';
import { writeParquetFile } from '../src/parts/parquet/writer.js';
import { DEFAULT_DEDICATED_COLUMNS } from '../src/parts/schema.js';

interface Layout {
  name: string;
  orderBy: string;
  options: string;
}

const LAYOUTS: Layout[] = [
  { name: 'trace_id,start zstd3 rg64k v2', orderBy: 'trace_id, start_time_unix_nano', options: 'COMPRESSION zstd, ROW_GROUP_SIZE 65536, PARQUET_VERSION v2' },
  { name: 'trace_id,start zstd3 rg64k v1', orderBy: 'trace_id, start_time_unix_nano', options: 'COMPRESSION zstd, ROW_GROUP_SIZE 65536' },
  { name: 'trace_id,start zstd9 rg64k v2', orderBy: 'trace_id, start_time_unix_nano', options: 'COMPRESSION zstd, COMPRESSION_LEVEL 9, ROW_GROUP_SIZE 65536, PARQUET_VERSION v2' },
  { name: 'trace_id,start zstd3 rg16k v2', orderBy: 'trace_id, start_time_unix_nano', options: 'COMPRESSION zstd, ROW_GROUP_SIZE 16384, PARQUET_VERSION v2' },
  { name: 'trace_id,start zstd3 rg256k v2', orderBy: 'trace_id, start_time_unix_nano', options: 'COMPRESSION zstd, ROW_GROUP_SIZE 262144, PARQUET_VERSION v2' },
  { name: 'service,name,start zstd3 rg64k v2', orderBy: 'service_name, name, start_time_unix_nano', options: 'COMPRESSION zstd, ROW_GROUP_SIZE 65536, PARQUET_VERSION v2' },
  { name: 'service,trace_id zstd3 rg64k v2', orderBy: 'service_name, trace_id, start_time_unix_nano', options: 'COMPRESSION zstd, ROW_GROUP_SIZE 65536, PARQUET_VERSION v2' },
  { name: 'unsorted zstd3 rg64k v2', orderBy: '', options: 'COMPRESSION zstd, ROW_GROUP_SIZE 65536, PARQUET_VERSION v2' },
];

function realisticBatches(spans: number): SpanBatch[] {
  const rng = new Rng(42);
  const batches: SpanBatch[] = [];
  let now = BigInt(Date.UTC(2026, 10, 21, 12)) * 1_000_000n;
  let total = 0;
  while (total < spans) {
    const b = new SpanBatchBuilder();
    generateTraces(b, { traces: 50, rng, nowUnixNano: now });
    const batch = b.finish();
    batches.push(batch);
    total += batch.length;
    now += 50_000_000n; // ~20k spans/s of traffic
  }
  return batches;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { spans: { type: 'string', default: '500000' } } });
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-layout-'));
  const engine = await Engine.create({ dataDir: dir, threads: 2, memoryLimit: '4GB' });
  try {
    const batches = realisticBatches(Number(values.spans));
    const staging: string[] = [];
    let rows = 0;
    for (let i = 0; i < batches.length; i += 200) {
      const group = batches.slice(i, i + 200);
      const cols = spanRowColumns(group, DEFAULT_DEDICATED_COLUMNS);
      const n = group.reduce((s, b) => s + b.length, 0);
      const path = join(dir, `staging-${i}.parquet`);
      await writeParquetFile(path, n, cols);
      staging.push(path);
      rows += n;
    }
    const results: { layout: string; bytesPerSpan: number }[] = [];
    for (const layout of LAYOUTS) {
      const out = join(dir, `${layout.name.replace(/\W+/g, '_')}.parquet`);
      const order = layout.orderBy ? `ORDER BY ${layout.orderBy}` : '';
      await engine.run(`COPY (SELECT * FROM ${readParquetSql(staging)} ${order}) TO ${sqlString(out)} (FORMAT parquet, ${layout.options})`);
      results.push({ layout: layout.name, bytesPerSpan: (await stat(out)).size / rows });
    }
    const chosen = join(dir, `${LAYOUTS[0]!.name.replace(/\W+/g, '_')}.parquet`);
    const columns = await engine.all(
      `SELECT path_in_schema AS col, sum(total_compressed_size) AS bytes FROM parquet_metadata(${sqlString(chosen)}) GROUP BY col ORDER BY bytes DESC LIMIT 15`,
    );
    console.log(
      JSON.stringify({
        key: 'storage-layout',
        spans: rows,
        metrics: results.map((r) => ({ key: r.layout, value: Number(r.bytesPerSpan.toFixed(2)), unit: 'bytes/span' })),
        topColumns: columns.map((c) => ({ column: c['col'], bytesPerSpan: Number((Number(c['bytes']) / rows).toFixed(2)) })),
      }),
    );
  } finally {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
