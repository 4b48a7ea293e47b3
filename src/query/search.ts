// TraceQL search in Tempo's response shape. One scan finds matching spans and
// decides per trace with conditional aggregation (seed 000: never a UNION of
// two scans); a second, small lookup fetches root span and extent of only the
// `limit` traces returned, through the trace-id blooms.

import { join } from 'node:path';
import { hexOf } from '../model/hex.js';
import { BadQueryError } from '../model/errors.js';
import { readParquetSql, type Engine, type Row } from '../engine/duckdb.js';
import type { PartInfo } from '../parts/catalog.js';
import type { StagedFile } from '../head/head.js';
import { compileTraceQL } from './traceql/compile-sql.js';
import { candidateFiles, type BloomCache } from './trace-lookup.js';
import { traceIdSetFilterSql } from './sql/trace-id-sets.js';

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

/** Files whose time range meets the request's, and the union of their columns. */
export function searchFiles(input: SearchInput, req: SearchRequest): { files: string[]; columns: Set<string>; bytes: number } {
  const files: string[] = [];
  const columns = new Set<string>();
  let bytes = 0;
  for (const p of input.parts) {
    if (!overlaps(BigInt(p.minStartNs), BigInt(p.maxStartNs), req)) continue;
    files.push(join(input.dataDir, p.path));
    bytes += p.bytes;
    for (const c of p.columns) columns.add(c);
  }
  for (const f of input.staged) {
    if (!overlaps(f.minStartNs, f.maxStartNs, req)) continue;
    files.push(f.path);
    for (const c of f.columns) columns.add(c);
  }
  return { files, columns, bytes };
}

/** SQL condition on span start time for the request's range. */
export function searchTimeFilter(req: Pick<SearchRequest, 'startNs' | 'endNs'>): string {
  const c: string[] = [];
  if (req.startNs !== undefined) c.push(`start_time_unix_nano >= ${req.startNs}`);
  if (req.endNs !== undefined) c.push(`start_time_unix_nano <= ${req.endNs}`);
  return c.length ? c.join(' AND ') : 'TRUE';
}

/** OTLP's STATUS_CODE_ERROR. */
const STATUS_ERROR = 2;

function hex(v: unknown): string {
  return v instanceof Uint8Array ? hexOf(v, 0, v.length) : '';
}

export async function search(engine: Engine, input: SearchInput, req: SearchRequest, blooms: BloomCache): Promise<SearchResponse> {
  if (!(req.limit > 0)) throw new BadQueryError('search: limit must be a positive integer');
  const { files, columns, bytes } = searchFiles(input, req);
  const plan = compileTraceQL(req.query, { has: (c) => columns.has(c) });
  const metrics = { inspectedTraces: 0, inspectedBytes: String(bytes), totalBlocks: files.length, completedJobs: files.length, totalJobs: files.length };
  if (files.length === 0) return { traces: [], metrics };

  const flags = plan.spansets.map((s, i) => `(${s}) AS m${i}`).join(', ');
  const anyFlags = plan.spansets.map((_, i) => `bool_or(m${i}) AS m${i}`).join(', ');
  const matchedSql =
    `SELECT trace_id, span_id, name, service_name, start_time_unix_nano, duration_nano, ${flags} ` +
    `FROM ${readParquetSql(files)} WHERE ${searchTimeFilter(req)} AND (${plan.anySpanset})` +
    (req.traceIdSet ? ` AND ${traceIdSetFilterSql(input.dataDir, req.traceIdSet)}` : '');
  const sql =
    `WITH matched AS (${matchedSql}), ` +
    `per_trace AS (SELECT trace_id, ${anyFlags}, max(start_time_unix_nano) AS last_start, count(*) AS n FROM matched GROUP BY trace_id), ` +
    `hits AS (SELECT trace_id, last_start, n FROM per_trace WHERE ${plan.traceCondition} ORDER BY last_start DESC LIMIT ${Math.floor(req.limit)}) ` +
    `SELECT m.trace_id, m.span_id, m.name, m.service_name, m.start_time_unix_nano, m.duration_nano, h.n, h.last_start, ` +
    `row_number() OVER (PARTITION BY m.trace_id ORDER BY m.start_time_unix_nano) AS k ` +
    `FROM matched m JOIN hits h USING (trace_id) QUALIFY k <= ${Math.max(1, Math.floor(req.spss))} ` +
    `ORDER BY h.last_start DESC, m.start_time_unix_nano`;
  const rows = await engine.all(sql).catch((err: unknown) => {
    // RE2 syntax is checked by DuckDB when the query runs: a bad regex is the user's error.
    const msg = (err as Error).message ?? '';
    if (/regex|regular expression/i.test(msg)) throw new BadQueryError(`search: invalid regular expression: ${msg.split('\n')[0]}`);
    throw err;
  });

  const byTrace = new Map<string, { id: Uint8Array; spans: SearchSpan[]; matched: number }>();
  for (const r of rows) {
    const id = hex(r['trace_id']);
    let t = byTrace.get(id);
    if (!t) {
      t = { id: r['trace_id'] as Uint8Array, spans: [], matched: Number(r['n']) };
      byTrace.set(id, t);
    }
    t.spans.push({
      spanID: hex(r['span_id']),
      name: String(r['name']),
      startTimeUnixNano: String(r['start_time_unix_nano']),
      durationNanos: String(r['duration_nano']),
      attributes: [{ key: 'service.name', value: { stringValue: String(r['service_name']) } }],
    });
  }
  metrics.inspectedTraces = byTrace.size;
  const summaries = await traceSummaries(engine, input, [...byTrace.values()].map((t) => t.id), blooms);
  const traces: SearchTrace[] = [];
  for (const [id, t] of byTrace) {
    const s = summaries.get(id);
    const spanSet = { spans: t.spans, matched: t.matched };
    traces.push({
      traceID: id,
      rootServiceName: s?.rootServiceName ?? '<root span not yet received>',
      rootTraceName: s?.rootTraceName ?? '',
      startTimeUnixNano: String(s?.startNs ?? 0n),
      durationMs: s ? Number((s.endNs - s.startNs) / 1_000_000n) : 0,
      spanSet,
      spanSets: [spanSet],
      serviceStats: s?.serviceStats ?? {},
    });
  }
  traces.sort((a, b) => (BigInt(b.startTimeUnixNano) > BigInt(a.startTimeUnixNano) ? 1 : -1));
  return { traces, metrics };
}

