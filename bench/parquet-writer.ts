// Encoding throughput of a span-like table: 100k rows × 30 columns (2 fixed
// ids, 6 int64, 15 low-cardinality strings, 5 high-cardinality strings, 2
// doubles), ~40% nulls in half the columns. Prints one JSON line per suite.
// Run: node --import tsx bench/parquet-writer.ts

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParquetColumn } from '../src/parts/parquet/columns.js';
import { seededRandom } from '../src/parts/parquet/testing.js';
import { type ParquetWriteOptions, encodeParquet, writeParquetFile } from '../src/parts/parquet/writer.js';

const ROWS = 100_000;
const RUNS = 15;

function spanLikeTable(rows: number): ParquetColumn[] {
  const random = seededRandom(42);
  const nullMask = (rate: number): Uint8Array => Uint8Array.from({ length: rows }, () => (random() < rate ? 1 : 0));
  const columns: ParquetColumn[] = [
    { name: 'trace_id', kind: 'fixed16', values: Uint8Array.from({ length: rows * 16 }, () => Math.floor(random() * 256)) },
    { name: 'span_id', kind: 'fixed8', values: Uint8Array.from({ length: rows * 8 }, () => Math.floor(random() * 256)) },
  ];
  let nullable = 0;
  // half of the 30 columns get ~40% nulls
  const nullsFor = (): { nulls: Uint8Array } | Record<string, never> => (nullable++ % 2 === 0 ? { nulls: nullMask(0.4) } : {});
  const start = 1_700_000_000_000_000_000n;
  for (let c = 0; c < 6; c++) {
    const values = BigInt64Array.from({ length: rows }, (_, i) => (c === 0 ? start + BigInt(i) * 1000n : BigInt(Math.floor(random() * 1e9))));
    columns.push({ name: `int.${c}`, kind: 'int64', values, ...nullsFor() });
  }
  for (let c = 0; c < 15; c++) {
    const pool = Array.from({ length: 3 + c * 4 }, (_, k) => `span.low.${c}.value-${k}`);
    const nulls = nullable++ % 2 === 0 ? nullMask(0.4) : undefined;
    columns.push({ name: `span.low.${c}`, kind: 'string', values: Array.from({ length: rows }, (_, i) => (nulls?.[i] ? undefined : pool[Math.floor(random() * pool.length)])) });
  }
  for (let c = 0; c < 5; c++) {
    const nulls = nullable++ % 2 === 0 ? nullMask(0.4) : undefined;
    const values = Array.from({ length: rows }, (_, i) => (nulls?.[i] ? undefined : `/api/v1/orders/${Math.floor(random() * 1e12).toString(36)}?q=${i}`));
    // flat strings, as a decoder would hand them over
    columns.push({ name: `span.high.${c}`, kind: 'string', values: values.map((s) => (s === undefined ? s : Buffer.from(s).toString())) });
  }
  for (let c = 0; c < 2; c++) {
    columns.push({ name: `double.${c}`, kind: 'double', values: Float64Array.from({ length: rows }, () => random() * 1000), ...nullsFor() });
  }
  return columns;
}

interface Timing {
  wallMs: number;
  /** CPU time of this process: steadier than wall time on a shared machine. */
  cpuMs: number;
}

/** Median wall and CPU time of RUNS calls (after one warm-up). */
async function measure(fn: () => unknown): Promise<Timing> {
  await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await fn();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const used = process.cpuUsage(cpu0);
    cpu.push((used.user + used.system) / 1e3);
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

function report(key: string, timing: Timing, extra: Array<{ key: string; value: number }> = []): void {
  const metrics = [
    { key: 'rows-per-s', value: Math.round(ROWS / (timing.wallMs / 1000)) },
    { key: 'rows-per-cpu-s', value: Math.round(ROWS / (timing.cpuMs / 1000)) },
    { key: 'wall-ms', value: Number(timing.wallMs.toFixed(1)) },
    ...extra,
  ];
  console.log(JSON.stringify({ key, metrics }));
}

async function main(): Promise<void> {
  const columns = spanLikeTable(ROWS);
  const suites: Array<[string, ParquetWriteOptions]> = [
    ['parquet-encode-100k-x30', {}],
    ['parquet-encode-100k-x30-no-dictionary', { dictionary: 'never' }],
  ];
  for (const [key, options] of suites) {
    const bytes = encodeParquet(ROWS, columns, options).reduce((sum, part) => sum + part.length, 0);
    report(key, await measure(() => encodeParquet(ROWS, columns, options)), [{ key: 'file-bytes', value: bytes }]);
  }
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-parquet-bench-'));
  try {
    let file = 0;
    // includes fsync of the file and its directory
    report('parquet-write-file-100k-x30', await measure(() => writeParquetFile(join(dir, `staging-${file++}.parquet`), ROWS, columns)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
