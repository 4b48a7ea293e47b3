// The traces suite: ingest N spans into a real server (child process), stop
// it (the head is flushed into parts), restart it until compaction has
// nothing left to merge, measure the data folder, look traces up by id and
// search; then load the same spans into ClickHouse (chdb) with seed 001's
// schema and measure the same things there.

import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, trackDir } from './cleanup.js';
import { accountCpu } from './cpu-account.js';
import { ClickHousePeer } from './clickhouse.js';
import { runIngest, type IngestResult } from './ingest.js';
import { PartReader, type KnownTrace } from './part-reader.js';
import { lookupTraces, runSearches, searchCases, type LookupStats, type SearchStats } from './queries.js';
import { peerReport, tracesMetrics, type PeerFigures } from './traces-report.js';
import type { SuiteReport } from './report.js';
import { sampleProc, ServerProcess } from './server-process.js';
import type { ThreadCpuSeconds } from '../src/store/thread-cpu.js';
import { folderUsage, readCatalog, waitForCompaction } from './storage.js';

export interface TracesOptions {
  spans: number;
  concurrency: number;
  spansPerRequest: number;
  poolSize: number;
  seed: number;
  /** known trace ids looked up (warm pass) */
  lookups: number;
  /** the first lookups on the restarted server, reported apart */
  coldLookups: number;
  searchWarmRuns: number;
  peer: boolean;
  ingestTimeLimitMs: number;
  compactionTimeLimitMs: number;
  stopTimeLimitMs: number;
}

export interface TracesFigures {
  options: TracesOptions;
  ingest: IngestResult;
  shutdownFlushMs: number;
  peakRssWithFlushBytes: number;
  /** CPU seconds of the ingesting server from its start to its exit (ingest and every flush, up to 200 ms short) */
  ingestServerCpuS: number;
  /** the same by thread, as the server counted it at its exit (undefined if it did not stop cleanly) */
  ingestThreadCpu: ThreadCpuSeconds | undefined;
  restartMs: number;
  compaction: { ms: number; done: boolean };
  usage: Awaited<ReturnType<typeof folderUsage>>;
  columns: { column: string; bytes: number }[];
  cold: LookupStats;
  warm: LookupStats;
  searches: SearchStats[];
  /** the lookup SQL run in the bench's own DuckDB, for comparison with the API's latency */
  duckdbLookupMs: number[];
  queryServerPeakRssBytes: number;
}

/**
 * Stops the server while sampling its memory (the shutdown flush can be the
 * peak) and CPU: the last sample before it exits is about all the CPU it used.
 */
async function stopSampling(server: ServerProcess, timeLimitMs: number): Promise<{ ms: number; peakRssBytes: number; cpuSeconds: number }> {
  let peak = 0;
  let cpuSeconds = 0;
  const sample = (): void => {
    const p = sampleProc(server.pid);
    // An exiting process's /proc status has no Vm* lines (NaN), which would make the peak NaN.
    if (p && Number.isFinite(p.hwmBytes)) peak = Math.max(peak, p.hwmBytes);
    if (p && Number.isFinite(p.cpuSeconds)) cpuSeconds = Math.max(cpuSeconds, p.cpuSeconds);
  };
  sample();
  const timer = setInterval(sample, 200);
  try {
    const stopped = await server.stop(timeLimitMs);
    if (stopped.killed) console.error(`bench: server needed SIGKILL after ${timeLimitMs} ms`);
    else if (stopped.code !== 0) console.error(`bench: server exited with code ${stopped.code}: ${server.tail(500)}`);
    return { ms: stopped.ms, peakRssBytes: peak, cpuSeconds };
  } finally {
    clearInterval(timer);
  }
}

/** A lookup pass with the CPU it cost the answering process (`pid`, or this one) and the machine's other load. */
async function accountedLookups(
  pid: number | undefined,
  traces: readonly KnownTrace[],
  pass: (traces: readonly KnownTrace[]) => Promise<LookupStats> | LookupStats,
): Promise<LookupStats> {
  const { value, cpu } = await accountCpu(pid, () => pass(traces));
  return { ...value, cpuMsPerLookup: (cpu.cpuS * 1000) / Math.max(1, traces.length), otherCores: cpu.otherCores };
}

function step(what: string): void {
  console.error(`bench: ${what}`);
}

