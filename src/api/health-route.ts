// GET /api/v1/health: service health (RED) over time, per service or per
// operation of one service, from ingest-time rollups (docs/analysis.md).

import type { Context, Hono } from 'hono';
import type { Engine } from '../engine/duckdb.js';
import type { TraceStore } from '../store/trace-store.js';
import { ServiceHealth } from '../analysis/health-service.js';
import { healthRequestOf } from '../analysis/health-params.js';
import { errorResponse } from './error-status.js';

export interface HealthRouteDeps {
  store: TraceStore;
  /** the query engine */
  engine: Engine;
}

/** Answers a domain error with its status, as the rest of the API does. */
export function failJson(c: Context, err: unknown): Response {
  const e = errorResponse(err);
  if (e.retryAfterSeconds !== undefined) c.header('Retry-After', String(e.retryAfterSeconds));
  return c.json({ error: e.message }, e.status as 400);
}

export function mountHealthRoutes(app: Hono, deps: HealthRouteDeps): void {
  const health = new ServiceHealth(deps.store, deps.engine);
  app.get('/api/v1/health', async (c) => {
    try {
      const req = healthRequestOf({
        start: c.req.query('start'),
        end: c.req.query('end'),
        step: c.req.query('step'),
        service: c.req.query('service'),
        groupBy: c.req.query('groupBy'),
        exact: c.req.query('exact'),
        top: c.req.query('top'),
      });
      return c.json(await health.overview(req));
    } catch (err) {
      return failJson(c, err);
    }
  });
}