interface TraceSummary {
  rootServiceName: string | undefined;
  rootTraceName: string | undefined;
  startNs: bigint;
  endNs: bigint;
  /** Tempo's per-service span and error counts of the whole trace */
  serviceStats: Record<string, ServiceStats>;
}

/** Root span, extent and per-service counts of each trace, reading only files that may hold them. */
async function traceSummaries(engine: Engine, input: SearchInput, ids: Uint8Array[], blooms: BloomCache): Promise<Map<string, TraceSummary>> {
  const out = new Map<string, TraceSummary>();
  if (ids.length === 0) return out;
  const files = await candidateFiles(input, ids, blooms);
  if (files.length === 0) return out;
  // Parts carry no Parquet bloom filters (part-writer.ts), so IN — which DuckDB
  // turns into `=` for one id — is exact, and min/max prune row groups.
  const idFilter = `trace_id IN (${ids.map((id) => `from_hex('${hexOf(id, 0, 16)}')`).join(', ')})`;
  // One row per (trace, service); the trace's root and extent are folded from them below.
  const rows: Row[] = await engine.all(
    `SELECT trace_id, service_name, count(*) AS spans, count(*) FILTER (WHERE status_code = ${STATUS_ERROR}) AS errors, ` +
      `min(start_time_unix_nano) AS s, max(start_time_unix_nano + duration_nano) AS e, ` +
      `arg_min(name, start_time_unix_nano) FILTER (WHERE parent_span_id IS NULL) AS root_name, ` +
      `min(start_time_unix_nano) FILTER (WHERE parent_span_id IS NULL) AS root_start ` +
      `FROM ${readParquetSql(files)} WHERE ${idFilter} GROUP BY trace_id, service_name`,
  );
  const rootStart = new Map<string, bigint>();
  for (const r of rows) {
    const id = hex(r['trace_id']);
    const s = BigInt(r['s'] as bigint);
    const e = BigInt(r['e'] as bigint);
    let t = out.get(id);
    if (!t) {
      t = { rootServiceName: undefined, rootTraceName: undefined, startNs: s, endNs: e, serviceStats: {} };
      out.set(id, t);
    }
    if (s < t.startNs) t.startNs = s;
    if (e > t.endNs) t.endNs = e;
    const service = String(r['service_name'] ?? '');
    t.serviceStats[service] = { spanCount: Number(r['spans']), errorCount: Number(r['errors']) };
    // The earliest parentless span is the root, whichever service sent it.
    if (r['root_start'] !== null && r['root_start'] !== undefined) {
      const start = BigInt(r['root_start'] as bigint);
      const best = rootStart.get(id);
      if (best === undefined || start < best) {
        rootStart.set(id, start);
        t.rootServiceName = service;
        t.rootTraceName = String(r['root_name']);
      }
    }
  }
  return out;
}
