// Test helpers for the metrics store: batches written as plain objects, a
// JSON WAL encoding of them, and a scratch data folder.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SampleBatch } from '../model/sample-batch.js';
import { MetricsStore, type MetricsStoreOptions } from './metrics-store.js';
import { newLabelMatcher } from './promql/matchers.js';
import { setStaleMarkerAt } from './promql/engine-types.js';

/** Series given as label objects and [t, v] samples ('stale': Prometheus's staleness marker); the test WAL encoding is JSON of this. */
export type BatchSpec = { labels: Readonly<Record<string, string>>; samples: readonly (readonly [number, number | 'stale'])[] }[];

export function batchOf(spec: BatchSpec): SampleBatch {
  const offsets = [0];
  const names: string[] = [];
  const values: string[] = [];
  const series: number[] = [];
  const t: number[] = [];
  const v: number[] = [];
  const stale: number[] = [];
  spec.forEach((s, i) => {
    for (const name of Object.keys(s.labels).sort()) {
      names.push(name);
      values.push(s.labels[name]!);
    }
    offsets.push(names.length);
    for (const [ts, val] of s.samples) {
      if (val === 'stale') stale.push(t.length);
      series.push(i);
      t.push(ts);
      v.push(val === 'stale' ? 0 : val);
    }
  });
  const sampleValue = Float64Array.from(v);
  for (const k of stale) setStaleMarkerAt(sampleValue, k);
  return {
    seriesCount: spec.length,
    labelOffsets: Uint32Array.from(offsets),
    labelNames: names,
    labelValues: values,
    sampleCount: t.length,
    sampleSeries: Uint32Array.from(series),
    sampleTimeMs: Float64Array.from(t),
    sampleValue,
    metadata: [],
  };
}

export const TEST_WAL_TYPE = 200;

export function testStoreOptions(dataDir: string, overrides: Partial<MetricsStoreOptions> = {}): MetricsStoreOptions {
  return {
    dataDir,
    chunkEncoding: 'auto',
    blockMaxSamples: 1_000_000,
    blockMaxSpanMs: 2 * 3600_000,
    maxHeadSamples: 10_000_000,
    retentionMs: 0,
    walFsync: false,
    backgroundUpkeep: false,
    decodeWalRecord: (type, payload) => {
      assert.equal(type, TEST_WAL_TYPE);
      return batchOf(JSON.parse(Buffer.from(payload).toString()) as BatchSpec);
    },
    ...overrides,
  };
}

/** Ingests a batch with its JSON as the WAL record. NaN payloads do not survive JSON: use store.ingest for those. */
export async function ingestSpec(store: MetricsStore, spec: BatchSpec): Promise<void> {
  await store.ingest(batchOf(spec), TEST_WAL_TYPE, Buffer.from(JSON.stringify(spec)));
}

export async function withDataDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-metrics-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** 2023-11-14T22:00Z, aligned to 30 min. */
export const SCRAPE_T0 = 1_699_999_200_000;
const MIN = 60_000;
export const SCRAPE_BLOCK_SPAN_MS = 30 * MIN;

/** `seriesCount` series scraped every 15 s over [fromMs, toMs), a few seconds apart. */
function scrape(seriesCount: number, fromMs: number, toMs: number): BatchSpec {
  const spec: BatchSpec = [];
  for (let s = 0; s < seriesCount; s++) {
    const samples: [number, number][] = [];
    for (let t = SCRAPE_T0 + Math.ceil((fromMs - SCRAPE_T0) / 15_000) * 15_000; t < toMs; t += 15_000) {
      samples.push([t + (s % 3) * 1000, Math.floor((t - SCRAPE_T0) / 1000) * (s + 1) + (s % 5 === 0 ? 0.25 : 0)]);
    }
    if (samples.length > 0) spec.push({ labels: { __name__: s % 2 ? 'node_cpu_seconds_total' : 'node_memory_bytes', instance: `host-${s % 10}`, cpu: String(s) }, samples });
  }
  return spec;
}

/**
 * Writes 13 head blocks of 30 min: 6 h of scrapes, then one block holding
 * 10 more minutes and a series backfilled over 5 of the past hours.
 */
export async function fillScrapeBlocks(dir: string, seriesCount: number): Promise<void> {
  const store = await MetricsStore.open(testStoreOptions(dir, { blockMaxSpanMs: SCRAPE_BLOCK_SPAN_MS }));
  const end = SCRAPE_T0 + 6 * 60 * MIN;
  for (let t = SCRAPE_T0; t < end; t += 30 * MIN) {
    await ingestSpec(store, scrape(seriesCount, t, t + 30 * MIN));
    await store.persist();
  }
  const backfill: [number, number][] = [];
  for (let t = SCRAPE_T0 + 10 * MIN; t < end - 60 * MIN; t += MIN) backfill.push([t, t % 7]);
  await ingestSpec(store, [{ labels: { __name__: 'backfilled', job: 'late' }, samples: backfill }, ...scrape(seriesCount, end, end + 10 * MIN)]);
  await store.persist();
  await store.close();
}

/** Every sample of every series as sorted text lines: equal snapshots mean equal stores. */
export async function storeSnapshot(store: MetricsStore): Promise<string[]> {
  const all = await store.select([newLabelMatcher('__name__', '=~', '.+')], -Infinity, Infinity);
  return all.map((s) => `${JSON.stringify(s.labels)} ${[...s.t].join(',')} ${[...s.v].join(',')}`).sort();
}
