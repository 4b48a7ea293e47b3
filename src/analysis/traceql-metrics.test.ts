// TraceQL metrics against figures worked out by hand from seven spans, over a
// real server: some spans flushed into a part (rollups), some in the head.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { Engine } from '../engine/duckdb.js';
import { SpanBatchBuilder } from '../model/span-batch-builder.js';
import { encodeExportTraceServiceRequest } from '../receive/otlp-proto-encode.js';
import { mountTraceQLMetricsRoutes } from '../api/traceql-metrics-route.js';
import { startTestServer, type TestServer } from '../../test/helpers/test-server.js';
import { postOtlpProto } from '../../test/helpers/otlp-json.js';
import type { TempoSeries } from './traceql-metrics-series.js';

const NS_PER_MINUTE = 60_000_000_000n;
const MS = 1_000_000n;
/** 12:00 UTC yesterday */
const T0 = ((BigInt(Date.now()) * MS) / (1440n * NS_PER_MINUTE) - 1n) * 1440n * NS_PER_MINUTE + 720n * NS_PER_MINUTE;
const T0_MS = Number(T0 / MS);

interface Spec {
  service: string;
  name: string;
  route: string;
  minute: number;
  ms: number;
  error: boolean;
  code: number;
}

const SPANS: Spec[] = [
  { service: 'cart', name: 'GET /cart', route: '/cart', minute: 0, ms: 10, error: false, code: 200 },
  { service: 'cart', name: 'GET /cart', route: '/cart', minute: 0, ms: 20, error: true, code: 500 },
  { service: 'cart', name: 'GET /cart', route: '/cart', minute: 0, ms: 30, error: false, code: 200 },
  { service: 'cart', name: 'GET /cart', route: '/cart', minute: 1, ms: 40, error: true, code: 503 },
  { service: 'pay', name: 'POST /pay', route: '/pay', minute: 0, ms: 100, error: false, code: 200 },
  { service: 'pay', name: 'POST /pay', route: '/pay', minute: 2, ms: 200, error: false, code: 200 },
  { service: 'pay', name: 'POST /pay', route: '/pay', minute: 2, ms: 300, error: false, code: 200 },
];

function batchOf(specs: readonly Spec[], seed: number): ReturnType<SpanBatchBuilder['finish']> {
  const b = new SpanBatchBuilder();
  const scope = b.addScope('test', '1', '', 0);
  const resources = new Map<string, number>();
  for (const s of specs) {
    if (resources.has(s.service)) continue;
    const r = b.addResource('', 0);
    b.resourceAttributes.addString(r, 'service.name', s.service);
    b.setResourceServiceName(r, s.service);
    resources.set(s.service, r);
  }
  specs.forEach((s, k) => {
    const i = b.addSpan(resources.get(s.service)!, scope);
    b.traceId[i * 16] = seed;
    b.traceId[i * 16 + 1] = k + 1;
    b.spanId[i * 8] = k + 1;
    b.name[i] = s.name;
    b.kind[i] = 2;
    b.statusCode[i] = s.error ? 2 : 1;
    b.startTimeUnixNano[i] = T0 + BigInt(s.minute) * NS_PER_MINUTE + BigInt(k) * 1_000_000_000n;
    b.endTimeUnixNano[i] = b.startTimeUnixNano[i]! + BigInt(s.ms) * MS;
    b.attributes.addString(i, 'http.route', s.route);
    b.attributes.addInt(i, 'http.response.status_code', BigInt(s.code));
  });
  return b.finish();
}

type Samples = Record<string, [number, number][]>;

/** series → { promLabels: [[minute offset, value], …] } */
function samplesOf(series: TempoSeries[], stepMs = 60_000): Samples {
  const out: Samples = {};
  for (const s of series) out[s.promLabels] = s.samples.map((x) => [(Number(x.timestampMs) - T0_MS) / stepMs, x.value]);
  return out;
}

function assertSamplesClose(actual: Samples, expected: Samples, tolerance: number): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [k, points] of Object.entries(expected)) {
    assert.equal(actual[k]!.length, points.length, k);
    points.forEach(([t, v], i) => {
      assert.equal(actual[k]![i]![0], t, `${k} timestamp ${i}`);
      const got = actual[k]![i]![1];
      assert.ok(Math.abs(got - v) <= tolerance * Math.abs(v) + 1e-12, `${k} at ${t}: ${got} vs ${v}`);
    });
  }
}

