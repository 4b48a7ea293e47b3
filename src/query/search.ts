// TraceQL search in Tempo's response shape, in two steps:
//
// 1. Which traces: one scan of the span filter's columns plus trace id and
//    start time, grouped per trace with conditional aggregation (seed 000:
//    never a UNION of two scans), newest `limit` traces. When any matching
//    span qualifies a trace (one spanset), files are scanned newest first and
//    the scan stops once no older file can hold a newer trace.
// 2. What the answer says of those traces: root span, extent and
//    per-service span and error counts (Tempo's serviceStats) from the parts'
//    trace summaries (docs/format/trace-summary.md), and the spans matching
//    the query, read through the parts' trace indexes.
//
// Reading span ids, names and durations only for the `limit` traces found,
// not for every matching span, is what makes step 1 cheap (docs/storage.md).

import { join } from 'node:path';
import { hexOf } from '../model/hex.js';
import { BadQueryError } from '../model/errors.js';
import { readParquetSql, type Engine, type Row } from '../engine/duckdb.js';
import type { PartInfo } from '../parts/catalog.js';
import type { StagedFile } from '../head/head.js';
import { compileTraceQL, isSpanFree, usesTraceLevel, type ColumnCatalog } from './traceql/compile-sql.js';
import { traceLevelRelationSql, traceLevelValuesSql, withTraceLevelSql } from './search-trace-level.js';
import { PART_ROW_GROUP_ROWS } from '../parts/part-writer.js';
import { LOOKUP_COLUMN_GROUPS, balancedGroups, candidateFiles, candidateRows, manyTracesFile, spanFileSql, traceIdInFilter, type SpanFile, type TraceIndexCache } from './trace-lookup.js';
import { traceIdSetFilterSql } from './sql/trace-id-sets.js';
import { mergeSummaryRow, summaryFromSpansSql, summaryReadSql, SUMMARY_SPAN_COLUMNS, type TraceSummary } from '../parts/trace-summary.js';

export interface SearchRequest {
  query: string;
  /** unix nanos, inclusive; undefined = unbounded */
  startNs?: bigint;
  endNs?: bigint;
  limit: number;
  /** spans per spanset returned */
  spss: number;
  /** only traces in this uploaded trace-id set (POST /api/v1/trace-id-sets) */
  traceIdSet?: string;
}

export interface SearchSpan {
  spanID: string;
  name: string;
  startTimeUnixNano: string;
  durationNanos: string;
  attributes: { key: string; value: { stringValue: string } }[];
}

/** Spans of one service in a trace, and how many of them have status error (Tempo's ServiceStats). */
export interface ServiceStats {
  spanCount: number;
  errorCount: number;
}

export interface SearchTrace {
  traceID: string;
  rootServiceName: string;
  rootTraceName: string;
  startTimeUnixNano: string;
  durationMs: number;
  spanSet: { spans: SearchSpan[]; matched: number };
  spanSets: { spans: SearchSpan[]; matched: number }[];
  serviceStats: Record<string, ServiceStats>;
}

export interface SearchResponse {
  traces: SearchTrace[];
  metrics: { inspectedTraces: number; inspectedBytes: string; totalBlocks: number; completedJobs: number; totalJobs: number };
}

export interface SearchInput {
  dataDir: string;
  parts: readonly PartInfo[];
  staged: readonly StagedFile[];
}

function overlaps(minNs: bigint, maxNs: bigint, req: SearchRequest): boolean {
  return (req.endNs === undefined || minNs <= req.endNs) && (req.startNs === undefined || maxNs >= req.startNs);
}

/** A file of the search with the time range of its spans. */
interface SearchSource extends SpanFile {
  minStartNs: bigint;
  maxStartNs: bigint;
  bytes: number;
}

/** Files whose time range meets the request's, newest first. */
function searchSources(input: SearchInput, req: SearchRequest): SearchSource[] {
  const out: SearchSource[] = [];
  for (const p of input.parts) {
    const maxStartNs = BigInt(p.maxStartNs);
    const minStartNs = BigInt(p.minStartNs);
    if (!overlaps(minStartNs, maxStartNs, req)) continue;
    out.push({ path: join(input.dataDir, p.path), columns: p.columns, minStartNs, maxStartNs, bytes: p.bytes, ...(p.summaryPath ? { summary: join(input.dataDir, p.summaryPath) } : {}) });
  }
  for (const f of input.staged) {
    if (overlaps(f.minStartNs, f.maxStartNs, req)) out.push({ path: f.path, columns: f.columns, minStartNs: f.minStartNs, maxStartNs: f.maxStartNs, bytes: 0 });
  }
  return out.sort((a, b) => (a.maxStartNs > b.maxStartNs ? -1 : a.maxStartNs < b.maxStartNs ? 1 : 0));
}

