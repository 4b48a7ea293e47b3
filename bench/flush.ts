// The flush alone, in this process: loadgen requests are decoded and sealed
// into staging files as the head does it (~55 k spans each, what 0.5 s holds
// at 110 k spans/s), then the same files become parts twice — as the server
// flushes (rows regrouped from the staging files' bytes in a worker thread,
// DuckDB COPY without ORDER BY) and with DuckDB's ORDER BY, the peer. CPU is
// the whole process's (worker and DuckDB threads included), so a busy
// machine inflates both sides alike; peak RSS is sampled during each phase,
// ours first (memory it freed may still be resident during the peer's).

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, trackDir } from './cleanup.js';
import { metric, round, type SuiteReport } from './report.js';
import { buildRequestPool, rewriteRequest } from '../src/loadgen/request-pool.js';
import { Rng } from '../src/loadgen/rng.js';
import { encodeExportTraceServiceRequest } from '../src/receive/otlp-proto-encode.js';
import { decodeExportTraceServiceRequest } from '../src/receive/otlp-proto-decode.js';
import { spanStagingSchema } from '../src/parts/span-columns.js';
import { DEFAULT_DEDICATED_COLUMNS } from '../src/parts/schema.js';
import { Head } from '../src/head/head.js';
import { stagedSource } from '../src/store/signal-store.js';
import type { SpanBatch } from '../src/model/span-batch.js';
import { Engine } from '../src/engine/duckdb.js';
import { TRACE_PART_LAYOUT, writeParts, type PartSource } from '../src/parts/part-writer.js';
import type { PartInfo } from '../src/parts/catalog.js';
import type { StagedFile } from '../src/head/head.js';

const STAGING_FILE_SPANS = 55_000;
const MIB = 1024 * 1024;

export interface FlushOptions {
  spans: number;
  seed: number;
  peer: boolean;
}

interface FlushRun {
  cpuS: number;
  wallS: number;
  peakRssMiB: number;
  parts: PartInfo[];
}

async function measured(fn: () => Promise<PartInfo[]>): Promise<FlushRun> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    const parts = await fn();
    const cpu = process.cpuUsage(cpu0);
    return { cpuS: (cpu.user + cpu.system) / 1e6, wallS: (performance.now() - t0) / 1000, peakRssMiB: Math.max(peak, process.memoryUsage().rss) / MIB, parts };
  } finally {
    clearInterval(sampler);
  }
}

/** The source as a flush without page layouts sees it: DuckDB sorts. */
function withoutLayouts(source: PartSource): PartSource {
  const { layouts: _, ...rest } = source;
  return rest;
}

/** Loadgen requests decoded and sealed into staging files under `root` as the head does; the files and the CPU it took. */
export async function stageLoadgenSpans(root: string, spanCount: number, seed: number): Promise<{ files: StagedFile[]; spans: number; stageCpuS: number }> {
  const pool = buildRequestPool({ encode: encodeExportTraceServiceRequest, requests: 200, spansPerRequest: 1000, rng: new Rng(seed), nowUnixNano: BigInt(Date.now()) * 1_000_000n });
  const head = await Head.open<SpanBatch>({ stagingDir: join(root, 'staging'), schema: spanStagingSchema(DEFAULT_DEDICATED_COLUMNS) });
  const rng = new Rng(seed + 1);
  const scratch = new Uint8Array(Math.max(...pool.map((p) => p.body.length)));
  let spans = 0;
  let pending = 0;
  let stageCpuS = 0;
  for (let seq = 1; spans < spanCount; seq++) {
    const mask = new Uint8Array(16);
    rng.fillBytes(mask, 0, 16);
    const body = rewriteRequest(pool[seq % pool.length]!, scratch, mask, 0);
    const cpu0 = process.cpuUsage();
    const batch = decodeExportTraceServiceRequest(body).batch;
    head.append(batch, seq);
    spans += batch.length;
    pending += batch.length;
    if (pending >= STAGING_FILE_SPANS || spans >= spanCount) {
      await head.seal();
      pending = 0;
    }
    const cpu = process.cpuUsage(cpu0);
    stageCpuS += (cpu.user + cpu.system) / 1e6;
  }
  return { files: [...head.staged], spans, stageCpuS };
}

export async function benchFlush(o: FlushOptions): Promise<SuiteReport> {
  const root = trackDir(await mkdtemp(join(tmpdir(), 'marquetry-bench-flush-')));
  try {
    const { files, spans, stageCpuS } = await stageLoadgenSpans(root, o.spans, o.seed);
    console.error(`bench: ${spans} spans decoded and sealed into ${files.length} staging files; flushing them as the server does`);
    const engine = await Engine.create({ dataDir: root, threads: 1, memoryLimit: '1GB' });
    try {
      const ours = await measured(() => writeParts(engine, root, TRACE_PART_LAYOUT, stagedSource(files), 0));
      const bytes = (run: FlushRun): number => run.parts.reduce((n, p) => n + p.bytes, 0);
      const perMillion = 1e6 / spans;
      const report: SuiteReport = {
        key: 'flush',
        config: { spans, stagingFiles: files.length, seed: o.seed },
        metrics: [
          metric('decode-and-stage-cpu-s-per-million-spans', stageCpuS * perMillion, 's'),
          metric('flush-cpu-s-per-million-spans', ours.cpuS * perMillion, 's'),
          metric('flush-wall-s-per-million-spans', ours.wallS * perMillion, 's'),
          metric('flush-peak-rss-mib', ours.peakRssMiB, 'MiB'),
          metric('part-bytes-per-span', bytes(ours) / spans, 'B/span'),
          metric('parts', ours.parts.length, 'parts'),
        ],
      };
      if (o.peer) {
        console.error('bench: the same staging files with DuckDB ORDER BY (the peer)');
        const peer = await measured(() => writeParts(engine, root, TRACE_PART_LAYOUT, withoutLayouts(stagedSource(files)), 0));
        report.peer = {
          key: 'duckdb-order-by',
          version: 'DuckDB COPY … ORDER BY trace_id, start_time_unix_nano (threads 1, 1 GB)',
          metrics: [
            metric('flush-cpu-s-per-million-spans', peer.cpuS * perMillion, 's'),
            metric('flush-wall-s-per-million-spans', peer.wallS * perMillion, 's'),
            metric('flush-peak-rss-mib', peer.peakRssMiB, 'MiB'),
            metric('part-bytes-per-span', bytes(peer) / spans, 'B/span'),
          ],
          ratios: [
            metric('flush-cpu', ours.cpuS / peer.cpuS, 'ours/peer'),
            metric('flush-wall', ours.wallS / peer.wallS, 'ours/peer'),
            metric('part-bytes', bytes(ours) / bytes(peer), 'ours/peer'),
          ],
          detail: { note: 'peak RSS: ours runs first; its freed memory may still count in the peer phase', rssBeforeFlushMiB: round(process.memoryUsage().rss / MIB) },
        };
      }
      return report;
    } finally {
      engine.close();
    }
  } finally {
    removeDir(root);
  }
}
