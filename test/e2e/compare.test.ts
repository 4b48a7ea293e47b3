// Root-cause comparison through HTTP: shop traffic with errors planted on one
// user, sent to a real server over OTLP/HTTP protobuf, then compared through
// POST and GET /api/v1/compare — from the head (staged files) and, after a
// flush, from Parquet parts; at span and trace level, with TraceQL target
// and baseline, over a sample of traces, over uploaded trace-id sets of a
// million ids (as the target, and as the scope); and bad requests answered 400.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { serve, type ServerType } from '@hono/node-server';
import { Engine } from '../../src/engine/duckdb.js';
import { mountCompareRoutes } from '../../src/api/compare-route.js';
import { Rng } from '../../src/loadgen/rng.js';
import { encodeExportTraceServiceRequest } from '../../src/receive/otlp-proto-encode.js';
import { hexOf } from '../../src/model/hex.js';
import { attributeRows, datasetRange, generateBackground, markError, spansByTrace } from '../../src/analysis/compare-test-helpers.js';
import type { CompareResponse } from '../../src/analysis/compare-types.js';
import { getJson, startTestServer, type TestServer } from '../helpers/test-server.js';
import { uploadTraceIdSet } from '../helpers/trace-id-sets.js';
import { postOtlpProto } from '../helpers/otlp-json.js';
import { IDLE_KEEP_ALIVE_MS } from '../../src/api/keep-alive.js';

const { start, end } = datasetRange();

/** Shop traffic (1% of traces failing somewhere) in which every span of user "99" fails (3% of traces). */
function dataset(): { payload: Uint8Array; spans: number; user99Traces: string[]; otherTraces: string[] } {
  const batch = generateBackground(1500, 7, 0.01);
  const rng = new Rng(8);
  const userRow = attributeRows(batch.attributes, batch.length, 'app.user.id');
  const user99Traces: string[] = [];
  const otherTraces: string[] = [];
  for (const spans of spansByTrace(batch)) {
    const traceId = hexOf(batch.traceId, spans[0]! * 16, 16);
    if (!rng.chance(0.03)) {
      otherTraces.push(traceId);
      continue;
    }
    let hasUser = false;
    for (const i of spans) {
      if (userRow[i]! < 0) continue;
      batch.attributes.str[userRow[i]!] = '99';
      markError(batch, i);
      hasUser = true;
    }
    (hasUser ? user99Traces : otherTraces).push(traceId);
  }
  return { payload: encodeExportTraceServiceRequest(batch), spans: batch.length, user99Traces, otherTraces };
}

interface CompareApi {
  url: string;
  close(): Promise<void>;
}

