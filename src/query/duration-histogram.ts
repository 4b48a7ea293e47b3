// Durations of the spans a TraceQL search matches, as a histogram with
// logarithmic buckets (10 per decade: 1ms, 1.26ms, 1.58ms, … 10ms), the
// counts of each bucket split by status error. It is what the UI draws above
// search results and lets people brush to select slow spans. One scan; with
// several spansets (`{…} && {…}`) only spans of traces satisfying the whole
// query count, as in search.

import { BadQueryError } from '../model/errors.js';
import { readParquetSql, type Engine, type Row } from '../engine/duckdb.js';
import { compileTraceQL, usesTraceLevel, type CompiledTraceQL } from './traceql/compile-sql.js';
import { traceLevelRelationSql, withTraceLevelSql } from './search-trace-level.js';
import { searchFiles, searchTimeFilter, type SearchInput, type SearchRequest } from './search.js';
import { traceIdSetFilterSql } from './sql/trace-id-sets.js';

export const BUCKETS_PER_DECADE = 10;

/** OTLP's STATUS_CODE_ERROR. */
const STATUS_ERROR = 2;

export type DurationHistogramRequest = Pick<SearchRequest, 'query' | 'startNs' | 'endNs' | 'traceIdSet'>;

export interface DurationBucket {
  /** bucket index: lower bound is 10^(index / BUCKETS_PER_DECADE) ns */
  index: number;
  lowerMs: number;
  upperMs: number;
  spans: number;
  errors: number;
}

export interface DurationHistogram {
  bucketsPerDecade: number;
  /** buckets with spans, shortest first */
  buckets: DurationBucket[];
  spans: number;
  errors: number;
}

/** [lower, upper) of a bucket in milliseconds. */
export function bucketBoundsMs(index: number): [number, number] {
  const ns = (i: number): number => 10 ** (i / BUCKETS_PER_DECADE);
  return [ns(index) / 1e6, ns(index + 1) / 1e6];
}

/**
 * The histogram's SQL over `files`: bucket, spans, errors. `traceLevel`: the
 * trace-level values to join onto the spans, for a plan that reads them
 * (search-trace-level.ts).
 */
export function durationHistogramSql(files: readonly string[], plan: CompiledTraceQL, req: DurationHistogramRequest, dataDir: string, traceLevel?: string): string {
  const spans = traceLevel ? withTraceLevelSql(readParquetSql(files), traceLevel) : readParquetSql(files);
  // The epsilon keeps exact powers of ten (log10 a hair below an integer) in their own bucket.
  const bucket = `CAST(floor(log10(greatest(duration_nano, 1)) * ${BUCKETS_PER_DECADE} + 1e-9) AS INTEGER)`;
  const where =
    `${searchTimeFilter(req)} AND (${plan.anySpanset})` + (req.traceIdSet ? ` AND ${traceIdSetFilterSql(dataDir, req.traceIdSet)}` : '');
  const tally = `count(*) AS spans, count(*) FILTER (WHERE status_code = ${STATUS_ERROR}) AS errors`;
  if (plan.spansets.length <= 1) {
    return `SELECT ${bucket} AS b, ${tally} FROM ${spans} WHERE ${where} GROUP BY b ORDER BY b`;
  }
  const flags = plan.spansets.map((s, i) => `(${s}) AS m${i}`).join(', ');
  const anyFlags = plan.spansets.map((_, i) => `bool_or(m${i}) AS m${i}`).join(', ');
  return (
    `WITH matched AS (SELECT trace_id, duration_nano, status_code, ${flags} FROM ${spans} WHERE ${where}), ` +
    `hits AS (SELECT trace_id FROM (SELECT trace_id, ${anyFlags} FROM matched GROUP BY trace_id) WHERE ${plan.traceCondition}) ` +
    `SELECT ${bucket} AS b, ${tally} FROM matched SEMI JOIN hits USING (trace_id) GROUP BY b ORDER BY b`
  );
}

export async function durationHistogram(engine: Engine, input: SearchInput, req: DurationHistogramRequest): Promise<DurationHistogram> {
  const { files, columns } = searchFiles(input, { ...req, limit: 1, spss: 1 });
  const plan = compileTraceQL(req.query, { has: (c) => columns.has(c), traceLevel: true });
  const out: DurationHistogram = { bucketsPerDecade: BUCKETS_PER_DECADE, buckets: [], spans: 0, errors: 0 };
  if (files.length === 0) return out;
  const traceLevel = usesTraceLevel(plan) ? traceLevelRelationSql(input) : undefined;
  const rows: Row[] = await engine.all(durationHistogramSql(files, plan, req, input.dataDir, traceLevel)).catch((err: unknown) => {
    const msg = (err as Error).message ?? '';
    if (/regex|regular expression/i.test(msg)) throw new BadQueryError(`search: invalid regular expression: ${msg.split('\n')[0]}`);
    throw err;
  });
  for (const r of rows) {
    const index = Number(r['b']);
    const [lowerMs, upperMs] = bucketBoundsMs(index);
    const spans = Number(r['spans']);
    const errors = Number(r['errors']);
    out.buckets.push({ index, lowerMs, upperMs, spans, errors });
    out.spans += spans;
    out.errors += errors;
  }
  return out;
}
