// The query API on --http: Tempo's endpoints (so Grafana's Tempo data source
// works) and marquetry's own JSON endpoints. Errors become statuses here and
// only here (error-status.ts).

import { Hono, type Context } from 'hono';
import { BadQueryError, UnauthorizedError } from '../model/errors.js';
import type { TraceQueries } from '../query/trace-queries.js';
import type { SearchRequest } from '../query/search.js';
import type { TraceStore } from '../store/trace-store.js';
import { errorResponse } from './error-status.js';
import { checkBearer } from './auth.js';
import { threadCpuSeconds } from '../store/thread-cpu.js';
import { INTRINSIC_TAGS } from '../query/tags.js';
import type { DurationHistogramRequest } from '../query/duration-histogram.js';

export interface QueryApiOptions {
  authToken: string;
  isReady: () => boolean;
}

/** Tempo takes start/end as unix seconds; we also accept ms/ns by magnitude. */
export function parseTimeParam(name: string, value: string | undefined): bigint | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+(\.\d+)?$/.test(value)) throw new BadQueryError(`search: ${name}="${value}" must be unix seconds`);
  const n = Number(value);
  if (n < 1e11) return BigInt(Math.round(n * 1e9)); // seconds
  if (n < 1e14) return BigInt(Math.round(n)) * 1_000_000n; // milliseconds
  return BigInt(value.split('.')[0]!); // nanoseconds
}

function intParam(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new BadQueryError(`search: ${name}="${value}" must be a positive integer`);
  return Math.min(n, max);
}

/** Tempo's legacy minDuration/maxDuration parameters, folded into the TraceQL. */
function withDurationBounds(q: string, min: string | undefined, max: string | undefined): string {
  const conds: string[] = [];
  if (min) conds.push(`duration >= ${min}`);
  if (max) conds.push(`duration <= ${max}`);
  if (conds.length === 0) return q;
  const extra = `{ ${conds.join(' && ')} }`;
  return q.trim() === '' || q.trim() === '{}' ? extra : `(${q}) && ${extra}`;
}

function fail(c: Context, err: unknown): Response {
  const e = errorResponse(err);
  if (e.retryAfterSeconds !== undefined) c.header('Retry-After', String(e.retryAfterSeconds));
  return c.json({ error: e.message }, e.status as 400);
}

export function createQueryApi(store: TraceStore, queries: TraceQueries, options: QueryApiOptions): Hono {
  const app = new Hono();

  app.get('/ready', (c) => (options.isReady() ? c.text('ready') : c.text('starting', 503)));

  app.use('/api/*', async (c, next) => {
    if (!checkBearer(c.req.header('authorization'), options.authToken)) {
      c.header('WWW-Authenticate', 'Bearer');
      return fail(c, new UnauthorizedError('api: missing or wrong bearer token'));
    }
    return next();
  });

  app.onError((err, c) => fail(c, err));

  app.get('/api/echo', (c) => c.text('echo'));

  app.get('/api/traces/:id', async (c) => {
    const batches = await queries.traceById(c.req.param('id'));
    return c.json({ batches });
  });

  app.get('/api/v2/traces/:id', async (c) => {
    const resourceSpans = await queries.traceById(c.req.param('id'));
    return c.json({ trace: { resourceSpans } });
  });

  /** Tempo's start/end (unix seconds) of a request, when given. */
  const range = (c: Context): Pick<SearchRequest, 'startNs' | 'endNs'> => {
    const r: Pick<SearchRequest, 'startNs' | 'endNs'> = {};
    const start = parseTimeParam('start', c.req.query('start'));
    const end = parseTimeParam('end', c.req.query('end'));
    if (start !== undefined) r.startNs = start;
    if (end !== undefined) r.endNs = end;
    return r;
  };

  app.get('/api/search', async (c) => {
    const q = withDurationBounds(c.req.query('q') ?? '{}', c.req.query('minDuration'), c.req.query('maxDuration'));
    const req: SearchRequest = {
      query: q.trim() === '' ? '{}' : q,
      limit: intParam('limit', c.req.query('limit'), 20, 10_000),
      spss: intParam('spss', c.req.query('spss'), 3, 1000),
      ...range(c),
    };
    const traceIdSet = c.req.query('traceIdSet');
    if (traceIdSet) req.traceIdSet = traceIdSet;
    return c.json(await queries.search(req));
  });

  // The durations of the spans a search matches, for the UI's histogram (docs/analysis.md).
  app.get('/api/v1/search/durations', async (c) => {
    const q = c.req.query('q') ?? '{}';
    const req: DurationHistogramRequest = { query: q.trim() === '' ? '{}' : q, ...range(c) };
    const traceIdSet = c.req.query('traceIdSet');
    if (traceIdSet) req.traceIdSet = traceIdSet;
    return c.json(await queries.durationHistogram(req));
  });

  app.get('/api/search/tags', async (c) => {
    const tags = await queries.tags();
    const scope = c.req.query('scope');
    const names =
      scope === 'span' ? tags.span : scope === 'resource' ? tags.resource : scope === 'intrinsic' ? INTRINSIC_TAGS : [...new Set([...tags.span, ...tags.resource])].sort();
    return c.json({ tagNames: names });
  });

  app.get('/api/v2/search/tags', async (c) => {
    const tags = await queries.tags();
    const scope = c.req.query('scope');
    const all = [
      { name: 'resource', tags: tags.resource },
      { name: 'span', tags: tags.span },
      { name: 'instrumentation', tags: tags.instrumentation },
      { name: 'intrinsic', tags: INTRINSIC_TAGS },
    ];
    return c.json({ scopes: scope && scope !== 'none' ? all.filter((s) => s.name === scope) : all });
  });

  app.get('/api/search/tag/:name/values', async (c) => {
    const values = await queries.tagValues(c.req.param('name'), range(c));
    return c.json({ tagValues: [...new Set(values.map((v) => v.value))] });
  });

  app.get('/api/v2/search/tag/:name/values', async (c) => {
    return c.json({ tagValues: await queries.tagValues(c.req.param('name'), range(c)) });
  });

  app.get('/api/v1/services', async (c) => c.json({ services: await queries.services() }));

  app.get('/api/v1/services/:service/operations', async (c) => {
    return c.json({ service: c.req.param('service'), operations: await queries.operations(c.req.param('service'), range(c)) });
  });

  // threadCpuSeconds: where the process's CPU went so far, by thread (the traces bench reads it)
  app.get('/api/v1/status', (c) => c.json({ ...jsonSafe(store.stats()), threadCpuSeconds: threadCpuSeconds() }));

  app.notFound((c) => c.json({ error: `api: no route for ${c.req.method} ${c.req.path}` }, 404));
  return app;
}

function jsonSafe(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'bigint' ? String(v) : v]));
}
