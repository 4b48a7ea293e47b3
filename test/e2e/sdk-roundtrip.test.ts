// Spans made by the real OpenTelemetry JS SDK, sent by its real OTLP
// exporters (protobuf, JSON, gRPC), come back from the Tempo-compatible trace
// API with every field intact.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { BatchSpanProcessor, InMemorySpanExporter, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { eventually, getJson, startTestServer, type TestServer } from '../helpers/test-server.js';

/** Emits one trace of three spans covering every field the SDK can set. */
async function emitTrace(exporter: SpanExporter, serviceName: string): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': serviceName,
      'service.version': '1.2.3',
      'host.name': 'box-1',
      'process.pid': 4242,
      'process.command_args': ['node', 'app.js', '--flag'],
      'deployment.environment.name': 'test',
    }),
    spanProcessors: [new BatchSpanProcessor({ exporter }), new BatchSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('roundtrip-scope', '9.9.9');
  const root = tracer.startSpan('GET /api/cart', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'http.route': '/api/cart',
      'http.response.status_code': 500,
      'app.ratio': 0.25,
      'app.cache.hit': false,
      'app.tags': ['a', 'b', 'c'],
      'app.counts': [1, 2, 3],
      'app.flags': [true, false],
      'app.user.id': 'user-99',
    },
  });
  const ctx = trace.setSpan(context.active(), root);
  const child = tracer.startSpan('SELECT cart', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql', 'db.statement': 'SELECT * FROM cart WHERE id = $1' } }, ctx);
  child.addEvent('retry', { 'retry.attempt': 2, 'retry.reason': 'timeout' });
  child.recordException(new TypeError('boom: cart missing'));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'cart missing' });
  child.end();
  const linked = tracer.startSpan('publish cart-updated', {
    kind: SpanKind.PRODUCER,
    links: [{ context: child.spanContext(), attributes: { 'link.kind': 'cause', 'link.n': 7 } }],
  }, ctx);
  linked.setStatus({ code: SpanStatusCode.OK });
  linked.end();
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'internal' });
  root.end();
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

type Plain = string | number | boolean | Plain[] | { [k: string]: Plain };

function plainValue(v: Record<string, unknown>): Plain {
  if ('stringValue' in v) return v['stringValue'] as string;
  if ('intValue' in v) return Number(v['intValue']);
  if ('doubleValue' in v) return Number(v['doubleValue']);
  if ('boolValue' in v) return v['boolValue'] as boolean;
  if ('arrayValue' in v) return ((v['arrayValue'] as { values?: Record<string, unknown>[] }).values ?? []).map(plainValue);
  if ('kvlistValue' in v) return plainAttrs((v['kvlistValue'] as { values?: { key: string; value: Record<string, unknown> }[] }).values ?? []);
  if ('bytesValue' in v) return `bytes:${v['bytesValue'] as string}`;
  return '<empty>';
}

function plainAttrs(list: { key: string; value: Record<string, unknown> }[]): Record<string, Plain> {
  const out: Record<string, Plain> = {};
  for (const kv of list) out[kv.key] = plainValue(kv.value);
  return out;
}

function hrNanos(t: [number, number]): string {
  return String(BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]));
}

function sdkAttrs(a: Attributes): Record<string, Plain> {
  return JSON.parse(JSON.stringify(a)) as Record<string, Plain>;
}

async function fetchTrace(server: TestServer, traceId: string): Promise<any> {
  return eventually(async () => {
    const r = await getJson(`${server.apiUrl}/api/traces/${traceId}`);
    return r.status === 200 ? r.body : undefined;
  }, 10_000, `trace ${traceId}`);
}