describe('TraceQL metrics (/api/metrics/query_range)', () => {
  let server: TestServer;
  let engine: Engine;
  const app = new Hono();
  const range = `start=${T0_MS / 1000}&end=${T0_MS / 1000 + 180}`;

  async function query(q: string, extra = 'step=60s', within = range): Promise<{ status: number; source: string | null; body: any }> {
    const res = await app.request(`/api/metrics/query_range?${within}&${extra}&q=${encodeURIComponent(q)}`);
    return { status: res.status, source: res.headers.get('x-marquetry-source'), body: await res.json() };
  }

  before(async () => {
    server = await startTestServer({ flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000, sealIntervalMs: 3_600_000 });
    engine = await Engine.create({ dataDir: server.config.dataDir, threads: 1, memoryLimit: '256MB' });
    mountTraceQLMetricsRoutes(app, { store: server.store, engine });
    const first = await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(batchOf(SPANS.slice(0, 4), 1)));
    assert.equal(first.status, 200);
    await server.store.flush();
    const second = await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(batchOf(SPANS.slice(4), 2)));
    assert.equal(second.status, 200);
  });
  after(async () => {
    engine.close();
    await server.dispose();
  });

  it('rate() is spans per second per interval, from rollups', async () => {
    const r = await query('{ } | rate()');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.source, 'rollups');
    assert.deepEqual(r.body.series[0].labels, [{ key: '__name__', value: { stringValue: 'rate' } }]);
    assert.equal(r.body.series[0].promLabels, '{__name__="rate"}');
    assert.equal(typeof r.body.series[0].samples[0].timestampMs, 'string');
    assertSamplesClose(samplesOf(r.body.series), { '{__name__="rate"}': [[0, 4 / 60], [1, 1 / 60], [2, 2 / 60]] }, 0);
  });

  it('count_over_time() by service counts matching spans, zero where none', async () => {
    const r = await query('{ status = error } | count_over_time() by (resource.service.name)');
    assert.equal(r.source, 'rollups');
    assert.deepEqual(r.body.series[0].labels, [{ key: 'resource.service.name', value: { stringValue: 'cart' } }]);
    assertSamplesClose(samplesOf(r.body.series), { '{resource.service.name="cart"}': [[0, 1], [1, 1], [2, 0]] }, 0);
  });

  it('quantile_over_time(duration, …) answers seconds with a p label, within 1% from rollups', async () => {
    const r = await query('{ resource.service.name = "pay" } | quantile_over_time(duration, .5, 1)');
    assert.equal(r.source, 'rollups');
    assert.deepEqual(r.body.series.map((s: TempoSeries) => s.labels), [[{ key: 'p', value: { doubleValue: 0.5 } }], [{ key: 'p', value: { doubleValue: 1 } }]]);
    assertSamplesClose(samplesOf(r.body.series), { '{p="0.5"}': [[0, 0.1], [2, 0.2]], '{p="1"}': [[0, 0.1], [2, 0.3]] }, 0.01);
  });

  it('avg_over_time and max_over_time of duration by name, exact from rollups', async () => {
    const avg = await query('{ } | avg_over_time(duration) by (name)');
    assert.equal(avg.source, 'rollups');
    assertSamplesClose(samplesOf(avg.body.series), { '{name="GET /cart"}': [[0, 0.02], [1, 0.04]], '{name="POST /pay"}': [[0, 0.1], [2, 0.25]] }, 1e-12);
    const max = await query('{ kind = server } | max_over_time(duration) by (name, status)');
    assertSamplesClose(
      samplesOf(max.body.series),
      { '{name="GET /cart", status="error"}': [[0, 0.02], [1, 0.04]], '{name="GET /cart", status="ok"}': [[0, 0.03]], '{name="POST /pay", status="ok"}': [[0, 0.1], [2, 0.3]] },
      1e-12,
    );
  });

  it('groups by a span attribute and filters on one with a scan over spans', async () => {
    const byRoute = await query('{ } | avg_over_time(duration) by (span.http.route)');
    assert.equal(byRoute.source, 'spans');
    assertSamplesClose(samplesOf(byRoute.body.series), { '{span.http.route="/cart"}': [[0, 0.02], [1, 0.04]], '{span.http.route="/pay"}': [[0, 0.1], [2, 0.25]] }, 1e-12);
    const failed = await query('{ span.http.response.status_code >= 500 } | rate() by (span.http.response.status_code)');
    assert.equal(failed.source, 'spans');
    assert.deepEqual(failed.body.series[0].labels, [{ key: 'span.http.response.status_code', value: { intValue: '500' } }]);
    // rate and count series have a sample for every interval, zero where no span matched
    assertSamplesClose(
      samplesOf(failed.body.series),
      { '{span.http.response.status_code="500"}': [[0, 1 / 60], [1, 0], [2, 0]], '{span.http.response.status_code="503"}': [[0, 0], [1, 1 / 60], [2, 0]] },
      1e-12,
    );
    const quantiles = await query('{ resource.service.name = "pay" && duration > 50ms } | quantile_over_time(duration, .5)');
    assert.equal(quantiles.source, 'spans');
    assertSamplesClose(samplesOf(quantiles.body.series), { '{p="0.5"}': [[0, 0.1], [2, 0.2]] }, 1e-12);
  });

  it('filters on trace-level intrinsics, joining each span with its trace (every span here is its own trace)', async () => {
    const byRoot = await query('{ trace:rootService = "pay" } | count_over_time()');
    assert.equal(byRoot.status, 200, JSON.stringify(byRoot.body));
    assert.equal(byRoot.source, 'spans');
    assertSamplesClose(samplesOf(byRoot.body.series), { '{__name__="count_over_time"}': [[0, 1], [1, 0], [2, 2]] }, 0);
    // head and part alike: 30 ms and 40 ms cart traces (part), 100–300 ms pay traces (head)
    const long = await query('{ traceDuration >= 30ms && rootName != "POST /pay" } | count_over_time() by (resource.service.name)');
    assertSamplesClose(samplesOf(long.body.series), { '{resource.service.name="cart"}': [[0, 1], [1, 1], [2, 0]] }, 0);
  });

  it('agrees between rollups and spans on the same question', async () => {
    const fromRollups = await query('{ } | count_over_time() by (resource.service.name, kind)');
    const fromSpans = await query('{ duration >= 0 } | count_over_time() by (resource.service.name, kind)');
    assert.equal(fromRollups.source, 'rollups');
    assert.equal(fromSpans.source, 'spans');
    assert.deepEqual(fromSpans.body.series, fromRollups.body.series);
  });

  it('uses spans for steps that are not whole minutes, stamping each interval with its start', async () => {
    const r = await query('{ } | count_over_time()', 'step=30s');
    assert.equal(r.source, 'spans');
    // spans start k seconds into their minute (k = their index): 0–2 s and 4 s, 63 s, 125–126 s
    assertSamplesClose(samplesOf(r.body.series, 30_000), { '{__name__="count_over_time"}': [[0, 4], [1, 0], [2, 1], [3, 0], [4, 2], [5, 0]] }, 0);
  });

  it('min_over_time scans spans', async () => {
    const r = await query('{ } | min_over_time(duration) by (resource.service.name)');
    assert.equal(r.source, 'spans');
    assertSamplesClose(samplesOf(r.body.series), { '{resource.service.name="cart"}': [[0, 0.01], [1, 0.04]], '{resource.service.name="pay"}': [[0, 0.1], [2, 0.2]] }, 1e-12);
  });

  it('answers an instant query with one value per series', async () => {
    const res = await app.request(`/api/metrics/query?${range}&q=${encodeURIComponent('{ } | count_over_time() by (resource.service.name)')}`);
    const body = (await res.json()) as any;
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(res.headers.get('x-marquetry-source'), 'rollups');
    assert.deepEqual(
      body.series.map((s: any) => [s.promLabels, s.value]),
      [['{resource.service.name="cart"}', 4], ['{resource.service.name="pay"}', 3]],
    );
  });

  it('rejects bad queries and parameters with 400', async () => {
    for (const [q, extra] of [
      ['', 'step=60s'],
      ['{ } | rate() | topk(3)', 'step=60s'],
      ['{ } | rate(', 'step=60s'],
      ['{ a } && { b } | rate()', 'step=60s'],
      ['{ } | rate()', 'step=never'],
      ['{ } | rate()', `step=1s&start=0&end=${T0_MS / 1000}`],
      ['{ } | rate()', `start=${T0_MS / 1000}&end=${T0_MS / 1000 - 60}`],
      ['{ } | avg_over_time(name)', 'step=60s'],
      ['{ name =~ "(" } | rate() by (span.http.route)', 'step=60s'],
      ['{ name =~ "(" } | rate()', 'step=60s'],
    ] as const) {
      const r = await query(q, extra, extra.includes('start=') ? '' : range);
      assert.equal(r.status, 400, `${q} ${extra}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error, /traceql|step|start/);
    }
  });
});