/** The compare routes on their own HTTP server, over the test server's store. */
async function startCompareApi(server: TestServer): Promise<CompareApi> {
  const engine = await Engine.create({ dataDir: server.config.dataDir, threads: 2, memoryLimit: '512MB' });
  const app = new Hono();
  mountCompareRoutes(app, { store: server.store, engine });
  const http: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0, serverOptions: { keepAliveTimeout: IDLE_KEEP_ALIVE_MS } }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/v1/compare`,
    async close() {
      await new Promise<void>((resolve) => http.close(() => resolve()));
      engine.close();
    },
  };
}

function post(api: CompareApi, body: unknown): Promise<{ status: number; body: any }> {
  return getJson(api.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

function top(r: CompareResponse): string {
  return r.dimensions[0] ? `${r.dimensions[0].dimension}=${r.dimensions[0].value}` : '(none)';
}

describe('POST /api/v1/compare', () => {
  let server: TestServer;
  let api: CompareApi;
  let spans = 0;
  let data: ReturnType<typeof dataset>;

  before(async () => {
    server = await startTestServer();
    data = dataset();
    spans = data.spans;
    assert.equal((await postOtlpProto(server.otlpUrl, data.payload)).status, 200);
    api = await startCompareApi(server);
  });

  after(async () => {
    await api?.close();
    await server?.dispose();
  });

  it('names the failing user from the head, before any part is written', async () => {
    const r = await post(api, { start, end, target: { kind: 'errors' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const body = r.body as CompareResponse;
    assert.equal(top(body), 'span.app.user.id=99');
    assert.equal(body.culprit?.dimension, 'span.app.user.id');
    assert.ok(body.culprit.confident && body.culprit.targetShare > 0.3 && body.culprit.baselineCount === 0);
    assert.ok(body.highCardinality.some((h) => h.dimension === 'span.app.user.id'));
    assert.deepEqual(body.excluded, ['status']);
    assert.ok(body.latency.length > 0);
  });

  it('answers the same question asked with query parameters', async () => {
    const r = await getJson(`${api.url}?start=${start}&end=${end}&target=errors&level=trace&limit=5`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(top(r.body), 'span.app.user.id=99');
    assert.ok(r.body.target.traces > 0 && r.body.baseline.traces > r.body.target.traces);
    assert.ok(r.body.dimensions.length <= 5);
  });

  it('compares a TraceQL selection with a TraceQL baseline', async () => {
    const r = await post(api, {
      start,
      end,
      target: { kind: 'traceql', query: '{ status = error && resource.service.name = "frontend" }' },
      baseline: { kind: 'traceql', query: '{ resource.service.name = "frontend" }' },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(top(r.body), 'span.app.user.id=99');
    assert.deepEqual(r.body.excluded, ['resource.service.name', 'status']);
  });

  it('selects by trace-level intrinsics (root service, trace duration), joined from the trace summaries', async () => {
    const byRoot = await post(api, {
      start,
      end,
      target: { kind: 'traceql', query: '{ trace:rootService = "frontend" && status = error }' },
      baseline: { kind: 'traceql', query: '{ trace:rootService = "frontend" }' },
    });
    assert.equal(byRoot.status, 200, JSON.stringify(byRoot.body));
    assert.equal(top(byRoot.body), 'span.app.user.id=99');
    assert.ok(byRoot.body.target.spans > 0 && byRoot.body.baseline.spans > byRoot.body.target.spans);
    // no root service named so: nothing selected (not a 400)
    const none = await post(api, { start, end, target: { kind: 'traceql', query: '{ trace:rootService = "no-such-service" }' } });
    assert.equal(none.status, 200, JSON.stringify(none.body));
    assert.equal(none.body.target.spans, 0);
    // every trace is at least as long as each of its spans
    const long = await post(api, { start, end, target: { kind: 'traceql', query: '{ traceDuration >= 0ms }' }, baseline: { kind: 'traceql', query: '{ }' } });
    const all = await post(api, { start, end, target: { kind: 'traceql', query: '{ duration >= 0ms }' }, baseline: { kind: 'traceql', query: '{ }' } });
    assert.equal(long.status, 200, JSON.stringify(long.body));
    assert.equal(long.body.target.spans, all.body.target.spans);
  });

  it('combines spansets at trace level', async () => {
    const r = await post(api, { start, end, level: 'trace', target: { kind: 'traceql', query: '{ status = error } && { kind = server }' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(top(r.body), 'span.app.user.id=99');
  });

  it('compares a sample of traces when the range holds more spans than maxSpans, from parts after a flush', async () => {
    await server.store.flush();
    const full = (await post(api, { start, end, target: 'errors', maxSpans: 0, source: 'spans' })).body as CompareResponse;
    const sampled = (await post(api, { start, end, target: 'errors', maxSpans: 10_000, source: 'spans' })).body as CompareResponse;
    assert.equal(full.sample, undefined);
    assert.equal(sampled.sample?.estimatedSpans, spans);
    assert.ok(sampled.sample.fraction < 0.5);
    assert.ok(sampled.target.spans < full.target.spans);
    assert.equal(top(sampled), 'span.app.user.id=99');
    assert.deepEqual([full.answeredBy?.path, sampled.answeredBy?.path], ['spans', 'spans']);

    // from the part's span cube: counts of every span; only the high-cardinality columns (user ids…) from a sample of traces
    const fromCube = (await post(api, { start, end, target: 'errors', maxSpans: 10_000 })).body as CompareResponse;
    assert.equal(fromCube.answeredBy?.path, 'cube', JSON.stringify(fromCube.answeredBy));
    assert.equal(fromCube.sample, undefined);
    assert.equal(fromCube.target.spans, full.target.spans);
    assert.ok(fromCube.answeredBy.fromSpans!.includes('span.app.user.id'));
    assert.ok(fromCube.answeredBy.fromSpansFraction! < 0.5);
    assert.equal(top(fromCube), 'span.app.user.id=99');
  });

  it('takes an uploaded set of a million trace ids as the target, and as the scope', async () => {
    const failing = await uploadTraceIdSet(server.apiUrl, data.user99Traces);
    const asTarget = await post(api, { start, end, target: { kind: 'traceIdSet', set: failing }, level: 'trace', maxSpans: 0 });
    assert.equal(asTarget.status, 200, JSON.stringify(asTarget.body));
    const t = asTarget.body as CompareResponse;
    assert.equal(t.target.traces, data.user99Traces.length);
    assert.equal(t.target.traces! + t.baseline.traces!, data.user99Traces.length + data.otherTraces.length);
    assert.ok(t.dimensions.slice(0, 2).some((d) => d.dimension === 'span.app.user.id' && d.value === '99'), JSON.stringify(t.dimensions.slice(0, 3)));

    // within the other traces only: user 99 is not there, so it cannot be named
    const others = await uploadTraceIdSet(server.apiUrl, data.otherTraces);
    const scoped = await post(api, { start, end, target: 'errors', traceIdSet: others, maxSpans: 1000 });
    assert.equal(scoped.status, 200, JSON.stringify(scoped.body));
    const s = scoped.body as CompareResponse;
    assert.equal(s.sample, undefined, 'a set is compared whole');
    assert.ok(s.target.spans > 0);
    assert.ok(!s.dimensions.some((d) => d.value === '99'));
    assert.ok(!s.latency.some((d) => d.value === '99'));

    const unknown = await post(api, { start, end, target: { kind: 'traceIdSet', set: '0123456789abcdef' } });
    assert.equal(unknown.status, 404, JSON.stringify(unknown.body));
  });

  it('answers 400 with the reason for a bad request', async () => {
    const cases: [unknown, RegExp][] = [
      ['not json', /body must be a JSON object/],
      [{ start, end }, /target is required/],
      [{ target: { kind: 'latency' } }, /target.kind="latency" must be one of errors, slow, exceptions, traceql/],
      [{ target: { kind: 'slow', percentile: 150 } }, /percentile=150 must be between 0 and 100/],
      [{ target: { kind: 'slow', percentile: 90, thresholdMs: 100 } }, /not both/],
      [{ target: { kind: 'errors', thresholdMs: 100 } }, /apply to target.kind "slow"/],
      [{ target: { kind: 'traceql' } }, /target.query is required/],
      [{ target: { kind: 'traceql', query: '{ status = }' } }, /^traceql: /],
      [{ target: 'errors', baseline: { kind: 'traceql' } }, /baseline.query is required/],
      [{ target: 'errors', baseline: { kind: 'everything' } }, /baseline.kind="everything"/],
      [{ target: 'errors', level: 'service' }, /level="service" must be "span" or "trace"/],
      [{ target: 'errors', start: end, end: start }, /start must not be after end/],
      [{ target: 'errors', start: 'yesterday' }, /start="yesterday" must be unix seconds/],
      [{ target: 'errors', limit: -1 }, /limit=-1 must be a positive number/],
      [{ target: { kind: 'traceql', query: '{ .a = 1 } && { .b = 2 }' } }, /level "trace"/],
      [{ target: { kind: 'traceIdSet' } }, /target.set is required/],
      [{ target: { kind: 'traceIdSet', set: 'abc' } }, /target.set="abc" must be a trace-id set id/],
      [{ target: { kind: 'errors', set: '0123456789abcdef' } }, /target.set applies to target.kind "traceIdSet"/],
      [{ target: 'errors', traceIdSet: 'x' }, /traceIdSet="x" must be a trace-id set id/],
    ];
    for (const [body, message] of cases) {
      const r = await post(api, body);
      assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body)}`);
      assert.match(r.body.error, message, JSON.stringify(body));
    }
    const g = await getJson(`${api.url}?target=slow&percentile=abc`);
    assert.equal(g.status, 400);
    assert.match(g.body.error, /percentile="abc" must be a positive number/);
  });
});
