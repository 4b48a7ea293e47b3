import { join } from 'node:path';
// Log routes on the query API: JSON-lines ingest (POST /api/v1/ingest/{stream})
// and log search (GET /api/v1/logs, /logs/histogram, /logs/tail). Errors
// become statuses through error-status.ts.

import type { Context, Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { streamSSE } from 'hono/streaming';
import { parseDurationMs } from '../config/config.js';
import { parseLogQuery, type FieldOp, type LogQuery } from '../query/logs/log-query.js';
import { logHistogram, searchLogs, type LogSearchInput, type LogSearchRequest, type LogSearchResult } from '../query/logs/log-search.js';
import type { LogRecordJson } from '../query/logs/log-record.js';
import { expandLogs, type ExpandRequest } from '../query/logs/log-expand.js';
import { parseTimeParam } from './query-api.js';
import { BadQueryError, UnsupportedMediaTypeError } from '../model/errors.js';
import type { Engine } from '../engine/duckdb.js';
import type { LogStore } from '../store/log-store.js';
import { readBody, type RawBody } from '../receive/request-body.js';
import { ingestJsonLines } from './log-export.js';
import { errorResponse } from './error-status.js';

export interface LogRouteOptions {
  logs: LogStore;
  engine: Engine;
  maxRequestBytes: number;
}

/** Line errors listed in one response; the count covers them all. */
const MAX_LINE_ERRORS_SHOWN = 100;
const STREAM_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const JSON_LINES_TYPES = new Set(['', 'application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/json', 'text/plain']);

function fail(c: Context, err: unknown): Response {
  const e = errorResponse(err);
  if (e.retryAfterSeconds !== undefined) c.header('Retry-After', String(e.retryAfterSeconds));
  return c.json({ error: e.message }, e.status as 400);
}

export function mountLogRoutes(app: Hono, options: LogRouteOptions): void {
  app.post('/api/v1/ingest/:stream', async (c) => {
    try {
      const stream = c.req.param('stream');
      if (!STREAM_NAME.test(stream)) throw new BadQueryError(`ingest: stream "${stream}" must be 1-128 letters, digits, '_', '.' or '-'`);
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!JSON_LINES_TYPES.has(type)) throw new UnsupportedMediaTypeError(`ingest: content type "${type}" is not supported; send application/x-ndjson`);
      const { raw, body, gzip } = await ingestBody(c, options.maxRequestBytes);
      const result = await ingestJsonLines(
        options.logs,
        {
          stream,
          timeField: c.req.query('time_field') ?? '',
          severityField: c.req.query('severity_field') ?? 'level',
          receivedNs: BigInt(Date.now()) * 1_000_000n,
          correlationField: c.req.query('correlation_field') ?? '',
        },
        body,
        gzip ? raw : undefined,
      );
      const shown = result.errors.slice(0, MAX_LINE_ERRORS_SHOWN);
      const answer = { accepted: result.accepted, rejected: result.rejected, errors: shown, ...(shown.length < result.errors.length ? { errorsTruncated: true } : {}) };
      // Nothing stored and something wrong: the request as a whole is bad.
      return c.json(answer, result.accepted === 0 && result.rejected > 0 ? 400 : 200);
    } catch (err) {
      return fail(c, err);
    }
  });
}

/**
 * The body of an ingest request, within the limit (gzip undone), read from
 * Node's request itself: one copy into one buffer, which then moves to the
 * log ingest thread uncopied. Read as a web stream (c.req.arrayBuffer()) it
 * cost a copy per chunk, and more main-thread CPU than the WAL.
 */
async function ingestBody(c: Context, maxBytes: number): Promise<RawBody> {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  if (!incoming) throw new Error("ingest: the route reads Node's request, as served by @hono/node-server");
  try {
    return await readBody(incoming, maxBytes, 'ingest');
  } catch (err) {
    // Refused before its end: the rest is drained, and the connection carries no further request.
    if (!incoming.complete) {
      incoming.resume();
      c.header('Connection', 'close');
    }
    throw err;
  }
}

/** The log query of a request: `query` plus the shorthand parameters, all ANDed. */
function logQueryOf(c: Context): LogQuery {
  const q = parseLogQuery(c.req.query('query') ?? '');
  const add = (field: string, op: FieldOp, value: string | undefined): void => {
    if (value !== undefined && value !== '') q.conditions.push({ field, op, value });
  };
  add('service', '=', c.req.query('service'));
  add('stream', '=', c.req.query('stream'));
  add('severity', '>=', c.req.query('severity'));
  add('trace_id', '=', c.req.query('trace_id'));
  add('span_id', '=', c.req.query('span_id'));
  return q;
}

function limitOf(value: string | undefined): number {
  if (value === undefined || value === '') return 100;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new BadQueryError(`logs: limit="${value}" must be a positive integer`);
  return Math.min(n, 5000);
}

