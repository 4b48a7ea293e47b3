// The traces suite's figures → its JSON line: our metrics, the ClickHouse
// peer's, and the ratios ours / peer.

import { availableParallelism } from 'node:os';
import type { LookupStats, SearchStats } from './queries.js';
import { median, metric, round, type Metric, type PeerReport, type SuiteReport } from './report.js';
import type { TableSize } from './clickhouse.js';
import type { TracesFigures } from './traces.js';
import { THREAD_ROLES, type ThreadCpuSeconds } from '../src/store/thread-cpu.js';

const MIB = 1024 * 1024;
const TOP_COLUMNS = 12;

export interface PeerFigures {
  version: string;
  insertMs: number;
  optimizeMs: number;
  table: TableSize;
  traceIdTs: TableSize;
  columns: { column: string; bytes: number }[];
  cold: LookupStats;
  warm: LookupStats;
  searches: SearchStats[];
}

function lookupMetrics(prefix: string, cold: LookupStats, warm: LookupStats, p50Target?: string): Metric[] {
  return [
    metric(`${prefix}-p50-ms`, warm.p50Ms, 'ms', p50Target),
    metric(`${prefix}-p99-ms`, warm.p99Ms, 'ms'),
    metric(`${prefix}-cold-p50-ms`, cold.p50Ms, 'ms'),
    metric(`${prefix}-cold-p99-ms`, cold.p99Ms, 'ms'),
    metric(`${prefix}-wrong-answers`, warm.wrong + cold.wrong, 'lookups'),
    metric(`${prefix}-cpu-ms-per-lookup`, warm.cpuMsPerLookup ?? NaN, 'cpu ms'),
    // Above ~0.2 the machine was shared with other work and the latencies above are inflated.
    metric(`${prefix}-other-cpu-cores`, warm.otherCores ?? NaN, 'cores'),
  ];
}

function searchMetrics(searches: readonly SearchStats[]): Metric[] {
  return searches.flatMap((s) => [
    metric(`search-${s.key}-ms`, s.warmMs, 'ms'),
    metric(`search-${s.key}-first-ms`, s.firstMs, 'ms'),
    metric(`search-${s.key}-traces`, s.traces, 'traces'),
    metric(`search-${s.key}-cpu-ms`, s.cpuMsPerSearch ?? NaN, 'ms'),
  ]);
}

/** Bytes per span of the largest columns, for the detail section. */
function topColumns(columns: readonly { column: string; bytes: number }[], rows: number): Record<string, number> {
  return Object.fromEntries(columns.slice(0, TOP_COLUMNS).map((c) => [c.column, round(c.bytes / rows, 2)]));
}

/** At most `n` evenly spaced points of a timeline. */
function thin<T>(points: readonly T[], n: number): T[] {
  if (points.length <= n) return [...points];
  const step = points.length / n;
  return Array.from({ length: n }, (_, i) => points[Math.floor(i * step)]!).concat(points[points.length - 1]!);
}

/**
 * The ingest-and-flush CPU per span (`unit` 'span') or record by thread (the
 * server's own count, start to exit): main (HTTP, WAL, head, flush
 * orchestration), the ingest threads (decode, staging files), the flush's
 * sort workers, V8's platform threads (concurrent GC, compilers), libuv's
 * pool (DuckDB's queries and COPYs, async fs, zlib) and the rest (DuckDB's
 * own worker threads). Named `<prefix>-<thread>`.
 */
export function threadCpuMetrics(cpu: ThreadCpuSeconds | undefined, count: number, prefix = 'server-cpu-us-per-span'): Metric[] {
  const per = (seconds: number | undefined): number => ((seconds ?? NaN) * 1e6) / count;
  return [
    metric(`${prefix}-main`, per(cpu?.main), 'µs'),
    ...THREAD_ROLES.map((role) => metric(`${prefix}-${role}`, per(cpu?.workers[role]), 'µs')),
    metric(`${prefix}-v8-platform`, per(cpu?.v8Platform), 'µs'),
    metric(`${prefix}-libuv-pool`, per(cpu?.libuvPool), 'µs'),
    metric(`${prefix}-other`, per(cpu?.other), 'µs'),
  ];
}