function checkTrace(got: any, sent: ReadableSpan[], serviceName: string): void {
  const batches = got.batches as any[];
  assert.equal(batches.length, 1, 'one resource');
  const resource = plainAttrs(batches[0].resource.attributes);
  for (const [k, v] of Object.entries(sdkAttrs(sent[0]!.resource.attributes))) assert.deepEqual(resource[k], v, `resource ${k}`);
  assert.equal(resource['service.name'], serviceName);
  const scopeSpans = batches[0].scopeSpans as any[];
  assert.equal(scopeSpans.length, 1);
  assert.equal(scopeSpans[0].scope.name, 'roundtrip-scope');
  assert.equal(scopeSpans[0].scope.version, '9.9.9');
  const spans = scopeSpans[0].spans as any[];
  assert.equal(spans.length, sent.length);
  for (const s of sent) {
    const g = spans.find((x) => x.spanId === s.spanContext().spanId);
    assert.ok(g, `span ${s.name} returned`);
    assert.equal(g.traceId, s.spanContext().traceId);
    assert.equal(g.parentSpanId, s.parentSpanContext?.spanId ?? '');
    assert.equal(g.name, s.name);
    assert.equal(g.kind, s.kind + 1, 'OTLP kind is the API kind + 1');
    assert.equal(g.startTimeUnixNano, hrNanos(s.startTime));
    assert.equal(g.endTimeUnixNano, hrNanos(s.endTime));
    assert.equal(g.flags & 0xff, s.spanContext().traceFlags);
    assert.deepEqual(plainAttrs(g.attributes), sdkAttrs(s.attributes), `attributes of ${s.name}`);
    assert.equal(g.status.code, s.status.code);
    assert.equal(g.status.message ?? '', s.status.message ?? '');
    assert.equal(g.events.length, s.events.length);
    s.events.forEach((e, i) => {
      assert.equal(g.events[i].name, e.name);
      assert.equal(g.events[i].timeUnixNano, hrNanos(e.time));
      assert.deepEqual(plainAttrs(g.events[i].attributes), sdkAttrs(e.attributes ?? {}));
    });
    assert.equal(g.links.length, s.links.length);
    s.links.forEach((l, i) => {
      assert.equal(g.links[i].traceId, l.context.traceId);
      assert.equal(g.links[i].spanId, l.context.spanId);
      assert.deepEqual(plainAttrs(g.links[i].attributes), sdkAttrs(l.attributes ?? {}));
    });
  }
}

describe('real OpenTelemetry SDK exporters round trip', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.dispose();
  });

  it('keeps every field of spans sent as OTLP/HTTP protobuf', async () => {
    const sent = await emitTrace(new ProtoExporter({ url: `${server.otlpUrl}/v1/traces` }), 'proto-svc');
    checkTrace(await fetchTrace(server, sent[0]!.spanContext().traceId), sent, 'proto-svc');
  });

  it('keeps every field of spans sent as gzip OTLP/HTTP protobuf', async () => {
    const sent = await emitTrace(new ProtoExporter({ url: `${server.otlpUrl}/v1/traces`, compression: 'gzip' as never }), 'gzip-svc');
    checkTrace(await fetchTrace(server, sent[0]!.spanContext().traceId), sent, 'gzip-svc');
  });

  it('keeps every field of spans sent as OTLP/HTTP JSON', async () => {
    const sent = await emitTrace(new JsonExporter({ url: `${server.otlpUrl}/v1/traces` }), 'json-svc');
    checkTrace(await fetchTrace(server, sent[0]!.spanContext().traceId), sent, 'json-svc');
  });

  it('keeps every field of spans sent over OTLP/gRPC', async () => {
    const sent = await emitTrace(new GrpcExporter({ url: server.grpcUrl }), 'grpc-svc');
    checkTrace(await fetchTrace(server, sent[0]!.spanContext().traceId), sent, 'grpc-svc');
  });

  it('still returns the trace after it was flushed into a Parquet part', async () => {
    const sent = await emitTrace(new ProtoExporter({ url: `${server.otlpUrl}/v1/traces` }), 'flushed-svc');
    await server.store.flush();
    assert.ok(server.store.stats().parts >= 1);
    checkTrace(await fetchTrace(server, sent[0]!.spanContext().traceId), sent, 'flushed-svc');
    const v2 = await getJson(`${server.apiUrl}/api/v2/traces/${sent[0]!.spanContext().traceId}`);
    assert.equal(v2.status, 200);
    assert.equal(v2.body.trace.resourceSpans[0].scopeSpans[0].spans.length, sent.length);
  });

  it('answers 404 for an unknown trace and 400 for a malformed id', async () => {
    assert.equal((await getJson(`${server.apiUrl}/api/traces/0123456789abcdef0123456789abcdef`)).status, 404);
    assert.equal((await getJson(`${server.apiUrl}/api/traces/not-hex`)).status, 400);
  });
});
