// TraceQL metrics (Tempo's /api/metrics/query_range and /api/metrics/query):
// `{ filter } | rate()`, `count_over_time()`, `quantile_over_time(duration, …)`,
// `avg/max/min/sum_over_time(…)`, with `by (…)`. Answered from rollups when
// the query only needs what they are keyed by (traceql-metrics-rollups.ts),
// otherwise with one scan over the spans (traceql-metrics-raw.ts).
// Intervals are aligned to the epoch as Tempo aligns them: the range is
// widened to whole steps and each sample is stamped with its interval's start.

import type { Engine } from '../engine/duckdb.js';
import { BadQueryError, UnsupportedQueryError } from '../model/errors.js';
import { parseTraceQL } from '../query/traceql/parser.js';
import { compileTraceQL } from '../query/traceql/compile-sql.js';
import type { TraceStore } from '../store/trace-store.js';
import { parseMetricsQuery } from './traceql-metrics-parse.js';
import { metricsFromRollups, rollupsCanAnswer } from './traceql-metrics-rollups.js';
import { metricsFromSpans, regexError } from './traceql-metrics-raw.js';
import { toTempoSeries, type GroupResult, type Intervals, type QueryRangeResponse } from './traceql-metrics-series.js';

export interface MetricsRangeRequest {
  query: string;
  /** unix nanoseconds; end exclusive */
  startNs: bigint;
  endNs: bigint;
  stepNs: bigint;
  /** false for instant queries: one interval exactly [start, end) */
  align: boolean;
}

export interface MetricsAnswer {
  response: QueryRangeResponse;
  /** which data answered: 'rollups' or 'spans' */
  source: 'rollups' | 'spans';
}

/** Most intervals one answer may hold. */
export const MAX_METRICS_INTERVALS = 11_000;

/** The intervals of a request, widened to whole steps when aligned. */
export function intervalsOf(req: MetricsRangeRequest): Intervals {
  if (req.stepNs <= 0n) throw new BadQueryError('traceql metrics: step must be positive');
  if (req.endNs <= req.startNs) throw new BadQueryError('traceql metrics: end must be after start');
  if (!req.align) return { startNs: req.startNs, stepNs: req.endNs - req.startNs, count: 1 };
  const start = req.startNs - (((req.startNs % req.stepNs) + req.stepNs) % req.stepNs);
  const rem = ((req.endNs % req.stepNs) + req.stepNs) % req.stepNs;
  const end = rem === 0n ? req.endNs : req.endNs + req.stepNs - rem;
  const count = Number((end - start) / req.stepNs);
  if (count > MAX_METRICS_INTERVALS) {
    throw new BadQueryError(`traceql metrics: ${count} intervals asked, at most ${MAX_METRICS_INTERVALS}; use a larger step`);
  }
  return { startNs: start, stepNs: req.stepNs, count };
}

export class TraceQLMetrics {
  constructor(
    private readonly store: TraceStore,
    /** the query engine */
    private readonly engine: Engine,
  ) {}

  async queryRange(req: MetricsRangeRequest): Promise<MetricsAnswer> {
    const q = parseMetricsQuery(req.query);
    const ast = parseTraceQL(q.filter);
    if (ast.kind !== 'spansetFilter') {
      throw new UnsupportedQueryError('traceql metrics: metrics over spanset operations (&&, ||) are not supported yet; use one { … } filter');
    }
    const iv = intervalsOf(req);
    const takenAtMs = Date.now();
    const snap = await this.store.snapshot();
    try {
      let groups: GroupResult[];
      let spans: number;
      let source: MetricsAnswer['source'];
      let files = snap.parts.length + snap.staged.length;
      let bytes = 0;
      if (rollupsCanAnswer(q, ast, iv)) {
        const condition = compileTraceQL(q.filter, { has: () => false }).spansets[0]!;
        const fromMinute = Number(iv.startNs / 60_000_000_000n);
        const toMinute = fromMinute + Number((BigInt(iv.count) * iv.stepNs) / 60_000_000_000n);
        const sources = await this.store.rollups.sources(this.engine, { ...snap, takenAtMs }, fromMinute, toMinute);
        ({ groups, spans } = await metricsFromRollups(this.engine, sources, this.store.rollups.keys, q, condition, iv).catch((err: unknown) => {
          throw regexError(err, q.filter);
        }));
        source = 'rollups';
        files = sources.length;
      } else {
        const raw = await metricsFromSpans(this.engine, snap, q, iv);
        ({ groups, spans, files, bytes } = raw);
        source = 'spans';
      }
      const response: QueryRangeResponse = {
        series: toTempoSeries(q, groups, iv),
        metrics: { inspectedSpans: String(spans), inspectedBytes: String(bytes), totalBlocks: files, completedJobs: 1, totalJobs: 1 },
      };
      return { response, source };
    } finally {
      snap.release();
    }
  }
}