function columnsOf(files: readonly SpanFile[]): Set<string> {
  const columns = new Set<string>();
  for (const f of files) for (const c of f.columns) columns.add(c);
  return columns;
}

/** What a search compiles its query against: the files' columns, and trace-level values (search-trace-level.ts). */
function searchCatalog(files: readonly SpanFile[]): ColumnCatalog {
  const columns = columnsOf(files);
  return { has: (c) => columns.has(c), traceLevel: true };
}

/** Files whose time range meets the request's, and the union of their columns. */
export function searchFiles(input: SearchInput, req: SearchRequest): { files: string[]; columns: Set<string>; bytes: number } {
  const sources = searchSources(input, req);
  return { files: sources.map((f) => f.path), columns: columnsOf(sources), bytes: sources.reduce((n, f) => n + f.bytes, 0) };
}

/** SQL condition on span start time for the request's range. */
export function searchTimeFilter(req: Pick<SearchRequest, 'startNs' | 'endNs'>): string {
  const c: string[] = [];
  if (req.startNs !== undefined) c.push(`start_time_unix_nano >= ${req.startNs}`);
  if (req.endNs !== undefined) c.push(`start_time_unix_nano <= ${req.endNs}`);
  return c.length ? c.join(' AND ') : 'TRUE';
}

function hex(v: unknown): string {
  return v instanceof Uint8Array ? hexOf(v, 0, v.length) : '';
}

/** RE2 syntax is checked by DuckDB when the query runs: a bad regex is the user's error. */
function userRegexError(err: unknown): never {
  const msg = (err as Error).message ?? '';
  if (/regex|regular expression/i.test(msg)) throw new BadQueryError(`search: invalid regular expression: ${msg.split('\n')[0]}`);
  throw err;
}

interface TraceHit {
  id: Uint8Array;
  lastStartNs: bigint;
}

/** Does every span of the file start within the request's time range? */
function inside(f: SearchSource, req: SearchRequest): boolean {
  return (req.startNs === undefined || f.minStartNs >= req.startNs) && (req.endNs === undefined || f.maxStartNs <= req.endNs);
}

/**
 * Step 1 over some files: the newest `limit` traces the query selects, by
 * latest matching span. A span-free query (`{}`, trace-level intrinsics
 * only: isSpanFree) matches all spans of a trace or none, so over a part
 * wholly inside the time range its trace summary stands for its spans: one
 * row per trace, with the trace's latest span start.
 */
async function findTraces(engine: Engine, dataDir: string, files: readonly SearchSource[], req: SearchRequest, traceLevel: string | undefined, spanFree: boolean): Promise<TraceHit[]> {
  const plan = compileTraceQL(req.query, searchCatalog(files));
  const flags = plan.spansets.map((s, i) => `(${s}) AS m${i}`).join(', ');
  const anyFlags = plan.spansets.map((_, i) => `bool_or(m${i}) AS m${i}`).join(', ');
  const withTraceLevel = (source: string): string => (traceLevel && usesTraceLevel(plan) ? withTraceLevelSql(source, traceLevel) : source);
  const idSet = req.traceIdSet ? ` AND ${traceIdSetFilterSql(dataDir, req.traceIdSet)}` : '';
  const fromSummaries = spanFree ? files.filter((f) => f.summary !== undefined && inside(f, req)) : [];
  const fromSpans = files.filter((f) => !fromSummaries.includes(f));
  const selects: string[] = [];
  if (fromSpans.length > 0) {
    const spans = withTraceLevel(readParquetSql(fromSpans.map((f) => f.path)));
    selects.push(`SELECT trace_id, start_time_unix_nano, ${flags} FROM ${spans} WHERE ${searchTimeFilter(req)} AND (${plan.anySpanset})${idSet}`);
  }
  if (fromSummaries.length > 0) {
    const summaries = withTraceLevel(summaryReadSql(fromSummaries.map((f) => f.summary!)));
    selects.push(`SELECT trace_id, start_time_unix_nano + last_start_offset_nano AS start_time_unix_nano, ${flags} FROM ${summaries} WHERE (${plan.anySpanset})${idSet}`);
  }
  const matched = selects.join(' UNION ALL ');
  const rows = await engine
    .all(
      `SELECT trace_id, last_start FROM (SELECT trace_id, max(start_time_unix_nano) AS last_start, ${anyFlags} FROM (${matched}) GROUP BY trace_id) ` +
        `WHERE ${plan.traceCondition} ORDER BY last_start DESC LIMIT ${Math.floor(req.limit)}`,
    )
    .catch(userRegexError);
  return rows.map((r) => ({ id: r['trace_id'] as Uint8Array, lastStartNs: BigInt(r['last_start'] as bigint) }));
}

