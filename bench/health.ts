// The health suite: N spans of a seeded dataset (services × operations with
// known distributions, spread over whole UTC days) go into a trace store in
// this process, flushed into parts every 250 k spans and compacted; then the
// overview is asked for one day and for the whole dataset, from rollups and
// exactly from spans, and the two answers are compared (counts must match,
// quantiles within 1%). Then the store restarts and the first overview shows
// the cost of loading rollup files. Prints one JSON line.
//
//   node --import tsx bench/health.ts [--spans 1000000] [--days 2] [--seed 1]

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConfig, type ServerConfig } from '../src/config/config.js';
import { Engine } from '../src/engine/duckdb.js';
import { TraceStore } from '../src/store/trace-store.js';
import { encodeExportTraceServiceRequest } from '../src/receive/otlp-proto-encode.js';
import { datasetBatch, generateDataset } from '../src/analysis/health-dataset.js';
import { ServiceHealth } from '../src/analysis/health-service.js';
import type { HealthRequest, HealthResponse } from '../src/analysis/health-types.js';
import { removeDir, trackDir } from './cleanup.js';
import { median, metric, type Metric, type SuiteReport } from './report.js';

export interface HealthBenchOptions {
  spans: number;
  /** whole UTC days the spans are spread over, ending yesterday */
  days: number;
  seed: number;
  services: number;
  operationsPerService: number;
  warmRuns: number;
}

const DEFAULTS: HealthBenchOptions = { spans: 1_000_000, days: 2, seed: 1, services: 20, operationsPerService: 10, warmRuns: 5 };
const MINUTES_PER_DAY = 1440;
const NS_PER_MINUTE = 60_000_000_000n;
const BATCH_SPANS = 10_000;
const FLUSH_EVERY_SPANS = 250_000;

