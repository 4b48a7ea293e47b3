// Datasets for the comparison's quality tests: the load generator's shop
// traffic as background, then a planted cause edited into the columns
// (errors for one user, one slow instance…), stored through a real
// TraceStore into Parquet parts. Seeded, so every run plants the same spans.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../config/config.js';
import { Engine } from '../engine/duckdb.js';
import { SpanBatchBuilder } from '../model/span-batch-builder.js';
import type { AttributeColumns, SpanBatch } from '../model/span-batch.js';
import { hexOf } from '../model/hex.js';
import { generateTraces } from '../loadgen/trace-generator.js';
import { Rng } from '../loadgen/rng.js';
import { encodeExportTraceServiceRequest } from '../receive/otlp-proto-encode.js';
import { TraceStore } from '../store/trace-store.js';
import type { CompareRequest } from './compare-types.js';

export const DATASET_NOW_NS = 1_750_000_000_000_000_000n;
export const STATUS_ERROR = 2;

export function generateBackground(traces: number, seed: number, errorRate?: number): SpanBatch {
  const builder = new SpanBatchBuilder();
  const options = { traces, rng: new Rng(seed), nowUnixNano: DATASET_NOW_NS };
  generateTraces(builder, errorRate === undefined ? options : { ...options, errorRate });
  return builder.finish();
}

/** Row of `key` per owner (−1 when the owner has none). */
export function attributeRows(a: AttributeColumns, owners: number, key: string): Int32Array {
  const rows = new Int32Array(owners).fill(-1);
  for (let r = 0; r < a.length; r++) if (a.key[r] === key) rows[a.owner[r]!] = r;
  return rows;
}

/** The string value of a resource attribute for every span ('' when absent). */
export function resourceValues(batch: SpanBatch, key: string): string[] {
  const rows = attributeRows(batch.resources.attributes, batch.resources.length, key);
  const out: string[] = [];
  for (let i = 0; i < batch.length; i++) {
    const r = rows[batch.resource[i]!]!;
    out.push(r < 0 ? '' : batch.resources.attributes.str[r]!);
  }
  return out;
}

/** Span indexes grouped by trace id, in first-seen order. */
export function spansByTrace(batch: SpanBatch): number[][] {
  const traces = new Map<string, number[]>();
  for (let i = 0; i < batch.length; i++) {
    const id = hexOf(batch.traceId, i * 16, 16);
    const list = traces.get(id);
    if (list) list.push(i);
    else traces.set(id, [i]);
  }
  return [...traces.values()];
}

export function markError(batch: SpanBatch, span: number): void {
  batch.statusCode[span] = STATUS_ERROR;
}

export function addDurationMs(batch: SpanBatch, span: number, ms: number): void {
  batch.endTimeUnixNano[span] = batch.endTimeUnixNano[span]! + BigInt(Math.round(ms * 1e6));
}

/** Every span fails with probability `rate` (and none otherwise): errors without a cause. */
export function uniformErrors(batch: SpanBatch, rate: number, rng: Rng): void {
  for (let i = 0; i < batch.length; i++) batch.statusCode[i] = rng.chance(rate) ? STATUS_ERROR : 0;
}

/** An exact span-level comparison of errors against the rest over the whole dataset, with `overrides`. */
export function datasetRequest(overrides: Partial<CompareRequest> = {}): CompareRequest {
  return {
    startNs: DATASET_NOW_NS - 3_600_000_000_000n,
    endNs: DATASET_NOW_NS + 60_000_000_000n,
    target: { kind: 'errors' },
    baseline: { kind: 'rest' },
    level: 'span',
    limit: 20,
    maxSpans: 0,
    ...overrides,
  };
}

/** Start and end (unix s) around every span of the dataset. */
export function datasetRange(): { start: number; end: number } {
  const endS = Number(DATASET_NOW_NS / 1_000_000_000n);
  return { start: endS - 3600, end: endS + 60 };
}

export interface StoredDataset {
  store: TraceStore;
  engine: Engine;
  dataDir: string;
  close(): Promise<void>;
}

/** Stores `batch` as one WAL record, flushed into Parquet parts, with a query engine over them. */
export async function storeDataset(batch: SpanBatch): Promise<StoredDataset> {
  const dataDir = await mkdtemp(join(tmpdir(), 'marquetry-compare-'));
  const store = await TraceStore.open({ ...defaultConfig(), dataDir, walFsync: false, flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000 });
  // one append, then flush: nothing is appended while the head seals
  await store.ingestOtlp('proto', encodeExportTraceServiceRequest(batch));
  await store.flush();
  const engine = await Engine.create({ dataDir, threads: 2, memoryLimit: '1GB' });
  return {
    store,
    engine,
    dataDir,
    async close() {
      engine.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