/**
 * Step 1 over all files. With one spanset a trace qualifies by any one span,
 * so files are read newest first in growing batches, and reading stops once
 * `limit` traces have a matching span newer than anything the rest can hold.
 */
async function newestTraces(
  engine: Engine,
  dataDir: string,
  sources: readonly SearchSource[],
  req: SearchRequest,
  monotone: boolean,
  traceLevel: string | undefined,
): Promise<{ hits: TraceHit[]; read: SearchSource[] }> {
  const spanFree = isSpanFree(req.query);
  if (!monotone) return { hits: await findTraces(engine, dataDir, sources, req, traceLevel, spanFree), read: [...sources] };
  const best = new Map<string, TraceHit>();
  let next = 0;
  let batch = 1;
  for (;;) {
    // At least `batch` files, and every file overlapping them in time (the
    // parts of one flush, split by trace id, share their time range).
    let end = Math.min(sources.length, next + batch);
    let oldest = sources[next]!.minStartNs;
    for (let i = next; i < end; i++) if (sources[i]!.minStartNs < oldest) oldest = sources[i]!.minStartNs;
    while (end < sources.length && sources[end]!.maxStartNs >= oldest) {
      if (sources[end]!.minStartNs < oldest) oldest = sources[end]!.minStartNs;
      end++;
    }
    const files = sources.slice(next, end);
    next = end;
    batch *= 2;
    for (const h of await findTraces(engine, dataDir, files, req, traceLevel, spanFree)) {
      const key = hexOf(h.id, 0, 16);
      const had = best.get(key);
      if (!had || had.lastStartNs < h.lastStartNs) best.set(key, h);
    }
    const hits = [...best.values()].sort((a, b) => (a.lastStartNs > b.lastStartNs ? -1 : a.lastStartNs < b.lastStartNs ? 1 : 0)).slice(0, req.limit);
    const rest = sources.slice(next);
    const restNewest = rest.reduce((m, f) => (f.maxStartNs > m ? f.maxStartNs : m), -1n << 63n);
    if (rest.length === 0 || (hits.length >= req.limit && hits[hits.length - 1]!.lastStartNs > restNewest)) return { hits, read: sources.slice(0, next) };
  }
}

/**
 * @param engine step 1's scans (several threads)
 * @param lookupEngine step 2's reads of a few row groups (one thread, concurrent queries; trace-lookup.ts)
 */
export async function search(engine: Engine, input: SearchInput, req: SearchRequest, indexes: TraceIndexCache, lookupEngine: Engine = engine): Promise<SearchResponse> {
  if (!(req.limit > 0)) throw new BadQueryError('search: limit must be a positive integer');
  const sources = searchSources(input, req);
  // Compiled over every file first: syntax and type errors are the same whatever is read.
  const plan = compileTraceQL(req.query, searchCatalog(sources));
  const metrics = { inspectedTraces: 0, inspectedBytes: '0', totalBlocks: sources.length, completedJobs: sources.length, totalJobs: sources.length };
  if (sources.length === 0) return { traces: [], metrics };

  // Trace-level intrinsics: every span row joined with its trace's values, from all parts' summaries.
  const traceLevel = usesTraceLevel(plan) ? traceLevelRelationSql(input) : undefined;
  const { hits, read } = await newestTraces(engine, input.dataDir, sources, req, plan.spansets.length === 1, traceLevel);
  metrics.inspectedBytes = String(read.reduce((n, f) => n + f.bytes, 0));
  metrics.inspectedTraces = hits.length;
  const details = await traceDetails(lookupEngine, input, hits.map((h) => h.id), req, indexes, traceLevel !== undefined);
  const traces: SearchTrace[] = [];
  for (const h of hits) {
    const id = hexOf(h.id, 0, 16);
    const d = details.get(id);
    const s = d?.summary;
    const spanSet = { spans: d?.spans.slice(0, Math.max(1, Math.floor(req.spss))) ?? [], matched: d?.spans.length ?? 0 };
    traces.push({
      traceID: id,
      rootServiceName: s?.rootServiceName ?? '<root span not yet received>',
      rootTraceName: s?.rootSpanName ?? '',
      startTimeUnixNano: String(s?.startNs ?? 0n),
      durationMs: s ? Number((s.endNs - s.startNs) / 1_000_000n) : 0,
      spanSet,
      spanSets: [spanSet],
      serviceStats: s ? Object.fromEntries([...s.services].map(([name, c]) => [name, { spanCount: c.spanCount, errorCount: c.errorCount }])) : {},
    });
  }
  traces.sort((a, b) => (BigInt(b.startTimeUnixNano) > BigInt(a.startTimeUnixNano) ? 1 : -1));
  return { traces, metrics };
}

interface TraceDetail {
  summary: TraceSummary | undefined;
  /** spans matching any spanset within the time range, by start time */
  spans: SearchSpan[];
}