export function tracesMetrics(f: TracesFigures): SuiteReport {
  const s = f.ingest.summary;
  const seconds = s.durationMs / 1000;
  const rows = f.usage.rows;
  const status503 = s.status['503'] ?? 0;
  return {
    key: 'traces',
    config: {
      spans: f.options.spans,
      concurrency: f.options.concurrency,
      spansPerRequest: f.options.spansPerRequest,
      poolSize: f.options.poolSize,
      poolSpans: f.ingest.poolSpans,
      seed: f.options.seed,
      lookups: f.options.lookups,
    },
    metrics: [
      metric('ingest-spans-per-s', s.spansPerSecond, 'spans/s', '>= 150000'),
      metric('ingest-requests-per-s', s.requests / seconds, 'requests/s'),
      metric('ingest-request-p50-ms', s.latencyMs.p50, 'ms'),
      metric('ingest-request-p99-ms', s.latencyMs.p99, 'ms'),
      metric('ingest-acknowledged-spans', s.spans, 'spans'),
      metric('ingest-503-responses', status503, 'responses'),
      metric('ingest-retries', s.retries, 'requests'),
      metric('ingest-failed-requests', s.failed, 'requests'),
      metric('server-peak-rss-mib', f.ingest.peakRssBytes / MIB, 'MiB', '<= 1536'),
      metric('server-peak-rss-with-shutdown-flush-mib', f.peakRssWithFlushBytes / MIB, 'MiB'),
      metric('server-cpu-cores-during-ingest', f.ingest.serverCpuCores, 'cores'),
      metric('client-cpu-cores-during-ingest', f.ingest.clientCpuCores, 'cores'),
      // Above ~0.2 the machine was shared with other work and the ingest figures are low.
      metric('other-cpu-cores-during-ingest', f.ingest.otherCpuCores, 'cores'),
      metric('server-max-status-ms-during-ingest', f.ingest.maxStatusMs, 'ms'),
      metric('shutdown-flush-s', f.shutdownFlushMs / 1000, 's'),
      // all the work of the ingesting server per span: decode, WAL, staging, every flush (start-up included)
      metric('server-cpu-us-per-span-ingest-and-flush', (f.ingestServerCpuS * 1e6) / f.ingest.summary.spans, 'µs'),
      // what that CPU allows with both of this machine's cores on ingest and flush alone: the sustained rate the target means
      metric('sustained-spans-per-s-on-2-cores', (2 * f.ingest.summary.spans) / f.ingestServerCpuS, 'spans/s', '>= 150000'),
      ...threadCpuMetrics(f.ingestThreadCpu, f.ingest.summary.spans),
      metric('restart-s', f.restartMs / 1000, 's'),
      metric('compaction-wait-s', f.compaction.ms / 1000, 's'),
      metric('parts', f.usage.parts, 'parts'),
      metric('stored-spans', rows, 'spans'),
      // Every acknowledged span must be stored exactly once (the sender never resends a 2xx).
      metric('lost-spans', s.spans - rows, 'spans', '0'),
      metric('part-bytes-per-span', f.usage.partBytes / rows, 'B/span'),
      metric('part-and-trace-index-bytes-per-span', (f.usage.partBytes + f.usage.indexBytes) / rows, 'B/span'),
      metric('trace-summary-bytes-per-span', f.usage.summaryBytes / rows, 'B/span'),
      metric('data-folder-bytes-per-span', f.usage.totalBytes / rows, 'B/span'),
      ...lookupMetrics('trace-by-id', f.cold, f.warm, '<= 20'),
      metric('trace-by-id-duckdb-sql-only-p50-ms', median(f.duckdbLookupMs), 'ms'),
      ...searchMetrics(f.searches),
      metric('query-server-peak-rss-mib', f.queryServerPeakRssBytes / MIB, 'MiB'),
    ],
    detail: {
      machineCores: availableParallelism(),
      compactionDone: f.compaction.done,
      ingestStatus: s.status,
      dataFolderBytes: f.usage.byFolder,
      topColumnsBytesPerSpan: topColumns(f.columns, rows),
      searches: Object.fromEntries(f.searches.map((x) => [x.key, x.traceql])),
      ingestTimeline: thin(f.ingest.timeline, 24),
    },
  };
}

