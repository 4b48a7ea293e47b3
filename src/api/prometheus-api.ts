// Prometheus's HTTP query API over the metrics store, in Prometheus's own
// envelope ({status, data} / {status:"error", errorType, error}) so Grafana's
// Prometheus data source works against marquetry.

import type { Context, Hono } from 'hono';
import { BadQueryError, MarquetryError, QueryTimeoutError } from '../model/errors.js';
import { parsePromql } from '../tsdb/promql/parser.js';
import { parseDuration } from '../tsdb/promql/duration.js';
import { evaluateInstant, evaluateRange } from '../tsdb/promql/engine.js';
import { PromqlExecutionError } from '../tsdb/promql/engine-types.js';
import type { LabelMatcher, VectorSelector } from '../tsdb/promql/ast.js';
import type { MetricsStore } from '../tsdb/metrics-store.js';
import { labelsKey, type Labels } from '../tsdb/series-index.js';

export interface PrometheusApiOptions {
  lookbackDeltaMs: number;
  queryTimeoutMs: number;
  maxSamples: number;
}

/** The PromQL semantics marquetry matches, reported to clients that check it (Grafana). */
export const PROMETHEUS_COMPAT_VERSION = '2.42.0';

const MIN_TIME_MS = -9_223_372_036_854; // Prometheus's minimum/maximum API times, in ms
const MAX_TIME_MS = 9_223_372_036_854;

/** Prometheus accepts unix seconds (with fraction) or RFC 3339. */
export function parsePromTime(name: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined || value === '') return fallbackMs;
  if (/^[+-]?\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new BadQueryError(`invalid parameter "${name}": cannot parse "${value}" to a valid timestamp`);
  return ms;
}

/** Prometheus accepts seconds (with fraction) or a duration like 15s / 1m30s. */
export function parsePromDuration(name: string, value: string | undefined): number {
  if (value === undefined || value === '') throw new BadQueryError(`invalid parameter "${name}": missing`);
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const d = parseDuration(value);
  if (!d.ok) throw new BadQueryError(`invalid parameter "${name}": cannot parse "${value}" to a valid duration`);
  return d.ms;
}

function labelsObject(labels: Labels): Record<string, string> {
  const o: Record<string, string> = {};
  for (const l of labels) o[l.name] = l.value;
  return o;
}

/** Matchers of each `match[]` selector. */
function parseMatchParams(values: string[]): (readonly LabelMatcher[])[] {
  return values.map((text) => {
    const expr = parsePromql(text);
    if (expr.kind !== 'vectorSelector') throw new BadQueryError(`invalid parameter "match[]": "${text}" is not a series selector`);
    return (expr as VectorSelector).matchers;
  });
}

/** Distinct label sets of the series any `match[]` selects within start/end (unbounded when absent). */
async function matchedSeries(store: MetricsStore, p: URLSearchParams): Promise<Labels[]> {
  const start = parsePromTime('start', p.get('start') ?? undefined, MIN_TIME_MS);
  const end = parsePromTime('end', p.get('end') ?? undefined, MAX_TIME_MS);
  const seen = new Map<string, Labels>();
  for (const matchers of parseMatchParams(p.getAll('match[]'))) {
    for (const labels of await store.series(matchers, start, end)) seen.set(labelsKey(labels), labels);
  }
  return [...seen.values()];
}

function success(c: Context, data: unknown): Response {
  return c.json({ status: 'success', data });
}

function failure(c: Context, err: unknown): Response {
  if (err instanceof PromqlExecutionError) return c.json({ status: 'error', errorType: 'execution', error: err.detail }, 422);
  if (err instanceof QueryTimeoutError) return c.json({ status: 'error', errorType: 'timeout', error: err.message }, 503);
  if (err instanceof MarquetryError && (err.code === 'bad_query' || err.code === 'unsupported_query' || err.code === 'decode')) {
    return c.json({ status: 'error', errorType: 'bad_data', error: err.message }, 400);
  }
  console.error(err);
  return c.json({ status: 'error', errorType: 'internal', error: String((err as Error)?.message ?? err) }, 500);
}

