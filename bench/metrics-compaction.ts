// Compaction figures for the metrics suite, in process: a store gets 30-min
// head blocks of node_exporter-like series scraped every 15 s, then compacts
// them (30 min → 90 min → 270 min windows); reported are the compaction's
// time and throughput, blocks and bytes before and after, and the 10-query
// dashboard's latency over the blocks before and after.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsStore } from '../src/tsdb/metrics-store.js';
import type { SampleBatch } from '../src/model/sample-batch.js';
import { parsePromql } from '../src/tsdb/promql/parser.js';
import { evaluateRange } from '../src/tsdb/promql/engine.js';
import { trackDir } from './cleanup.js';
import { dashboard, labelsOf, valueOf } from './metrics.js';
import { metric, type Metric } from './report.js';

const SCRAPE_MS = 15_000;
const BLOCK_SPAN_MS = 30 * 60_000;
const HEAD_BLOCKS = 12;

function scrapeBatch(series: number, fromRound: number, rounds: number, startMs: number): SampleBatch {
  const offsets = new Uint32Array(series + 1);
  const names: string[] = [];
  const values: string[] = [];
  for (let i = 0; i < series; i++) {
    for (const [n, v] of labelsOf(i)) {
      names.push(n);
      values.push(v);
    }
    offsets[i + 1] = names.length;
  }
  const count = series * rounds;
  const sampleSeries = new Uint32Array(count);
  const sampleTimeMs = new Float64Array(count);
  const sampleValue = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < series; i++) {
    for (let r = fromRound; r < fromRound + rounds; r++, k++) {
      sampleSeries[k] = i;
      sampleTimeMs[k] = startMs + r * SCRAPE_MS;
      sampleValue[k] = valueOf(i, r);
    }
  }
  return { seriesCount: series, labelOffsets: offsets, labelNames: names, labelValues: values, sampleCount: count, sampleSeries, sampleTimeMs, sampleValue, metadata: [] };
}

async function timeDashboard(store: MetricsStore, endMs: number): Promise<number> {
  const started = performance.now();
  for (const d of dashboard(endMs / 1000)) await evaluateRange(parsePromql(d.query), d.start * 1000, d.end * 1000, d.step * 1000, store);
  return performance.now() - started;
}

export async function benchCompaction(series: number): Promise<{ metrics: Metric[]; config: Record<string, number> }> {
  const dir = trackDir(mkdtempSync(join(tmpdir(), 'marquetry-bench-compaction-')));
  const store = await MetricsStore.open({
    dataDir: dir,
    chunkEncoding: 'varbit',
    blockMaxSamples: Number.MAX_SAFE_INTEGER,
    blockMaxSpanMs: BLOCK_SPAN_MS,
    maxHeadSamples: Number.MAX_SAFE_INTEGER,
    retentionMs: 0,
    walFsync: false,
    backgroundUpkeep: false,
    decodeWalRecord: () => {
      throw new Error('bench: the compaction store is never replayed');
    },
  });
  try {
    const roundsPerBlock = BLOCK_SPAN_MS / SCRAPE_MS;
    const startMs = Math.floor(Date.now() / BLOCK_SPAN_MS) * BLOCK_SPAN_MS - HEAD_BLOCKS * BLOCK_SPAN_MS;
    const noWal = new Uint8Array(0);
    // One more block than the windows need, so the last full window is closed.
    for (let b = 0; b <= HEAD_BLOCKS; b++) {
      await store.ingest(scrapeBatch(series, b * roundsPerBlock, b < HEAD_BLOCKS ? roundsPerBlock : 4, startMs), 1, noWal);
      await store.persist();
    }
    const before = store.stats();
    const endMs = startMs + HEAD_BLOCKS * BLOCK_SPAN_MS;
    const dashboardBefore = await timeDashboard(store, endMs);
    const started = performance.now();
    const merges = await store.compact();
    const compactMs = performance.now() - started;
    const after = store.stats();
    const dashboardAfter = await timeDashboard(store, endMs);
    return {
      config: { compactionSeries: series, compactionHeadBlocks: before.blocks, compactionSamples: before.blockSamples },
      metrics: [
        metric('compaction-ms', compactMs, 'ms'),
        metric('compaction-samples-per-s', (before.blockSamples / compactMs) * 1000, 'samples/s'),
        metric('compaction-merges', merges),
        metric('compaction-blocks-before', before.blocks),
        metric('compaction-blocks-after', after.blocks),
        metric('compaction-bytes-per-sample-before', before.blockBytes / before.blockSamples, 'bytes'),
        metric('compaction-bytes-per-sample-after', after.blockBytes / after.blockSamples, 'bytes'),
        metric('compaction-dashboard-before', dashboardBefore, 'ms'),
        metric('compaction-dashboard-after', dashboardAfter, 'ms'),
      ],
    };
  } finally {
    await store.close();
  }
}
