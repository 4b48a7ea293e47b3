// The JSON shapes of the API answers the UI reads. Health and comparison types
// come from the server's own modules (type-only, erased at build), so a change
// there shows up here as a type error rather than a blank page.

export type { HealthResponse, HealthGroup, HealthStats, HealthSeries, OperationHealth } from '../../../src/analysis/health-types.js';
export type { CompareResponse, DimensionRow, LatencyRow, CompareTarget, CompareBaseline, CompareLevel } from '../../../src/analysis/compare-types.js';

export interface ServicesResponse {
  services: string[];
}

export interface SearchSpan {
  spanID: string;
  name: string;
  startTimeUnixNano: string;
  durationNanos: string;
  attributes?: { key: string; value: { stringValue?: string } }[];
}

export interface SearchTrace {
  traceID: string;
  rootServiceName?: string;
  rootTraceName?: string;
  startTimeUnixNano: string;
  durationMs?: number;
  spanSet?: { spans: SearchSpan[]; matched: number };
  /** Tempo's per-service figures of the whole trace */
  serviceStats?: Record<string, { spanCount: number; errorCount?: number }>;
}

export interface SearchResponse {
  traces: SearchTrace[];
  metrics?: { inspectedTraces?: number; inspectedBytes?: string };
}

export interface TagScopes {
  scopes: { name: string; tags: string[] }[];
}

export interface TagValues {
  tagValues: { type: string; value: string }[];
}

export interface SqlResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  truncated?: boolean;
  elapsedMs?: number;
}

/** GET /api/v1/search/durations (src/query/duration-histogram.ts) */
export interface DurationHistogramResponse {
  bucketsPerDecade: number;
  buckets: { index: number; lowerMs: number; upperMs: number; spans: number; errors: number }[];
  spans: number;
  errors: number;
}

export type { PromQueryData, PromMatrixSeries, PromVectorSample } from '../../../src/tsdb/promql/engine-types.js';
import type { LogRecordJson as LogRecord } from '../../../src/query/logs/log-record-types.js';
export type { Plain as PlainJson } from '../../../src/query/logs/log-record-types.js';
export type { LogRecord };

export interface LogSearchResponse {
  records: LogRecord[];
  nextCursor?: string;
  stats: { filesInRange: number; unitsPlanned: number; unitsRead: number; chunksSkipped: number };
}

export interface LogHistogramResponse {
  stepNs: string;
  buckets: { startNs: string; counts: Record<string, number> }[];
}
