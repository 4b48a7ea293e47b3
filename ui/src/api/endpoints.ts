// One typed function per API call the UI makes. Times go out as unix seconds
// (what Tempo's and marquetry's endpoints take).

import { getJson, postJson, postForBlob, type QueryValue } from './client.js';
import type { CompareBaseline, CompareLevel, CompareResponse, CompareTarget, DurationHistogramResponse, HealthResponse, LogHistogramResponse, LogSearchResponse, PromQueryData, SearchResponse, ServicesResponse, SqlResult, TagScopes, TagValues } from './types.js';
import type { ResolvedRange } from '../time-range.js';

const seconds = (ms: number): number => Math.floor(ms / 1000);

/** RED over time per service (or per operation of `service`), with the `top` slowest and most failing operations. */
export function fetchHealth(range: ResolvedRange, stepSeconds: number, opts: { service?: string; top?: number }, signal?: AbortSignal): Promise<HealthResponse> {
  return getJson<HealthResponse>(
    '/api/v1/health',
    { start: seconds(range.startMs), end: seconds(range.endMs), step: stepSeconds, service: opts.service, top: opts.top ?? 0 },
    signal,
  );
}

export function fetchServices(signal?: AbortSignal): Promise<ServicesResponse> {
  return getJson<ServicesResponse>('/api/v1/services', {}, signal);
}

export function searchTraces(q: string, range: ResolvedRange, limit: number, signal?: AbortSignal): Promise<SearchResponse> {
  return getJson<SearchResponse>('/api/search', { q, start: seconds(range.startMs), end: Math.ceil(range.endMs / 1000), limit, spss: 3 }, signal);
}

/** Durations of the spans the search matches, in log buckets. */
export function fetchDurations(q: string, range: ResolvedRange, signal?: AbortSignal): Promise<DurationHistogramResponse> {
  return getJson<DurationHistogramResponse>('/api/v1/search/durations', { q, start: seconds(range.startMs), end: Math.ceil(range.endMs / 1000) }, signal);
}

export function fetchTagScopes(signal?: AbortSignal): Promise<TagScopes> {
  return getJson<TagScopes>('/api/v2/search/tags', {}, signal);
}

/** Values of a scoped tag such as `resource.service.name` or `span.http.route`. */
export function fetchTagValues(tag: string, range: ResolvedRange, signal?: AbortSignal): Promise<TagValues> {
  return getJson<TagValues>(`/api/v2/search/tag/${encodeURIComponent(tag)}/values`, { start: seconds(range.startMs), end: Math.ceil(range.endMs / 1000) }, signal);
}

export interface CompareQuery {
  target: CompareTarget;
  baseline: CompareBaseline;
  level: CompareLevel;
  limit: number;
}

export function fetchCompare(range: ResolvedRange, q: CompareQuery, signal?: AbortSignal): Promise<CompareResponse> {
  return postJson<CompareResponse>('/api/v1/compare', { start: seconds(range.startMs), end: Math.ceil(range.endMs / 1000), ...q }, signal);
}

export function runSql(sql: string, limit: number, signal?: AbortSignal): Promise<SqlResult> {
  return postJson<SqlResult>('/api/v1/sql', { sql, limit, format: 'json' }, signal);
}

export function sqlCsv(sql: string, limit: number): Promise<Blob> {
  return postForBlob('/api/v1/sql', { sql, limit, format: 'csv' });
}

/** A trace in OTLP JSON (Tempo's v2 shape). */
export function fetchTrace(id: string, signal?: AbortSignal): Promise<{ trace: { resourceSpans: unknown[] } }> {
  return getJson(`/api/v2/traces/${encodeURIComponent(id)}`, {}, signal);
}

// Prometheus HTTP API (the Metrics page). Answers are `{status, data}`; errors
// arrive as ApiError with Prometheus's message.

interface PromAnswer<T> {
  status: 'success';
  data: T;
}

async function promData<T>(path: string, query: Record<string, QueryValue>, signal?: AbortSignal): Promise<T> {
  return (await getJson<PromAnswer<T>>(path, query, signal)).data;
}

/** Values of a label, of the series `match` selects when given (e.g. a metric name). */
export function promLabelValues(name: string, match: string | undefined, range: ResolvedRange, signal?: AbortSignal): Promise<string[]> {
  return promData(`/api/v1/label/${encodeURIComponent(name)}/values`, { 'match[]': match, start: seconds(range.startMs), end: Math.ceil(range.endMs / 1000) }, signal);
}

export function promLabelNames(match: string | undefined, range: ResolvedRange, signal?: AbortSignal): Promise<string[]> {
  return promData('/api/v1/labels', { 'match[]': match, start: seconds(range.startMs), end: Math.ceil(range.endMs / 1000) }, signal);
}

export function promSeries(match: string, range: ResolvedRange, signal?: AbortSignal): Promise<Record<string, string>[]> {
  return promData('/api/v1/series', { 'match[]': match, start: seconds(range.startMs), end: Math.ceil(range.endMs / 1000) }, signal);
}

export function promQuery(query: string, timeMs: number, signal?: AbortSignal): Promise<PromQueryData> {
  return promData('/api/v1/query', { query, time: timeMs / 1000 }, signal);
}

export function promQueryRange(query: string, range: ResolvedRange, stepSeconds: number, signal?: AbortSignal): Promise<PromQueryData> {
  return promData('/api/v1/query_range', { query, start: range.startMs / 1000, end: range.endMs / 1000, step: stepSeconds }, signal);
}

/** Log records matching `query`, newest first; `cursor` continues a previous page. */
export function searchLogs(query: string, range: ResolvedRange, limit: number, cursor: string | undefined, signal?: AbortSignal): Promise<LogSearchResponse> {
  return getJson<LogSearchResponse>('/api/v1/logs', { query, start: range.startMs, end: range.endMs, limit, cursor }, signal);
}

/** Matching records per time bucket and severity level. */
export function fetchLogHistogram(query: string, range: ResolvedRange, signal?: AbortSignal): Promise<LogHistogramResponse> {
  return getJson<LogHistogramResponse>('/api/v1/logs/histogram', { query, start: range.startMs, end: range.endMs }, signal);
}

/** Log records carrying a trace id (newest first), between two instants in unix nanoseconds. */
export function fetchTraceLogs(traceId: string, startNs: bigint, endNs: bigint, limit: number, signal?: AbortSignal): Promise<LogSearchResponse> {
  return getJson<LogSearchResponse>('/api/v1/logs', { trace_id: traceId, start: String(startNs), end: String(endNs), limit }, signal);
}
