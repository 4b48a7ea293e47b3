// Settings of `marquetry serve`, with defaults. Flags, environment variables
// and a YAML file all fill this one shape (src/cli/serve-options.ts).

import type { AttributeColumnRef } from '../parts/schema.js';
import { DEFAULT_DEDICATED_COLUMNS } from '../parts/schema.js';
import { PART_FLUSH_ROWS } from '../parts/part-writer.js';

export interface ServerConfig {
  dataDir: string;
  otlpHttp: string;
  otlpGrpc: string;
  http: string;
  /** seal the head into a queryable staging file at least this often */
  sealIntervalMs: number;
  /** flush staging files into parts this often… */
  flushIntervalMs: number;
  /** …or as soon as this many spans are staged */
  flushMaxSpans: number;
  /** most spans in one part a flush writes (a bigger flush is split by trace-id range) */
  partMaxSpans: number;
  /** beyond this many spans in the head (not yet in parts), ingest answers 503 */
  maxHeadSpans: number;
  /** ingest answers 503 while resident memory plus room for a flush exceeds this (bytes; 0 = no bound) */
  maxMemoryBytes: number;
  /** 0 = keep forever */
  retentionMs: number;
  compactIntervalMs: number;
  /** largest request body accepted, after decompression */
  maxRequestBytes: number;
  /** bearer token required on ingest and query; '' = no auth */
  authToken: string;
  dedicatedColumns: AttributeColumnRef[];
  queryThreads: number;
  queryMemoryLimit: string;
  queryTimeoutMs: number;
  /** fsync the WAL before acknowledging (only benchmarks may turn this off) */
  walFsync: boolean;
  /** metric chunk encoding (seed 002's flag) */
  chunkEncoding: 'double-delta' | 'varbit' | 'auto';
  /** persist the metrics head into a block at this many samples… */
  metricsBlockMaxSamples: number;
  /** …or when it spans this long */
  metricsBlockMaxSpanMs: number;
  /** beyond this many samples in the metrics head, ingest answers 503 */
  metricsMaxHeadSamples: number;
  /** PromQL lookback delta */
  lookbackDeltaMs: number;
  /** PromQL: most samples one query may hold */
  queryMaxSamples: number;
}

export function defaultConfig(): ServerConfig {
  return {
    dataDir: './data',
    otlpHttp: '127.0.0.1:4318',
    otlpGrpc: '127.0.0.1:4317',
    http: '127.0.0.1:3200',
    sealIntervalMs: 500,
    flushIntervalMs: 15_000,
    flushMaxSpans: 1_000_000,
    partMaxSpans: PART_FLUSH_ROWS,
    maxHeadSpans: 6_000_000,
    maxMemoryBytes: 1536 * 1024 * 1024,
    retentionMs: 0,
    compactIntervalMs: 60_000,
    maxRequestBytes: 64 * 1024 * 1024,
    authToken: '',
    dedicatedColumns: [...DEFAULT_DEDICATED_COLUMNS],
    queryThreads: 2,
    queryMemoryLimit: '2GB',
    queryTimeoutMs: 30_000,
    walFsync: true,
    chunkEncoding: 'varbit', // bench/chunks: auto is within 0.1% of varbit in size and appends 1.7x slower
    metricsBlockMaxSamples: 20_000_000,
    metricsBlockMaxSpanMs: 2 * 3600_000,
    metricsMaxHeadSamples: 60_000_000,
    lookbackDeltaMs: 5 * 60_000,
    queryMaxSamples: 50_000_000,
  };
}

/** "host:port" → parts; port 0 lets the OS pick. */
export function parseHostPort(value: string): { host: string; port: number } {
  const i = value.lastIndexOf(':');
  if (i < 0) throw new Error(`config: address "${value}" must look like 127.0.0.1:4318`);
  const port = Number(value.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`config: bad port in "${value}"`);
  return { host: value.slice(0, i).replace(/^\[|\]$/g, '') || '127.0.0.1', port };
}

/** "30s", "500ms", "7d", "12h", "0" → milliseconds. */
export function parseDurationMs(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(value.trim());
  if (!m) throw new Error(`config: duration "${value}" must look like 500ms, 30s, 12h or 7d`);
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[m[2] ?? 's']!;
  return Math.round(n * unit);
}

/** "64MiB", "1GB", "1000000" → bytes. */
export function parseBytes(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?$/i.exec(value.trim());
  if (!m) throw new Error(`config: size "${value}" must look like 64MiB`);
  const unit = m[2]?.toLowerCase() ?? 'b';
  const mult = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 }[unit]!;
  return Math.round(Number(m[1]) * mult);
}
