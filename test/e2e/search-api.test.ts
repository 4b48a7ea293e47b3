// TraceQL search and tag autocompletion through the Tempo-compatible API, on
// a hand-built dataset whose answers are known: the same answers from the
// head right after ingest, from Parquet parts after a flush, and from both
// at once.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, startTestServer, type TestServer } from '../helpers/test-server.js';
import { HexIds, attrs, jsonRequest, jsonSpan, kv, postOtlpJson, str } from '../helpers/otlp-json.js';

interface SpanSpec {
  service: string;
  name: string;
  /** OTLP kind: 1 internal, 2 server, 3 client */
  kind: number;
  /** after the trace's start */
  offsetMs: number;
  durationMs: number;
  /** 0 unset, 1 ok, 2 error */
  status?: number;
  attributes?: Record<string, string | number | boolean>;
  children?: SpanSpec[];
}

interface TraceSpec {
  label: string;
  /** seconds after the dataset's base time */
  startS: number;
  env: string;
  root: SpanSpec;
}

const serverSpan = (name: string, offsetMs: number, durationMs: number, status: number, a: SpanSpec['attributes'], children: SpanSpec[] = []): Omit<SpanSpec, 'service'> => ({
  name,
  kind: 2,
  offsetMs,
  durationMs,
  status,
  ...(a ? { attributes: a } : {}),
  children,
});

const cartTrace = (label: string, startS: number, env: string, cartMs: number, code: number, status: number): TraceSpec => ({
  label,
  startS,
  env,
  root: {
    service: 'frontend',
    ...serverSpan('GET /api/cart', 0, cartMs + 100, status, { 'http.route': '/api/cart', 'http.response.status_code': code }),
    children: [
      {
        service: 'cart',
        ...serverSpan('GET /api/cart', 50, cartMs, status, { 'http.route': '/api/cart', 'http.response.status_code': code }),
        children: [{ service: 'cart', name: 'SELECT cart', kind: 3, offsetMs: 60, durationMs: 20, attributes: { 'db.system': 'redis' } }],
      },
    ],
  },
});

const checkoutTrace = (label: string, startS: number, env: string, items: number, total: number, express: boolean, paymentStatus: number): TraceSpec => ({
  label,
  startS,
  env,
  root: {
    service: 'frontend',
    ...serverSpan('POST /api/checkout', 0, 1200, 0, { 'http.route': '/api/checkout', 'http.response.status_code': 200 }),
    children: [
      {
        service: 'checkout',
        ...serverSpan('PlaceOrder', 20, 1100, 0, { 'app.order.items': items, 'app.order.total': total, 'app.express': express }),
        children: [
          { service: 'payment', name: 'Charge', kind: 3, offsetMs: 100, durationMs: 800, status: paymentStatus, attributes: { 'rpc.service': 'PaymentService' } },
          // Enough spans per trace that the part's trace_id column gets dictionary pages and a Parquet bloom filter.
          ...[905, 910, 915, 920, 925, 930].map((offsetMs) => ({ service: 'checkout', name: 'reserve stock', kind: 1, offsetMs, durationMs: 5 })),
        ],
      },
    ],
  },
});

// Loaded first (then flushed into parts later)…
const FIRST: TraceSpec[] = [
  cartTrace('cart-slow-error', 0, 'prod', 700, 500, 2),
  cartTrace('cart-ok', 60, 'prod', 100, 200, 1),
  cartTrace('cart-fast-error', 120, 'staging', 200, 503, 2),
  checkoutTrace('checkout-big', 180, 'prod', 5, 99.5, true, 2),
  checkoutTrace('checkout-small', 240, 'staging', 1, 10.25, false, 1),
];
// …and these stay in the head while the first are in parts.
const LATER: TraceSpec[] = [cartTrace('cart-late-error', 300, 'prod', 600, 500, 2), checkoutTrace('checkout-late', 360, 'prod', 7, 150.75, true, 2)];

const SLOW_CART_ERRORS = '{ resource.service.name = "cart" && span.http.route = "/api/cart" && duration > 500ms && status = error }';

