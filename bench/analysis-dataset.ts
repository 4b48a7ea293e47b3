// The analysis suite's data: the load generator's shop traffic (the traces
// suite's ingest: ~140 attribute columns, planted failures and slow paths)
// sent to a real server, flushed and compacted. A folder given with
// --data-dir is kept and reused by later runs, so the query figures can be
// measured again without ingesting 10 M spans each time.

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PartInfo } from '../src/parts/catalog.js';
import { runIngest } from './ingest.js';
import { ServerProcess } from './server-process.js';
import { readCatalog, waitForCompaction } from './storage.js';

export interface DatasetOptions {
  spans: number;
  seed: number;
  dataDir: string;
}

export interface Dataset {
  dataDir: string;
  parts: readonly PartInfo[];
  spans: number;
  /** built in this run (false: an existing folder was reused) */
  built: boolean;
  ingestMs: number;
}

function progress(text: string): void {
  process.stderr.write(`bench analysis: ${text}\n`);
}

/** Spans already stored in `dataDir` (0 when there is no catalog). */
async function storedSpans(dataDir: string): Promise<{ spans: number; parts: readonly PartInfo[] }> {
  if (!existsSync(join(dataDir, 'catalog'))) return { spans: 0, parts: [] };
  const snap = await readCatalog(dataDir);
  return { spans: snap.parts.reduce((n, p) => n + p.rows, 0), parts: snap.parts };
}

/**
 * Reuses `dataDir` when it holds at least 95% of the spans asked for (ingest
 * acknowledges whole requests, so a run stores about, not exactly, N);
 * otherwise ingests N spans there, stops the server (flushing the head) and
 * restarts it until compaction has nothing left to merge.
 */
export async function ensureDataset(o: DatasetOptions): Promise<Dataset> {
  const existing = await storedSpans(o.dataDir);
  if (existing.spans >= o.spans * 0.95) {
    progress(`reusing ${existing.spans} spans in ${existing.parts.length} parts of ${o.dataDir}`);
    return { dataDir: o.dataDir, parts: existing.parts, spans: existing.spans, built: false, ingestMs: 0 };
  }
  if (existing.spans > 0) throw new Error(`bench: ${o.dataDir} holds ${existing.spans} spans, not ~${o.spans}; give an empty or matching --data-dir`);
  await mkdir(o.dataDir, { recursive: true });
  progress(`ingesting ${o.spans} spans of shop traffic into ${o.dataDir}`);
  const t0 = performance.now();
  const server = await ServerProcess.start(o.dataDir);
  const ingest = await runIngest(server, {
    spans: o.spans,
    concurrency: 8,
    spansPerRequest: 1000,
    poolSize: 200,
    seed: o.seed,
    timeLimitMs: 60_000 + (o.spans / 10_000) * 1000,
    progressEveryMs: 10_000,
  });
  progress(`ingest: ${JSON.stringify(ingest.summary)}`);
  await server.stop(120_000 + (o.spans / 50_000) * 1000);
  const compactor = await ServerProcess.start(o.dataDir, ['--compact-interval', '5s']);
  const compaction = await waitForCompaction(o.dataDir, 60_000 + (o.spans / 10_000) * 1000);
  await compactor.stop(120_000);
  const ingestMs = performance.now() - t0;
  const stored = await storedSpans(o.dataDir);
  progress(`stored ${stored.spans} spans in ${stored.parts.length} parts (compaction ${compaction.done ? 'done' : 'NOT done'}) in ${(ingestMs / 1000).toFixed(0)} s`);
  return { dataDir: o.dataDir, parts: stored.parts, spans: stored.spans, built: true, ingestMs };
}