function progress(text: string): void {
  process.stderr.write(`bench health: ${text}\n`);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** The first answer's time, and the median of `runs` more. */
async function latency(health: ServiceHealth, req: HealthRequest, runs: number): Promise<{ firstMs: number; warmMs: number; answer: HealthResponse }> {
  const first = await timed(() => health.overview(req));
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push((await timed(() => health.overview(req))).ms);
  return { firstMs: first.ms, warmMs: median(ms), answer: first.value };
}

/** Largest relative quantile error and whether every count agrees, rollups vs spans. */
export function compareHealthAnswers(rollups: HealthResponse, exact: HealthResponse): { maxRelativeError: number; countsEqual: boolean; cells: number } {
  let maxRelativeError = 0;
  let countsEqual = rollups.groups.length === exact.groups.length;
  let cells = 0;
  const names = ['p50Ms', 'p90Ms', 'p95Ms', 'p99Ms'] as const;
  for (const g of exact.groups) {
    const twin = rollups.groups.find((x) => JSON.stringify(x.labels) === JSON.stringify(g.labels));
    if (!twin) {
      countsEqual = false;
      continue;
    }
    if (twin.totals.requests !== g.totals.requests || twin.totals.errors !== g.totals.errors) countsEqual = false;
    for (const n of names) {
      const e = g.totals[n];
      const r = twin.totals[n];
      if (e !== null && r !== null && e > 0) maxRelativeError = Math.max(maxRelativeError, Math.abs(r - e) / e);
    }
    g.series.requests.forEach((count, t) => {
      if (twin.series.requests[t] !== count || twin.series.errors[t] !== g.series.errors[t]) countsEqual = false;
      if (count === 0) return;
      cells++;
      for (const n of names) {
        const e = g.series[n][t]!;
        const r = twin.series[n][t]!;
        if (e > 0) maxRelativeError = Math.max(maxRelativeError, Math.abs(r - e) / e);
      }
    });
  }
  return { maxRelativeError, countsEqual, cells };
}

function storeConfig(dataDir: string): ServerConfig {
  return {
    ...defaultConfig(),
    dataDir,
    walFsync: false,
    // the bench flushes and compacts itself, at known points
    sealIntervalMs: 3_600_000,
    flushIntervalMs: 3_600_000,
    compactIntervalMs: 3_600_000,
    flushMaxSpans: Number.MAX_SAFE_INTEGER,
    maxHeadSpans: Number.MAX_SAFE_INTEGER,
  };
}

export async function benchHealth(partial: Partial<HealthBenchOptions> = {}): Promise<SuiteReport> {
  const o: HealthBenchOptions = { ...DEFAULTS, ...partial };
  const dataDir = trackDir(await mkdtemp(join(tmpdir(), 'marquetry-bench-health-')));
  const todayMinute = Math.floor(Date.now() / 60_000 / MINUTES_PER_DAY) * MINUTES_PER_DAY;
  const fromMinute = todayMinute - o.days * MINUTES_PER_DAY;
  const dataset = generateDataset({
    seed: o.seed,
    spans: o.spans,
    fromNs: BigInt(fromMinute) * NS_PER_MINUTE,
    toNs: BigInt(todayMinute) * NS_PER_MINUTE,
    services: o.services,
    operationsPerService: o.operationsPerService,
  });
  const sorted = dataset; // generated in time order, as spans arrive
  const metrics: Metric[] = [];
  let store = await TraceStore.open(storeConfig(dataDir));
  let engine = await Engine.create({ dataDir, threads: 2, memoryLimit: '2GB' });
  try {
    // ---- ingest, timing the rollup work inside each flush
    let rollupMs = 0;
    const instrument = (s: TraceStore): void => {
      const write = s.rollups.writeForParts.bind(s.rollups);
      s.rollups.writeForParts = async (...args) => {
        const t0 = performance.now();
        try {
          return await write(...args);
        } finally {
          rollupMs += performance.now() - t0;
        }
      };
    };
    instrument(store);
    let flushMs = 0;
    const ingest = await timed(async () => {
      for (let i = 0; i < sorted.length; i += BATCH_SPANS) {
        const batch = datasetBatch(sorted, i, Math.min(sorted.length, i + BATCH_SPANS));
        await store.ingestOtlp('proto', encodeExportTraceServiceRequest(batch));
        if ((i + BATCH_SPANS) % FLUSH_EVERY_SPANS === 0) flushMs += (await timed(() => store.flush())).ms;
      }
      flushMs += (await timed(() => store.flush())).ms;
    });
    progress(`ingested ${o.spans} spans in ${Math.round(ingest.ms)} ms (flushes ${Math.round(flushMs)} ms, of which rollups ${Math.round(rollupMs)} ms)`);
    const compaction = await timed(async () => {
      while ((await store.compact()) > 0);
    });
    const parts = store.catalog.snapshot.parts;
    progress(`compacted into ${parts.length} parts in ${Math.round(compaction.ms)} ms`);
    const rollupStats = await engine.all(
      `SELECT count(*) AS n, sum(total_compressed_size) AS bytes FROM parquet_metadata([${parts.map((p) => `'${join(dataDir, p.rollupPath!)}'`).join(', ')}])`,
    );
    const rollupRows = (await engine.all(`SELECT count(*) AS n FROM read_parquet([${parts.map((p) => `'${join(dataDir, p.rollupPath!)}'`).join(', ')}])`))[0]!['n'];

    // ---- queries
    const lastDay = { startMinute: todayMinute - MINUTES_PER_DAY, endMinute: todayMinute, stepMinutes: 5, exact: false, topN: 10 };
    const whole = { startMinute: fromMinute, endMinute: todayMinute, stepMinutes: 60, exact: false, topN: 10 };
    let health = new ServiceHealth(store, engine);
    const day = await latency(health, lastDay, o.warmRuns);
    const all = await latency(health, whole, o.warmRuns);
    const oneService = await latency(health, { ...lastDay, service: 'svc-03' }, o.warmRuns);
    const dayExact = await latency(health, { ...lastDay, exact: true }, 1);
    const allExact = await latency(health, { ...whole, exact: true }, 1);
    const dayCheck = compareHealthAnswers(day.answer, dayExact.answer);
    const allCheck = compareHealthAnswers(all.answer, allExact.answer);
    progress(`1 day: rollups ${day.warmMs.toFixed(1)} ms (first ${day.firstMs.toFixed(0)}), spans ${dayExact.firstMs.toFixed(0)} ms`);

    // ---- restart: rollups come back from their files
    await store.close();
    engine.close();
    const reopen = await timed(() => TraceStore.open(storeConfig(dataDir)));
    store = reopen.value;
    engine = await Engine.create({ dataDir, threads: 2, memoryLimit: '2GB' });
    health = new ServiceHealth(store, engine);
    const afterRestart = await latency(health, lastDay, o.warmRuns);
    const restartCheck = compareHealthAnswers(afterRestart.answer, day.answer);

    metrics.push(
      metric('overview-1day-rollups-ms', day.warmMs, 'ms', '≤ 100'),
      metric('overview-1day-rollups-first-ms', day.firstMs, 'ms'),
      metric('overview-all-rollups-ms', all.warmMs, 'ms', '≤ 100'),
      metric('overview-all-rollups-first-ms', all.firstMs, 'ms'),
      metric('overview-1day-one-service-rollups-ms', oneService.warmMs, 'ms', '≤ 100'),
      metric('overview-1day-spans-ms', dayExact.firstMs, 'ms'),
      metric('overview-all-spans-ms', allExact.firstMs, 'ms'),
      metric('speedup-1day', dayExact.firstMs / day.warmMs, 'x'),
      metric('speedup-all', allExact.firstMs / all.warmMs, 'x'),
      // parts per million: the bound is 10 000 (α = 1%), and errors sit just below it
      metric('quantile-max-error-1day-ppm', dayCheck.maxRelativeError * 1e6, 'ppm', '≤ 10000'),
      metric('quantile-max-error-all-ppm', allCheck.maxRelativeError * 1e6, 'ppm', '≤ 10000'),
      metric('counts-equal', dayCheck.countsEqual && allCheck.countsEqual && restartCheck.countsEqual ? 1 : 0, 'bool', '1'),
      metric('overview-after-restart-first-ms', afterRestart.firstMs, 'ms'),
      metric('overview-after-restart-ms', afterRestart.warmMs, 'ms'),
      metric('store-reopen-ms', reopen.ms, 'ms'),
      metric('ingest-spans-per-s', o.spans / (ingest.ms / 1000), 'spans/s'),
      metric('flush-ms', flushMs, 'ms'),
      metric('flush-rollup-ms', rollupMs, 'ms'),
      metric('rollup-share-of-flush', rollupMs / flushMs, 'ratio'),
      metric('rollup-rows', Number(rollupRows), 'rows'),
      metric('rollup-bytes', Number(rollupStats[0]!['bytes']), 'bytes'),
      metric('part-bytes', parts.reduce((n, p) => n + p.bytes, 0), 'bytes'),
    );
    return {
      key: 'health',
      metrics,
      config: { spans: o.spans, days: o.days, seed: o.seed, services: o.services, operationsPerService: o.operationsPerService },
      detail: { cellsCompared1day: dayCheck.cells, cellsComparedAll: allCheck.cells, groups: day.answer.groups.length, parts: parts.length },
    };
  } finally {
    await store.close().catch(() => undefined);
    engine.close();
    removeDir(dataDir);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { spans: { type: 'string' }, days: { type: 'string' }, seed: { type: 'string' } },
  });
  const options: Partial<HealthBenchOptions> = {};
  if (values.spans) options.spans = Number(values.spans);
  if (values.days) options.days = Number(values.days);
  if (values.seed) options.seed = Number(values.seed);
  console.log(JSON.stringify(await benchHealth(options)));
  process.exit(0);
}

if (process.argv[1] && /bench[/\\]health\.[jt]s$/.test(process.argv[1])) await main();