/** Query → labels of the traces found among FIRST, newest first. */
const QUERIES: [string, string, string[]][] = [
  ['finds the slow failing cart request by service, route, duration and status', SLOW_CART_ERRORS, ['cart-slow-error']],
  ['matches an unscoped attribute against span attributes', '{ .http.route = "/api/checkout" }', ['checkout-small', 'checkout-big']],
  ['matches an unscoped attribute against resource attributes', '{ .deployment.environment = "staging" }', ['checkout-small', 'cart-fast-error']],
  ['matches span kind and resource service', '{ kind = server && resource.service.name = "checkout" }', ['checkout-small', 'checkout-big']],
  ['matches span names by regular expression', '{ name =~ "GET .*" }', ['cart-fast-error', 'cart-ok', 'cart-slow-error']],
  ['matches != on an int attribute, skipping spans without it', '{ span.http.response.status_code != 200 }', ['cart-fast-error', 'cart-slow-error']],
  ['compares an int attribute with >=', '{ span.app.order.items >= 5 }', ['checkout-big']],
  ['compares an int attribute with <', '{ span.app.order.items < 5 }', ['checkout-small']],
  ['compares a double attribute', '{ span.app.order.total > 50.0 }', ['checkout-big']],
  ['compares a bool attribute', '{ span.app.express = false }', ['checkout-small']],
  ['needs both spansets for &&', '{ resource.service.name = "payment" && status = error } && { span.app.order.items >= 5 }', ['checkout-big']],
  ['takes either spanset for ||', '{ resource.service.name = "payment" && status = error } || { resource.service.name = "cart" && status = error }', ['checkout-big', 'cart-fast-error', 'cart-slow-error']],
  ['finds every trace for {}', '{}', ['checkout-small', 'checkout-big', 'cart-fast-error', 'cart-ok', 'cart-slow-error']],
  ['matches client spans', '{ kind = client }', ['checkout-small', 'checkout-big', 'cart-fast-error', 'cart-ok', 'cart-slow-error']],
  ['matches status = ok', '{ status = ok }', ['checkout-small', 'cart-ok']],
  ['matches trace-level intrinsics (trace summaries)', '{ trace:rootService = "frontend" && traceDuration > 1s && kind = client }', ['checkout-small', 'checkout-big']],
  ['matches the root span name beside a span condition', '{ rootName = "GET /api/cart" && status = error }', ['cart-fast-error', 'cart-slow-error']],
  ['finds nothing for an unknown service', '{ resource.service.name = "nosuch" }', []],
  ['finds nothing for an attribute never sent', '{ span.never.sent = "x" }', []],
];

interface Built {
  traceId: string;
  /** span ids in start order; [0] is the root */
  spanIds: string[];
  startNs: bigint;
  rootDurationMs: number;
}

function buildTraces(specs: TraceSpec[], baseNs: bigint, ids: HexIds, built: Map<string, Built>): Record<string, unknown> {
  const resources: Parameters<typeof jsonRequest>[0] = [];
  for (const t of specs) {
    const traceId = ids.traceId();
    const startNs = baseNs + BigInt(t.startS) * 1_000_000_000n;
    const spanIds: string[] = [];
    const byService = new Map<string, Record<string, unknown>[]>();
    const walk = (s: SpanSpec, parent: string | undefined, parentStartNs: bigint): void => {
      const spanId = ids.spanId();
      spanIds.push(spanId);
      const spanStart = parentStartNs + BigInt(s.offsetMs) * 1_000_000n;
      const span = jsonSpan({
        traceId,
        spanId,
        ...(parent ? { parentSpanId: parent } : {}),
        name: s.name,
        kind: s.kind,
        startNs: spanStart,
        durationNs: BigInt(s.durationMs) * 1_000_000n,
        attributes: attrs(s.attributes ?? {}),
        status: { code: s.status ?? 0 },
      });
      const list = byService.get(s.service) ?? [];
      list.push(span);
      byService.set(s.service, list);
      for (const c of s.children ?? []) walk(c, spanId, spanStart);
    };
    walk(t.root, undefined, startNs);
    for (const [service, spans] of byService) {
      resources.push({ attributes: [kv('service.name', str(service)), kv('deployment.environment', str(t.env))], scopeSpans: [{ spans }] });
    }
    built.set(t.label, { traceId, spanIds, startNs, rootDurationMs: t.root.durationMs });
  }
  return jsonRequest(resources);
}