function perSpan(bytes: number, rows: number): number {
  return bytes / rows;
}

export function peerReport(f: TracesFigures, p: PeerFigures): PeerReport {
  const rows = p.table.rows;
  const chTable = perSpan(p.table.bytesOnDisk, rows);
  const chWithIndex = perSpan(p.table.bytesOnDisk + p.traceIdTs.bytesOnDisk, rows);
  const oursParts = perSpan(f.usage.partBytes, f.usage.rows);
  const oursWithIndex = perSpan(f.usage.partBytes + f.usage.indexBytes, f.usage.rows);
  const ratio = (key: string, ours: number, theirs: number, target?: string): Metric => metric(key, ours / theirs, 'ours/peer', target);
  const searchRatios = f.searches.flatMap((s) => {
    const peer = p.searches.find((x) => x.key === s.key);
    return [ratio(`search-${s.key}`, s.warmMs, peer?.warmMs ?? NaN), ratio(`search-${s.key}-cpu`, s.cpuMsPerSearch ?? NaN, peer?.cpuMsPerSearch ?? NaN)];
  });
  return {
    key: 'clickhouse',
    version: `chdb, ClickHouse ${p.version}`,
    metrics: [
      metric('stored-spans', rows, 'spans'),
      metric('table-bytes-on-disk-per-span', chTable, 'B/span'),
      metric('table-compressed-bytes-per-span', perSpan(p.table.compressedBytes, rows), 'B/span'),
      metric('table-skip-index-bytes-per-span', perSpan(p.table.skipIndexBytes, rows), 'B/span'),
      metric('trace-id-ts-bytes-per-span', perSpan(p.traceIdTs.bytesOnDisk, rows), 'B/span'),
      metric('table-and-trace-id-ts-bytes-per-span', chWithIndex, 'B/span'),
      metric('table-parts', p.table.parts, 'parts'),
      metric('insert-s', p.insertMs / 1000, 's'),
      metric('optimize-final-s', p.optimizeMs / 1000, 's'),
      ...lookupMetrics('trace-by-id', p.cold, p.warm),
      ...searchMetrics(p.searches),
    ],
    ratios: [
      ratio('part-bytes-per-span-vs-table-bytes-on-disk', oursParts, chTable, '<= 0.5'),
      ratio('bytes-per-span-with-lookup-indexes', oursWithIndex, chWithIndex),
      ratio('part-bytes-vs-table-compressed-bytes', oursParts, perSpan(p.table.compressedBytes, rows)),
      ratio('trace-by-id-p50', f.warm.p50Ms, p.warm.p50Ms, '< 1'),
      ratio('trace-by-id-p99', f.warm.p99Ms, p.warm.p99Ms),
      ratio('trace-by-id-cold-p50', f.cold.p50Ms, p.cold.p50Ms),
      ratio('trace-by-id-cpu-per-lookup', f.warm.cpuMsPerLookup ?? NaN, p.warm.cpuMsPerLookup ?? NaN),
      ...searchRatios,
    ],
    detail: {
      note: 'ClickHouse answers in process (no HTTP, no OTLP JSON); ours through the HTTP API. Seed 001 schema keeps no scope name/version, flags or dropped counts.',
      topColumnsBytesPerSpan: topColumns(p.columns, rows),
    },
  };
}
