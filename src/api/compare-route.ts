// Root-cause comparison over HTTP: POST /api/v1/compare with a JSON body, or
// GET /api/v1/compare with the same fields as query parameters
// (target=slow&percentile=95&baseline=traceql&baselineQuery=…). Answers in
// src/analysis/compare-types.ts's CompareResponse; bad input is a 400 that
// says which field is wrong.

import type { Context, Hono } from 'hono';
import { BadQueryError } from '../model/errors.js';
import type { Engine } from '../engine/duckdb.js';
import type { TraceStore } from '../store/trace-store.js';
import { runComparison } from '../analysis/compare.js';
import type { CompareBaseline, CompareLevel, CompareRequest, CompareTarget, TargetKind } from '../analysis/compare-types.js';
import { errorResponse } from './error-status.js';

export interface CompareRouteOptions {
  /** default of the request's maxSpans at span level: above it a sample of traces is compared */
  maxSpans: number;
}

export interface CompareRouteDeps {
  store: TraceStore;
  engine: Engine;
  /** default DEFAULT_MAX_SPANS */
  maxSpans?: number;
}

/** Under 1 s over 10 M spans in parts on two cores (docs/analysis.md, "Speed"). */
export const DEFAULT_MAX_SPANS = 250_000;
/** Trace level dedupes (trace, value) pairs: about 4× the work per span. */
const TRACE_LEVEL_COST = 4;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;
const DEFAULT_RANGE_NS = 3_600_000_000_000n;
const TARGET_KINDS: readonly TargetKind[] = ['errors', 'slow', 'exceptions', 'traceql', 'traceIdSet'];
const SET_ID = /^[0-9a-f]{16}$/;

/** An uploaded trace-id set's id (POST /api/v1/trace-id-sets answers it). */
function setId(name: string, v: unknown): string | undefined {
  const id = optionalString(name, v);
  if (id !== undefined && !SET_ID.test(id)) fail(`${name}=${JSON.stringify(id)} must be a trace-id set id (16 hex digits)`);
  return id;
}

type Fields = Record<string, unknown>;

function fail(message: string): never {
  throw new BadQueryError(`compare: ${message}`);
}

/** Unix seconds (fractions allowed); values this large are read as ms or ns, as the search API does. */
function timeNs(name: string, v: unknown): bigint | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const text = String(v);
  if (!/^\d+(\.\d+)?$/.test(text)) fail(`${name}=${JSON.stringify(v)} must be unix seconds`);
  const n = Number(text);
  if (n < 1e11) return BigInt(Math.round(n * 1e9));
  if (n < 1e14) return BigInt(Math.round(n)) * 1_000_000n;
  return BigInt(text.split('.')[0]!);
}

function positiveNumber(name: string, v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n <= 0) fail(`${name}=${JSON.stringify(v)} must be a positive number`);
  return n;
}

function positiveInteger(name: string, v: unknown): number | undefined {
  const n = positiveNumber(name, v);
  if (n !== undefined && !Number.isInteger(n)) fail(`${name}=${JSON.stringify(v)} must be a positive integer`);
  return n;
}

function optionalString(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(`${name} must be a string`);
  return v;
}

function objectField(name: string, v: unknown): Fields | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return { kind: v };
  if (typeof v !== 'object' || Array.isArray(v)) fail(`${name} must be an object like {"kind":"errors"}`);
  return v as Fields;
}

function parseTarget(v: unknown): CompareTarget {
  const t = objectField('target', v);
  if (!t) fail('target is required, e.g. {"kind":"errors"}');
  const kind = t['kind'];
  if (typeof kind !== 'string' || !TARGET_KINDS.includes(kind as TargetKind)) {
    fail(`target.kind=${JSON.stringify(kind)} must be one of ${TARGET_KINDS.join(', ')}`);
  }
  const target: CompareTarget = { kind: kind as TargetKind };
  const thresholdMs = positiveNumber('target.thresholdMs', t['thresholdMs']);
  const percentile = positiveNumber('target.percentile', t['percentile']);
  const query = optionalString('target.query', t['query']);
  if (kind === 'slow') {
    if (thresholdMs !== undefined && percentile !== undefined) fail('give target.thresholdMs or target.percentile, not both');
    if (percentile !== undefined && !(percentile > 0 && percentile < 100)) fail(`target.percentile=${percentile} must be between 0 and 100`);
    if (thresholdMs !== undefined) target.thresholdMs = thresholdMs;
    if (percentile !== undefined) target.percentile = percentile;
  } else if (thresholdMs !== undefined || percentile !== undefined) {
    fail(`target.thresholdMs and target.percentile apply to target.kind "slow", not "${kind}"`);
  }
  if (kind === 'traceql') {
    if (query === undefined || query.trim() === '') fail('target.query is required when target.kind is "traceql"');
    target.query = query;
  }
  const set = setId('target.set', t['set']);
  if (kind === 'traceIdSet') {
    if (set === undefined) fail('target.set is required when target.kind is "traceIdSet"');
    target.set = set;
  } else if (set !== undefined) {
    fail(`target.set applies to target.kind "traceIdSet", not "${kind}"`);
  }
  return target;
}