/** Step of a histogram: `step` as a duration (30s, 5m) or nanos; default ~100 buckets. */
function stepOf(value: string | undefined, startNs: bigint, endNs: bigint): bigint {
  if (value === undefined || value === '') {
    const span = endNs - startNs;
    return span > 100n ? span / 100n : 1n;
  }
  if (/^\d+$/.test(value)) return BigInt(value);
  return BigInt(parseDurationMs(value)) * 1_000_000n;
}

export function mountLogSearch(app: Hono, options: LogRouteOptions): void {
  const input = async (): Promise<{ input: LogSearchInput; release: () => void }> => {
    const snap = await options.logs.snapshot();
    options.logs.tokenIndexes.keepOnly(snap.parts);
    options.logs.partPages.retain([...snap.parts.map((p) => join(snap.dataDir, p.path)), ...snap.staged.map((f) => f.path)]);
    return { input: { ...snap, chunksOf: (p) => options.logs.tokenIndexes.chunksOf(p), pages: options.logs.partPages }, release: snap.release };
  };

  app.get('/api/v1/logs', async (c) => {
    try {
      const req: LogSearchRequest = { query: logQueryOf(c), limit: limitOf(c.req.query('limit')) };
      const start = parseTimeParam('start', c.req.query('start'));
      const end = parseTimeParam('end', c.req.query('end'));
      if (start !== undefined) req.startNs = start;
      if (end !== undefined) req.endNs = end;
      const cursor = c.req.query('cursor');
      if (cursor) req.cursor = cursor;
      const { input: files, release } = await input();
      try {
        return c.json(await searchLogs(options.engine, files, req));
      } finally {
        release();
      }
    } catch (err) {
      return fail(c, err);
    }
  });

  // Expand & Flatten: one row per element of an array field (`field=items`), `where=qty > 2`.
  app.get('/api/v1/logs/expand', async (c) => {
    try {
      const field = c.req.query('field') ?? '';
      if (field === '') throw new BadQueryError('logs: expand needs field=<array field>, e.g. field=items');
      const where = parseLogQuery(c.req.query('where') ?? '');
      if (where.terms.length > 0 || where.regexes.length > 0) throw new BadQueryError('logs: where= takes field conditions only, e.g. qty > 2');
      const req: ExpandRequest = { field, query: logQueryOf(c), where: where.conditions, limit: limitOf(c.req.query('limit')) };
      const start = parseTimeParam('start', c.req.query('start'));
      const end = parseTimeParam('end', c.req.query('end'));
      if (start !== undefined) req.startNs = start;
      if (end !== undefined) req.endNs = end;
      const { input: files, release } = await input();
      try {
        return c.json(await expandLogs(options.engine, files, req));
      } finally {
        release();
      }
    } catch (err) {
      return fail(c, err);
    }
  });

  app.get('/api/v1/logs/histogram', async (c) => {
    try {
      const endNs = parseTimeParam('end', c.req.query('end')) ?? BigInt(Date.now()) * 1_000_000n;
      const startNs = parseTimeParam('start', c.req.query('start')) ?? endNs - 3_600_000_000_000n;
      const { input: files, release } = await input();
      try {
        return c.json(await logHistogram(options.engine, files, { query: logQueryOf(c), startNs, endNs, stepNs: stepOf(c.req.query('step'), startNs, endNs) }));
      } finally {
        release();
      }
    } catch (err) {
      return fail(c, err);
    }
  });

  // Live tail: Server-Sent Events, one `log` event per new matching record, oldest first.
  app.get('/api/v1/logs/tail', (c) => {
    let query: LogQuery;
    try {
      query = logQueryOf(c);
    } catch (err) {
      return fail(c, err);
    }
    return streamSSE(c, async (stream) => {
      let since = BigInt(Date.now()) * 1_000_000n - 1n;
      const seen = new Set<string>();
      while (!stream.aborted && !stream.closed) {
        const { input: files, release } = await input();
        let page: LogSearchResult;
        try {
          page = await searchLogs(options.engine, files, { query, startNs: since + 1n, limit: 1000 });
        } finally {
          release();
        }
        const fresh = page.records.filter((r) => !seen.has(recordKey(r))).reverse();
        for (const r of fresh) {
          seen.add(recordKey(r));
          await stream.writeSSE({ event: 'log', data: JSON.stringify(r) });
        }
        // Records at the newest time seen may still arrive: keep that time in the window.
        if (fresh.length > 0) {
          const newest = BigInt(fresh[fresh.length - 1]!.timeUnixNano);
          if (newest - 1n > since) {
            since = newest - 1n;
            for (const k of seen) if (BigInt(k.slice(0, k.indexOf('/'))) <= since) seen.delete(k);
          }
        }
        await stream.sleep(TAIL_POLL_MS);
      }
    });
  });
}

const TAIL_POLL_MS = 1000;

function recordKey(r: LogRecordJson): string {
  return `${r.timeUnixNano}/${r.observedTimeUnixNano}/${r.serviceName}/${JSON.stringify(r.body)}`;
}
