// In-process profile of JSON-lines ingest (not part of the suite): the bench
// dataset (bench/logs-dataset.ts) in 5 000-line bodies through each stage the
// server runs per record — decoding, then the head's seal (row columns, token
// hashes, the staging Parquet file), then the flush's token index chunks —
// with the CPU time of each, per record.
// With FLUSH=1, also the flush's part writing as the server does it (our
// writer in a worker thread, rows in part order; process CPU, so the
// worker's counts). CODEC=brotli-6 or zstd-9 (…) and PAGE_KIB=64 override
// the log parts' codec and page size, to compare them on the same records.
// KEEP_PART=<path> keeps the (last) part written, for bench/logs-part-encodings.ts.
// COMPACT_FIELDS=0 writes body fields as they are (no template + numbers, no decimals:
// src/parts/log-text-template.ts, log-decimal-double.ts). DELTA_INT32=0 leaves
// int32 columns without the DELTA_BINARY_PACKED trial. UNIT_COLUMNS=1 (or 0)
// writes per-request fields once per unit (or not) whatever LOG_UNIT_COLUMNS
// says (src/parts/log-unit-form.ts).
//   [FLUSH=1 [CODEC=zstd-9] [PAGE_KIB=64] [KEEP_PART=…] [COMPACT_FIELDS=0] [DELTA_INT32=0] [UNIT_COLUMNS=1]] node --import tsx bench/logs-ingest-profile.ts [records] [runs]
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ndjsonLines } from './logs-dataset.js';
import { decodeJsonLines } from '../src/receive/json-lines-decode.js';
import { logRowColumns } from '../src/parts/log-columns.js';
import { logRowsOf, logTokensOf, tokenChunksOf } from '../src/parts/log-token-chunks.js';
import { writeParquetFile } from '../src/parts/parquet/writer.js';
import type { LogBatch } from '../src/model/log-batch.js';
import type { StagedFile } from '../src/head/head.js';
import { Engine } from '../src/engine/duckdb.js';
import { writeParts } from '../src/parts/part-writer.js';
import { LOG_PART_LAYOUT } from '../src/store/log-store.js';
import { stagedSource } from '../src/store/signal-store.js';
import type { PageCodec } from '../src/parts/parquet/compression.js';
import type { PartLayout } from '../src/parts/part-writer.js';

const records = Number(process.argv[2] ?? 200_000);
const runs = Number(process.argv[3] ?? 3);
const LINES_PER_BODY = 5000;
const ROWS_PER_SEAL = 50_000;
const encoder = new TextEncoder();
const bodies: Uint8Array[] = [];
for (let i = 0; i < records; i += LINES_PER_BODY) bodies.push(encoder.encode(ndjsonLines(1, i, Math.min(records, i + LINES_PER_BODY), records)));
const dir = await mkdtemp(join(tmpdir(), 'marquetry-ingest-profile-'));
const engine = process.env['FLUSH'] ? await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '1GB' }) : undefined;
const flushLayout = partLayout(process.env['CODEC'], process.env['PAGE_KIB']);

function partLayout(codecName: string | undefined, pageKiB: string | undefined): PartLayout {
  const encoding = { ...LOG_PART_LAYOUT.encoding };
  const named = codecName?.match(/^(brotli|zstd|gzip)-(\d+)$/);
  if (codecName !== undefined && !named) throw new Error(`CODEC=${codecName}: expected brotli-N, zstd-N or gzip-N`);
  if (named) {
    const level = Number(named[2]);
    const codec: PageCodec = named[1] === 'brotli' ? { codec: 'brotli', quality: level } : named[1] === 'zstd' ? { codec: 'zstd', level } : { codec: 'gzip', level };
    encoding.codec = codec;
  }
  if (pageKiB !== undefined) encoding.pageBytes = Number(pageKiB) * 1024;
  if (process.env['DELTA_INT32'] === '0') encoding.tryDeltaInt32 = false;
  const units = process.env['UNIT_COLUMNS'];
  return {
    ...LOG_PART_LAYOUT,
    encoding,
    ...(process.env['COMPACT_FIELDS'] === '0' ? { compactBodyFields: false } : {}),
    ...(units !== undefined ? { unitColumns: units === '1' } : {}),
  };
}

const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const totals = new Map<string, number[]>();
const add = (stage: string, run: number, us: number): void => {
  const t = totals.get(stage) ?? [];
  t[run] = (t[run] ?? 0) + us;
  totals.set(stage, t);
};
const timed = async <T>(stage: string, run: number, fn: () => T | Promise<T>): Promise<T> => {
  const c = cpuUs();
  const v = await fn();
  add(stage, run, cpuUs() - c);
  return v;
};

let partBytes = 0;
for (let run = 0; run < runs; run++) {
  const staged: StagedFile[] = [];
  let pending: LogBatch[] = [];
  let pendingRows = 0;
  const seal = async (): Promise<void> => {
    const batches = pending;
    pending = [];
    pendingRows = 0;
    const columns = await timed('row columns', run, () => logRowColumns(batches));
    const tokens = await timed('token hashes', run, () => logTokensOf(batches));
    const path = join(dir, `${String(staged.length).padStart(6, '0')}.parquet`);
    const rows = batches.reduce((n, b) => n + b.length, 0);
    const { layout } = await timed('staging parquet', run, () => writeParquetFile(path, rows, columns, { durable: false }));
    const startNs = (columns.find((c) => c.name === 'time_unix_nano') as { values: BigInt64Array }).values;
    const services = new Set(batches.flatMap((b) => b.resources.serviceName));
    staged.push({ path, rows, firstSeq: 0, lastSeq: 0, minStartNs: 0n, maxStartNs: 0n, traceIds: new Uint8Array(rows * 16), startNs, columns: columns.map((c) => c.name), layout, services, sidecar: tokens });
  };
  for (const body of bodies) {
    const { batch } = await timed('decode', run, () => decodeJsonLines(body, { stream: 'app', timeField: 'ts', severityField: 'level', receivedNs: 1n }));
    pending.push(batch);
    pendingRows += batch.length;
    if (pendingRows >= ROWS_PER_SEAL) await seal();
  }
  if (pendingRows > 0) await seal();
  await timed('token chunks (flush)', run, () => tokenChunksOf(logRowsOf(staged), 0n, 2n ** 62n));
  if (engine) {
    const parts = await timed('flush parts', run, () => writeParts(engine, dir, flushLayout, stagedSource(staged, logRowsOf), 0));
    partBytes = parts.reduce((n, p) => n + p.bytes, 0);
    const keep = process.env['KEEP_PART'];
    if (keep !== undefined && parts.length === 1) await rename(join(dir, parts[0]!.path), keep);
    for (const p of parts) await rm(join(dir, p.path), { force: true });
  }
  for (const f of staged) await rm(f.path);
}
engine?.close();
await rm(dir, { recursive: true });

const line: Record<string, number> = {};
let sum = 0;
for (const [stage, perRun] of totals) {
  const best = Math.min(...perRun) / records;
  line[stage] = Math.round(best * 100) / 100;
  sum += best;
}
line['total'] = Math.round(sum * 100) / 100;
const flush = engine ? { codec: flushLayout.encoding!.codec, pageBytes: flushLayout.encoding!.pageBytes, partBytesPerRecord: Math.round((partBytes / records) * 100) / 100 } : {};
console.log(JSON.stringify({ records, runs, ...flush, cpuUsPerRecord: line }));