function parseBaseline(v: unknown): CompareBaseline {
  const b = objectField('baseline', v);
  if (!b) return { kind: 'rest' };
  const kind = b['kind'] ?? 'rest';
  if (kind !== 'rest' && kind !== 'traceql') fail(`baseline.kind=${JSON.stringify(kind)} must be "rest" or "traceql"`);
  const query = optionalString('baseline.query', b['query']);
  if (kind === 'rest') return { kind };
  if (query === undefined || query.trim() === '') fail('baseline.query is required when baseline.kind is "traceql"');
  return { kind, query };
}

/** The request from a JSON body (or from query parameters gathered into the same shape). */
export function parseCompareRequest(body: unknown, options: CompareRouteOptions, nowNs: bigint): CompareRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) fail('the body must be a JSON object');
  const f = body as Fields;
  const endNs = timeNs('end', f['end']) ?? nowNs;
  const startNs = timeNs('start', f['start']) ?? endNs - DEFAULT_RANGE_NS;
  if (startNs > endNs) fail('start must not be after end');
  const level = f['level'] ?? 'span';
  if (level !== 'span' && level !== 'trace') fail(`level=${JSON.stringify(level)} must be "span" or "trace"`);
  const maxSpansText = f['maxSpans'];
  const defaultMaxSpans = level === 'trace' ? Math.round(options.maxSpans / TRACE_LEVEL_COST) : options.maxSpans;
  const maxSpans = maxSpansText === 0 || maxSpansText === '0' ? 0 : positiveInteger('maxSpans', maxSpansText) ?? defaultMaxSpans;
  const traceIdSet = setId('traceIdSet', f['traceIdSet']);
  const source = f['source'] ?? 'auto';
  if (source !== 'auto' && source !== 'spans') fail(`source=${JSON.stringify(source)} must be "auto" or "spans"`);
  return {
    ...(traceIdSet !== undefined ? { traceIdSet } : {}),
    ...(source === 'spans' ? { source } : {}),
    startNs,
    endNs,
    target: parseTarget(f['target']),
    baseline: parseBaseline(f['baseline']),
    level: level as CompareLevel,
    limit: Math.min(positiveInteger('limit', f['limit']) ?? DEFAULT_LIMIT, MAX_LIMIT),
    maxSpans,
  };
}

/** Query parameters into the body's shape: `target=slow&percentile=95` or `target.kind=slow&target.percentile=95`. */
export function compareFieldsFromQuery(q: URLSearchParams): Fields {
  const get = (...names: string[]): string | undefined => {
    for (const n of names) {
      const v = q.get(n);
      if (v !== null) return v;
    }
    return undefined;
  };
  const f: Fields = {};
  const put = (o: Fields, key: string, v: string | undefined): void => {
    if (v !== undefined) o[key] = v;
  };
  for (const k of ['start', 'end', 'level', 'limit', 'maxSpans', 'traceIdSet', 'source']) put(f, k, get(k));
  const kind = get('target.kind', 'target');
  if (kind !== undefined) {
    const t: Fields = { kind };
    put(t, 'thresholdMs', get('target.thresholdMs', 'thresholdMs'));
    put(t, 'percentile', get('target.percentile', 'percentile'));
    put(t, 'query', get('target.query', 'query'));
    put(t, 'set', get('target.set', 'set'));
    f['target'] = t;
  }
  const baseline = get('baseline.kind', 'baseline');
  if (baseline !== undefined) {
    const b: Fields = { kind: baseline };
    put(b, 'query', get('baseline.query', 'baselineQuery'));
    f['baseline'] = b;
  }
  return f;
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

async function respond(c: Context, fields: () => Promise<unknown>, store: TraceStore, engine: Engine, options: CompareRouteOptions): Promise<Response> {
  try {
    const req = parseCompareRequest(await fields(), options, nowNs());
    return c.json(await runComparison(store, engine, req));
  } catch (err) {
    const e = errorResponse(err);
    if (e.retryAfterSeconds !== undefined) c.header('Retry-After', String(e.retryAfterSeconds));
    return c.json({ error: e.message }, e.status as 400);
  }
}

export function mountCompareRoutes(app: Hono, deps: CompareRouteDeps): void {
  const { store, engine } = deps;
  const o: CompareRouteOptions = { maxSpans: deps.maxSpans ?? DEFAULT_MAX_SPANS };
  app.post('/api/v1/compare', (c) =>
    respond(
      c,
      async () => {
        try {
          return await c.req.json();
        } catch {
          throw new BadQueryError('compare: the body must be a JSON object');
        }
      },
      store,
      engine,
      o,
    ),
  );
  app.get('/api/v1/compare', (c) => respond(c, async () => compareFieldsFromQuery(new URL(c.req.url).searchParams), store, engine, o));
}