/** Query parameters from the URL and, for POST, a form body (Prometheus accepts both). */
async function params(c: Context): Promise<URLSearchParams> {
  const p = new URLSearchParams(new URL(c.req.url).search);
  if (c.req.method === 'POST') {
    const type = c.req.header('content-type') ?? '';
    if (type.startsWith('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(await c.req.text())) p.append(k, v);
    }
  }
  return p;
}

export function mountPrometheusApi(app: Hono, store: MetricsStore, options: PrometheusApiOptions): void {
  const evalOptions = (p: URLSearchParams) => {
    const timeoutMs = p.get('timeout') ? Math.min(parsePromDuration('timeout', p.get('timeout')!), options.queryTimeoutMs) : options.queryTimeoutMs;
    return { lookbackDeltaMs: options.lookbackDeltaMs, maxSamples: options.maxSamples, timeoutMs };
  };

  const query = async (c: Context) => {
    try {
      const p = await params(c);
      const q = p.get('query');
      if (!q) throw new BadQueryError('invalid parameter "query": missing');
      const t = parsePromTime('time', p.get('time') ?? undefined, Date.now());
      return success(c, await evaluateInstant(parsePromql(q), t, store, evalOptions(p)));
    } catch (err) {
      return failure(c, err);
    }
  };
  app.get('/api/v1/query', query);
  app.post('/api/v1/query', query);

  const queryRange = async (c: Context) => {
    try {
      const p = await params(c);
      const q = p.get('query');
      if (!q) throw new BadQueryError('invalid parameter "query": missing');
      const start = parsePromTime('start', p.get('start') ?? undefined, NaN);
      const end = parsePromTime('end', p.get('end') ?? undefined, NaN);
      if (Number.isNaN(start) || Number.isNaN(end)) throw new BadQueryError('invalid parameter "start"/"end": missing');
      const step = parsePromDuration('step', p.get('step') ?? undefined);
      if (step <= 0) throw new BadQueryError('invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
      if ((end - start) / step > 11_000) throw new BadQueryError('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
      return success(c, await evaluateRange(parsePromql(q), start, end, step, store, evalOptions(p)));
    } catch (err) {
      return failure(c, err);
    }
  };
  app.get('/api/v1/query_range', queryRange);
  app.post('/api/v1/query_range', queryRange);

  const series = async (c: Context) => {
    try {
      const p = await params(c);
      if (p.getAll('match[]').length === 0) throw new BadQueryError('no match[] parameter provided');
      return success(c, (await matchedSeries(store, p)).map(labelsObject));
    } catch (err) {
      return failure(c, err);
    }
  };
  app.get('/api/v1/series', series);
  app.post('/api/v1/series', series);

  const labelNames = async (c: Context) => {
    try {
      const p = await params(c);
      if (p.getAll('match[]').length === 0) return success(c, store.labelNames());
      const names = new Set<string>();
      for (const labels of await matchedSeries(store, p)) for (const l of labels) names.add(l.name);
      return success(c, [...names].sort());
    } catch (err) {
      return failure(c, err);
    }
  };
  app.get('/api/v1/labels', labelNames);
  app.post('/api/v1/labels', labelNames);

  app.get('/api/v1/label/:name/values', async (c) => {
    try {
      const p = await params(c);
      const name = c.req.param('name');
      if (p.getAll('match[]').length === 0) return success(c, store.labelValues(name));
      const values = new Set<string>();
      for (const labels of await matchedSeries(store, p)) for (const l of labels) if (l.name === name) values.add(l.value);
      return success(c, [...values].sort());
    } catch (err) {
      return failure(c, err);
    }
  });

  app.get('/api/v1/metadata', async (c) => {
    const metric = c.req.query('metric');
    const limit = Number(c.req.query('limit') ?? 0);
    const out: Record<string, { type: string; help: string; unit: string }[]> = {};
    for (const [name, m] of store.metadata) {
      if (metric && name !== metric) continue;
      if (limit > 0 && Object.keys(out).length >= limit) break;
      out[name] = [{ type: m.type, help: m.help, unit: m.unit }];
    }
    return success(c, out);
  });

  app.get('/api/v1/status/buildinfo', (c) =>
    success(c, { version: PROMETHEUS_COMPAT_VERSION, revision: 'marquetry', branch: 'main', buildUser: 'marquetry', buildDate: '', goVersion: 'none (marquetry, TypeScript)' }),
  );
}