describe('TraceQL search and tags through the Tempo API', () => {
  let srv: TestServer;
  const built = new Map<string, Built>();
  const ids = new HexIds(2024);
  // Whole seconds, an hour ago: start/end parameters are unix seconds.
  const baseS = Math.floor(Date.now() / 1000) - 3600;
  const baseNs = BigInt(baseS) * 1_000_000_000n;
  const answersFromHead = new Map<string, unknown>();

  const search = async (q: string, params: Record<string, string> = {}): Promise<{ status: number; body: any }> => {
    const qs = new URLSearchParams({ q, ...params });
    return getJson(`${srv.apiUrl}/api/search?${qs}`);
  };
  const labelsOf = (body: any): string[] =>
    (body.traces as any[]).map((t) => [...built].find(([, b]) => b.traceId === t.traceID)?.[0] ?? `unknown ${t.traceID}`);

  before(async () => {
    srv = await startTestServer();
  });
  after(async () => {
    await srv.dispose();
  });

  it('finds spans in the head as soon as the ingest request is acknowledged', async () => {
    const r = await postOtlpJson(srv.otlpUrl, buildTraces(FIRST, baseNs, ids, built));
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {});
    const found = await search('{}');
    assert.equal(found.status, 200);
    assert.equal(found.body.traces.length, FIRST.length);
    assert.equal(srv.store.stats().parts, 0, 'nothing flushed yet');
  });

  it('answers in the Tempo response shape', async () => {
    const r = await search('{ name = "GET /api/cart" }');
    assert.equal(r.status, 200);
    const t = r.body.traces.find((x: any) => x.traceID === built.get('cart-slow-error')!.traceId);
    assert.ok(t, 'trace found');
    const b = built.get('cart-slow-error')!;
    assert.match(t.traceID, /^[0-9a-f]{32}$/);
    assert.equal(t.rootServiceName, 'frontend');
    assert.equal(t.rootTraceName, 'GET /api/cart');
    assert.equal(t.startTimeUnixNano, String(b.startNs));
    assert.equal(t.durationMs, b.rootDurationMs);
    assert.deepEqual(t.serviceStats, { frontend: { spanCount: 1, errorCount: 1 }, cart: { spanCount: 2, errorCount: 1 } }, 'every span of the trace, not only matches');
    assert.equal(t.spanSets.length, 1);
    const set = t.spanSets[0];
    assert.equal(set.matched, 2, 'the frontend and the cart span are named GET /api/cart');
    assert.deepEqual(set.spans.map((s: any) => s.spanID), b.spanIds.slice(0, 2));
    assert.equal(set.spans[0].name, 'GET /api/cart');
    assert.equal(set.spans[0].startTimeUnixNano, String(b.startNs));
    assert.equal(set.spans[0].durationNanos, String(800_000_000));
    assert.ok(r.body.metrics, 'metrics present');
  });

  for (const [what, q, expected] of QUERIES) {
    it(`${what}: ${q}`, async () => {
      const r = await search(q);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(labelsOf(r.body), expected);
      answersFromHead.set(q, r.body.traces);
    });
  }

  it('returns the newest traces first and no more than limit', async () => {
    const r = await search('{}', { limit: '2' });
    assert.deepEqual(labelsOf(r.body), ['checkout-small', 'checkout-big']);
  });

  it('returns at most spss spans per spanset but counts every match', async () => {
    const r = await search('{}', { spss: '1' });
    assert.equal(r.body.traces.length, FIRST.length);
    for (const t of r.body.traces) {
      const b = [...built.values()].find((x) => x.traceId === t.traceID)!;
      assert.equal(t.spanSets[0].spans.length, 1);
      assert.equal(t.spanSets[0].spans[0].spanID, b.spanIds[0], 'the earliest span: the root');
      assert.equal(t.spanSets[0].matched, b.spanIds.length);
    }
    const two = await search('{ kind = server }', { spss: '2' });
    for (const t of two.body.traces) assert.equal(t.spanSets[0].spans.length, 2);
  });

  it('excludes traces outside start and end given in unix seconds', async () => {
    const r = await search('{}', { start: String(baseS + 60), end: String(baseS + 130) });
    assert.equal(r.status, 200);
    assert.deepEqual(labelsOf(r.body), ['cart-fast-error', 'cart-ok']);
    const none = await search('{}', { start: String(baseS - 7200), end: String(baseS - 3600) });
    assert.deepEqual(none.body.traces, []);
  });

  it('answers unsupported TraceQL with 400 naming the construct, and a syntax error with 400', async () => {
    const unsupported = await search('{ } | count() > 2');
    assert.equal(unsupported.status, 400);
    assert.match(unsupported.body.error, /pipeline stage .*count\(\).* is not supported/);
    const syntax = await search('{ span.http.route = }');
    assert.equal(syntax.status, 400);
    assert.match(syntax.body.error, /^traceql: /);
    const unclosed = await search('{ name = "x"');
    assert.equal(unclosed.status, 400);
  });

  it('lists the attribute keys sent as tag names, v1 and v2', async () => {
    const v1 = await getJson(`${srv.apiUrl}/api/search/tags`);
    assert.equal(v1.status, 200);
    for (const k of ['http.route', 'http.response.status_code', 'app.order.items', 'app.order.total', 'app.express', 'db.system', 'deployment.environment', 'service.name']) {
      assert.ok(v1.body.tagNames.includes(k), `v1 has ${k}`);
    }
    const v2 = await getJson(`${srv.apiUrl}/api/v2/search/tags`);
    const scope = (name: string): string[] => v2.body.scopes.find((s: any) => s.name === name).tags;
    for (const k of ['http.route', 'app.order.items', 'app.express', 'rpc.service']) assert.ok(scope('span').includes(k), `span scope has ${k}`);
    for (const k of ['service.name', 'deployment.environment']) assert.ok(scope('resource').includes(k), `resource scope has ${k}`);
    assert.ok(!scope('span').includes('deployment.environment'));
    for (const k of ['status', 'kind', 'name', 'duration']) assert.ok(scope('intrinsic').includes(k), `intrinsic has ${k}`);
    const onlySpan = await getJson(`${srv.apiUrl}/api/v2/search/tags?scope=span`);
    assert.deepEqual(onlySpan.body.scopes.map((s: any) => s.name), ['span']);
  });

  it('lists tag values with their types', async () => {
    const routes = await getJson(`${srv.apiUrl}/api/search/tag/span.http.route/values`);
    assert.deepEqual(routes.body.tagValues, ['/api/cart', '/api/checkout']);
    const services = await getJson(`${srv.apiUrl}/api/v2/search/tag/resource.service.name/values`);
    assert.deepEqual(services.body.tagValues, ['cart', 'checkout', 'frontend', 'payment'].map((value) => ({ type: 'string', value })));
    const items = await getJson(`${srv.apiUrl}/api/v2/search/tag/span.app.order.items/values`);
    assert.deepEqual(items.body.tagValues, [{ type: 'int', value: '1' }, { type: 'int', value: '5' }]);
    const status = await getJson(`${srv.apiUrl}/api/v2/search/tag/status/values`);
    assert.deepEqual(status.body.tagValues.map((v: any) => v.value).sort(), ['error', 'ok', 'unset']);
    assert.ok(status.body.tagValues.every((v: any) => v.type === 'keyword'));
    const kind = await getJson(`${srv.apiUrl}/api/v2/search/tag/kind/values`);
    assert.ok(kind.body.tagValues.some((v: any) => v.value === 'server' && v.type === 'keyword'));
  });

  it('lists services and the operations of one service', async () => {
    const services = await getJson(`${srv.apiUrl}/api/v1/services`);
    assert.deepEqual(services.body.services, ['cart', 'checkout', 'frontend', 'payment']);
    const ops = await getJson(`${srv.apiUrl}/api/v1/services/cart/operations`);
    assert.equal(ops.body.service, 'cart');
    assert.deepEqual(ops.body.operations, [
      { name: 'GET /api/cart', kind: 2, spans: 3 },
      { name: 'SELECT cart', kind: 3, spans: 3 },
    ]);
    assert.deepEqual((await getJson(`${srv.apiUrl}/api/v1/services/nosuch/operations`)).body.operations, []);
  });

  it('gives the same answers after the head is flushed into parts', async () => {
    await srv.store.flush();
    const stats = srv.store.stats();
    assert.ok(stats.parts >= 1);
    assert.equal(stats.headPendingRows + stats.headStagedRows, 0);
    for (const [, q] of QUERIES) {
      const r = await search(q);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.traces, answersFromHead.get(q), q);
    }
    const items = await getJson(`${srv.apiUrl}/api/v2/search/tag/span.app.order.items/values`);
    assert.deepEqual(items.body.tagValues, [{ type: 'int', value: '1' }, { type: 'int', value: '5' }]);
  });

  it('answers across parts and the head at once', async () => {
    const r = await postOtlpJson(srv.otlpUrl, buildTraces(LATER, baseNs, ids, built));
    assert.equal(r.status, 200);
    assert.ok(srv.store.stats().headPendingRows > 0, 'the later traces are in the head');
    assert.deepEqual(labelsOf((await search(SLOW_CART_ERRORS)).body), ['cart-late-error', 'cart-slow-error']);
    assert.deepEqual(labelsOf((await search('{ span.app.order.items >= 5 }')).body), ['checkout-late', 'checkout-big']);
    assert.deepEqual(labelsOf((await search('{}', { limit: '3' })).body), ['checkout-late', 'cart-late-error', 'checkout-small']);
    assert.equal((await search('{}')).body.traces.length, FIRST.length + LATER.length);
    const items = await getJson(`${srv.apiUrl}/api/v2/search/tag/span.app.order.items/values`);
    assert.deepEqual(items.body.tagValues.map((v: any) => v.value), ['1', '5', '7']);
    const ops = await getJson(`${srv.apiUrl}/api/v1/services/cart/operations`);
    assert.equal(ops.body.operations[0].spans, 4);
  });

  it('joins one trace whose root is in a part and whose child is still in the head', async () => {
    const traceId = ids.traceId();
    const rootId = ids.spanId();
    const startNs = baseNs + 400n * 1_000_000_000n;
    const root = jsonSpan({ traceId, spanId: rootId, name: 'GET /split', kind: 2, startNs, durationNs: 900_000_000n });
    const child = jsonSpan({ traceId, spanId: ids.spanId(), parentSpanId: rootId, name: 'split-child', kind: 1, startNs: startNs + 1_000_000n, durationNs: 5_000_000n, status: { code: 2 } });
    const service = (name: string, span: Record<string, unknown>): Record<string, unknown> =>
      jsonRequest([{ attributes: [kv('service.name', str(name))], scopeSpans: [{ spans: [span] }] }]);
    assert.equal((await postOtlpJson(srv.otlpUrl, service('frontend', root))).status, 200);
    await srv.store.flush();
    assert.equal((await postOtlpJson(srv.otlpUrl, service('cart', child))).status, 200);

    const r = await search('{ name = "GET /split" } && { resource.service.name = "cart" && status = error }');
    assert.equal(r.body.traces.length, 1);
    const t = r.body.traces[0];
    assert.equal(t.traceID, traceId);
    assert.equal(t.rootServiceName, 'frontend');
    assert.equal(t.rootTraceName, 'GET /split');
    assert.equal(t.durationMs, 900);
    assert.equal(t.spanSets[0].matched, 2);
    assert.equal((await search('{}', { limit: '100' })).body.traces.length, FIRST.length + LATER.length + 1, 'each trace once');
  });
});
