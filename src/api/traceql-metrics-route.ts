// Tempo's TraceQL metrics endpoints, so Grafana's Tempo data source can chart
// `{ … } | rate() by (…)` and `quantile_over_time(duration, .99)`:
//   GET /api/metrics/query_range?q=&start=&end=&since=&step=
//   GET /api/metrics/query?q=&start=&end=&since=        (instant: one value per series)
// The response header X-Marquetry-Source says whether rollups or spans answered.

import type { Context, Hono } from 'hono';
import type { Engine } from '../engine/duckdb.js';
import { BadQueryError } from '../model/errors.js';
import type { TraceStore } from '../store/trace-store.js';
import { TraceQLMetrics, type MetricsRangeRequest } from '../analysis/traceql-metrics.js';
import { parseDurationMs, parseInstantNs } from '../analysis/health-params.js';
import { failJson } from './health-route.js';

export interface TraceQLMetricsRouteDeps {
  store: TraceStore;
  /** the query engine */
  engine: Engine;
}

const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;

/** Tempo's default step: about 240 points, in whole 5 s (or 1 s) steps, at least 1 s. */
export function defaultStepNs(rangeNs: bigint): bigint {
  const baseline = rangeNs / 240n;
  let step = (baseline / (5n * NS_PER_S)) * 5n * NS_PER_S;
  if (step < 5n * NS_PER_S) step = (baseline / NS_PER_S) * NS_PER_S;
  return step < NS_PER_S ? NS_PER_S : step;
}

function rangeOf(c: Context): { startNs: bigint; endNs: bigint } {
  const endNs = parseInstantNs('end', c.req.query('end')) ?? BigInt(Date.now()) * NS_PER_MS;
  const sinceMs = parseDurationMs('since', c.req.query('since'));
  const startNs = parseInstantNs('start', c.req.query('start')) ?? endNs - BigInt(Math.round(sinceMs ?? 3_600_000)) * NS_PER_MS;
  if (endNs <= startNs) throw new BadQueryError('traceql metrics: end must be after start');
  return { startNs, endNs };
}

function queryOf(c: Context): string {
  const q = c.req.query('q');
  if (q === undefined || q.trim() === '') throw new BadQueryError('traceql metrics: q (a metrics query such as { } | rate()) is required');
  return q;
}

export function mountTraceQLMetricsRoutes(app: Hono, deps: TraceQLMetricsRouteDeps): void {
  const metrics = new TraceQLMetrics(deps.store, deps.engine);

  app.get('/api/metrics/query_range', async (c) => {
    try {
      const query = queryOf(c);
      const { startNs, endNs } = rangeOf(c);
      const stepMs = parseDurationMs('step', c.req.query('step'));
      const stepNs = stepMs !== undefined ? BigInt(Math.round(stepMs)) * NS_PER_MS : defaultStepNs(endNs - startNs);
      const req: MetricsRangeRequest = { query, startNs, endNs, stepNs, align: true };
      const answer = await metrics.queryRange(req);
      c.header('X-Marquetry-Source', answer.source);
      return c.json(answer.response);
    } catch (err) {
      return failJson(c, err);
    }
  });

  app.get('/api/metrics/query', async (c) => {
    try {
      const query = queryOf(c);
      const { startNs, endNs } = rangeOf(c);
      const answer = await metrics.queryRange({ query, startNs, endNs, stepNs: endNs - startNs, align: false });
      c.header('X-Marquetry-Source', answer.source);
      const series = answer.response.series.map((s) => ({ labels: s.labels, value: s.samples[0]!.value, promLabels: s.promLabels }));
      return c.json({ series, metrics: answer.response.metrics });
    } catch (err) {
      return failJson(c, err);
    }
  });
}