function compareBigints(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The columns of a matched span in a search answer. */
const MATCHED_SPAN_COLUMNS = 'trace_id, span_id, name, service_name, start_time_unix_nano, duration_nano';

/** Summary rows of the traces (`idFilter`) in the files holding them, merged per trace. */
async function readSummaries(engine: Engine, files: readonly SpanFile[], idFilter: string): Promise<Map<string, TraceSummary>> {
  const summarized = files.filter((f) => f.summary !== undefined).map((f) => f.summary!);
  const unsummarized = files.filter((f) => f.summary === undefined);
  const queries: string[] = [];
  if (summarized.length > 0) queries.push(`SELECT * FROM ${summaryReadSql(summarized)} WHERE ${idFilter}`);
  if (unsummarized.length > 0) {
    const spans = unsummarized.map((f) => spanFileSql(manyTracesFile(f, PART_ROW_GROUP_ROWS), SUMMARY_SPAN_COLUMNS, idFilter)).join(' UNION ALL ');
    queries.push(summaryFromSpansSql(`(${spans})`));
  }
  const summaries = new Map<string, TraceSummary>();
  for (const rows of await Promise.all(queries.map((q) => engine.all(q)))) for (const r of rows) mergeSummaryRow(summaries, hex(r['trace_id']), r);
  return summaries;
}

/**
 * The traces' spans matching the query, by start time: one SELECT per file
 * over the rows its trace index names (and its own columns); the files split
 * into LOOKUP_COLUMN_GROUPS queries of about as many candidate rows each, run
 * at once (one thread each). `summaries`: the traces' trace-level values, for
 * a query that reads them.
 */
async function readMatchedSpans(engine: Engine, files: readonly SpanFile[], ids: readonly Uint8Array[], req: SearchRequest, summaries?: ReadonlyMap<string, TraceSummary>): Promise<Row[]> {
  const idFilter = traceIdInFilter(ids);
  const selects = files.map((f) => {
    const plan = compileTraceQL(req.query, searchCatalog([f]));
    const read = manyTracesFile(f, PART_ROW_GROUP_ROWS);
    const matching = `${searchTimeFilter(req)} AND (${plan.anySpanset})`;
    const sql = summaries
      ? `SELECT ${MATCHED_SPAN_COLUMNS} FROM ${withTraceLevelSql(`(${spanFileSql(read, '*', idFilter)})`, traceLevelValuesSql(summaries))} WHERE ${matching}`
      : spanFileSql(read, MATCHED_SPAN_COLUMNS, `${idFilter} AND ${matching}`);
    return { sql, weight: candidateRows(read) };
  });
  const results = await Promise.all(balancedGroups(selects, LOOKUP_COLUMN_GROUPS).map((g) => engine.all(g.map((x) => x.sql).join(' UNION ALL ')).catch(userRegexError)));
  return results.flat().sort((a, b) => compareBigints(a['start_time_unix_nano'] as bigint, b['start_time_unix_nano'] as bigint));
}

/**
 * Step 2: what the answer says of each trace found — extent, root span and
 * per-service counts from the trace summaries of the parts holding it (the
 * spans of staging files and of parts without a summary are summed the
 * same way), and its spans matching the query from the files holding it.
 * With trace-level conditions the summaries are read first: the matching
 * spans' query needs their values.
 */
async function traceDetails(engine: Engine, input: SearchInput, ids: Uint8Array[], req: SearchRequest, indexes: TraceIndexCache, traceLevel: boolean): Promise<Map<string, TraceDetail>> {
  const out = new Map<string, TraceDetail>();
  if (ids.length === 0) return out;
  const files = await candidateFiles(input, ids, indexes);
  if (files.length === 0) return out;
  let summaries: Map<string, TraceSummary>;
  let matched: Row[];
  if (traceLevel) {
    summaries = await readSummaries(engine, files, traceIdInFilter(ids));
    matched = await readMatchedSpans(engine, files, ids, req, summaries);
  } else {
    [summaries, matched] = await Promise.all([readSummaries(engine, files, traceIdInFilter(ids)), readMatchedSpans(engine, files, ids, req)]);
  }
  for (const [id, summary] of summaries) out.set(id, { summary, spans: [] });
  for (const r of matched) {
    const id = hex(r['trace_id']);
    let d = out.get(id);
    if (!d) out.set(id, (d = { summary: undefined, spans: [] }));
    d.spans.push({
      spanID: hex(r['span_id']),
      name: String(r['name']),
      startTimeUnixNano: String(r['start_time_unix_nano']),
      durationNanos: String(r['duration_nano']),
      attributes: [{ key: 'service.name', value: { stringValue: String(r['service_name']) } }],
    });
  }
  return out;
}