export async function benchTraces(o: TracesOptions): Promise<SuiteReport> {
  const root = trackDir(await mkdtemp(join(tmpdir(), 'marquetry-bench-traces-')));
  const dataDir = join(root, 'data');
  let reader: PartReader | undefined;
  try {
    step(`ingesting ${o.spans} spans (server with default settings, WAL fsync on) into ${dataDir}`);
    const a = await ServerProcess.start(dataDir);
    const ingest = await runIngest(a, { ...o, timeLimitMs: o.ingestTimeLimitMs, progressEveryMs: 5000 });
    step(`ingest: ${JSON.stringify(ingest.summary)}`);
    const flush = await stopSampling(a, o.stopTimeLimitMs);
    step(`stopped in ${(flush.ms / 1000).toFixed(1)} s (head flushed into parts); restarting with --compact-interval 5s`);

    const restartStart = performance.now();
    const b = await ServerProcess.start(dataDir, ['--compact-interval', '5s']);
    const restartMs = performance.now() - restartStart;
    const compaction = await waitForCompaction(dataDir, o.compactionTimeLimitMs);
    const usage = await folderUsage(dataDir);
    step(`compaction ${compaction.done ? 'done' : 'NOT done'} after ${(compaction.ms / 1000).toFixed(1)} s: ${usage.parts} parts, ${usage.rows} rows, ${usage.partBytes} bytes`);

    reader = await PartReader.open();
    const partFiles = (await readCatalog(dataDir)).parts.map((p) => join(dataDir, p.path));
    const traces = await reader.sampleTraces(partFiles, o.lookups, o.seed);
    const spanName = await reader.mediumSpanName(partFiles);
    const columns = await reader.columnBytes(partFiles);
    step(`looking up ${traces.length} known traces (${o.coldLookups} first on the fresh server), then searching`);
    const cold = await accountedLookups(b.pid, traces.slice(0, o.coldLookups), (t) => lookupTraces(b, t));
    const warm = await accountedLookups(b.pid, traces, (t) => lookupTraces(b, t));
    const cases = searchCases(spanName);
    const searches = await runSearches(b, cases, o.searchWarmRuns);
    const duckdbLookupMs = await reader.lookupMs(partFiles, traces.slice(0, Math.min(100, traces.length)));
    const queryServerPeakRssBytes = sampleProc(b.pid)?.hwmBytes ?? NaN;
    await stopSampling(b, o.stopTimeLimitMs);

    const figures: TracesFigures = {
      options: o,
      ingest,
      shutdownFlushMs: flush.ms,
      peakRssWithFlushBytes: flush.peakRssBytes,
      ingestServerCpuS: flush.cpuSeconds,
      ingestThreadCpu: a.threadCpuAtExit(),
      restartMs,
      compaction,
      usage,
      columns,
      cold,
      warm,
      searches,
      duckdbLookupMs,
      queryServerPeakRssBytes,
    };
    const report = tracesMetrics(figures);
    if (o.peer) {
      const peer = await runPeer(partFiles, root, traces, o, spanName);
      report.peer = peerReport(figures, peer);
    }
    return report;
  } finally {
    reader?.close();
    removeDir(root);
  }
}

async function runPeer(partFiles: string[], root: string, traces: readonly KnownTrace[], o: TracesOptions, spanName: string): Promise<PeerFigures> {
  const chDir = join(root, 'clickhouse');
  await mkdir(chDir, { recursive: true });
  step(`loading the same spans into ClickHouse (chdb) from our ${partFiles.length} part file(s): INSERT … SELECT, OPTIMIZE FINAL`);
  const ch = await ClickHousePeer.open(chDir);
  try {
    ch.createSchema();
    const load = ch.load(partFiles);
    const table = ch.tableSize('otel_traces');
    const traceIdTs = ch.tableSize('otel_traces_trace_id_ts');
    const columns = ch.columnBytes();
    step(`ClickHouse holds ${table.rows} spans in ${table.bytesOnDisk} bytes; looking up and searching`);
    const cold = await accountedLookups(undefined, traces.slice(0, o.coldLookups), (t) => ch.lookupTraces(t));
    const warm = await accountedLookups(undefined, traces, (t) => ch.lookupTraces(t));
    const searches = ch.searches(spanName, o.searchWarmRuns);
    return { version: ch.version, ...load, table, traceIdTs, columns, cold, warm, searches };
  } finally {
    ch.close();
  }
}
