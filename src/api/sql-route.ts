// Read-only SQL and trace-id sets over HTTP:
//   POST   /api/v1/sql                   {"sql": "...", "format": "json"|"csv", "limit": n}
//                                         or the SQL as text/plain (?format=&limit=)
//   POST   /api/v1/trace-id-sets         hex ids, one per line (or application/octet-stream:
//                                         16-byte ids); gzip allowed → 201 {id, count}
//   DELETE /api/v1/trace-id-sets/:id     → 204
// Refused statements and bad bodies → 400, unknown set → 404, time limit → 504.

import { rm } from 'node:fs/promises';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { BadQueryError, TooLargeError, UnauthorizedError } from '../model/errors.js';
import type { SqlService } from '../query/sql/sql-service.js';
import { toCsv } from '../query/sql/result-rows.js';
import { decodeTraceIdList, traceIdListFormat } from '../query/sql/trace-id-list.js';
import { traceIdSetPath } from '../query/sql/trace-id-sets.js';
import { errorResponse } from './error-status.js';
import { checkBearer } from './auth.js';

export interface SqlRouteOptions {
  authToken: string;
  /** largest SQL request body */
  maxRequestBytes: number;
  /** largest trace-id set body, also once unzipped (default 512 MiB) */
  maxTraceIdSetBytes?: number;
  /** most ids in one set (default 10,000,000) */
  maxTraceIdSetIds?: number;
}

type SqlFormat = 'json' | 'csv';

function fail(c: Context, err: unknown): Response {
  const e = errorResponse(err);
  if (e.retryAfterSeconds !== undefined) c.header('Retry-After', String(e.retryAfterSeconds));
  if (e.status === 401) c.header('WWW-Authenticate', 'Bearer');
  return c.json({ error: e.message }, e.status as 400);
}

function parseFormat(value: unknown): SqlFormat {
  if (value === undefined || value === null || value === '' || value === 'json') return 'json';
  if (value === 'csv') return 'csv';
  throw new BadQueryError(`sql: format "${String(value)}" must be json or csv`);
}

function parseLimit(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n)) throw new BadQueryError(`sql: limit "${String(value)}" must be an integer`);
  return n;
}

/** The SQL, format and limit of a request, from a JSON body or a text body plus query parameters. */
async function sqlRequestOf(c: Context): Promise<{ sql: string; format: SqlFormat; limit: number | undefined }> {
  const contentType = c.req.header('content-type') ?? '';
  if (/^application\/json\b/i.test(contentType)) {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch (err) {
      throw new BadQueryError(`sql: the body is not valid JSON: ${(err as Error).message}`);
    }
    const o = (body ?? {}) as Record<string, unknown>;
    if (typeof o['sql'] !== 'string') throw new BadQueryError('sql: the JSON body needs a "sql" string');
    return { sql: o['sql'], format: parseFormat(o['format'] ?? c.req.query('format')), limit: parseLimit(o['limit'] ?? c.req.query('limit')) };
  }
  return { sql: await c.req.text(), format: parseFormat(c.req.query('format')), limit: parseLimit(c.req.query('limit')) };
}

export function mountSql(app: Hono, sql: SqlService, options: SqlRouteOptions): void {
  const maxSetBytes = options.maxTraceIdSetBytes ?? 512 * 1024 * 1024;
  const maxSetIds = options.maxTraceIdSetIds ?? 10_000_000;
  const auth = async (c: Context, next: () => Promise<void>): Promise<Response | void> => {
    if (!checkBearer(c.req.header('authorization'), options.authToken)) return fail(c, new UnauthorizedError('api: missing or wrong bearer token'));
    await next();
  };
  const limitBody = (maxSize: number, what: string) =>
    bodyLimit({ maxSize, onError: (c) => fail(c, new TooLargeError(`${what}: body exceeds the limit of ${maxSize} bytes`)) });

  app.post('/api/v1/sql', auth, limitBody(options.maxRequestBytes, 'sql'), async (c) => {
    try {
      const req = await sqlRequestOf(c);
      const result = await sql.query(req.limit === undefined ? { sql: req.sql } : { sql: req.sql, limit: req.limit });
      c.header('X-Marquetry-Row-Count', String(result.rowCount));
      c.header('X-Marquetry-Truncated', String(result.truncated));
      if (req.format === 'csv') return c.body(toCsv(result), 200, { 'content-type': 'text/csv; charset=utf-8' });
      return c.json(result);
    } catch (err) {
      return fail(c, err);
    }
  });

  app.post('/api/v1/trace-id-sets', auth, limitBody(maxSetBytes, 'trace-id-sets'), async (c) => {
    try {
      const body = new Uint8Array(await c.req.arrayBuffer());
      const ids = decodeTraceIdList(body, traceIdListFormat(c.req.header('content-type')), c.req.header('content-encoding'), {
        maxIds: maxSetIds,
        maxBytes: maxSetBytes,
      });
      return c.json(await sql.traceIdSets.create(ids), 201);
    } catch (err) {
      return fail(c, err);
    }
  });

  app.delete('/api/v1/trace-id-sets/:id', auth, async (c) => {
    try {
      await rm(traceIdSetPath(sql.traceIdSets.dataDir, c.req.param('id') ?? ''), { force: true });
      return c.body(null, 204);
    } catch (err) {
      return fail(c, err);
    }
  });
}
