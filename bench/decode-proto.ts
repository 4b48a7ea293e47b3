// OTLP/protobuf trace codec: decode and encode of a realistic 1000-span export
// request, as the OpenTelemetry JS SDK serializes it (resource with the usual
// SDK and host attributes, HTTP server/client and DB spans, ~20 attributes per
// span counting the resource's, some exception events and links). Prints one
// JSON line. Run: node --import tsx bench/decode-proto.ts
// (PROTO_BENCH_MS overrides the time spent on each of decode and encode.)

import { pathToFileURL } from 'node:url';
import { SpanKind, SpanStatusCode, TraceFlags, type HrTime, type Link } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { decodeExportTraceServiceRequest } from '../src/receive/otlp-proto-decode.js';
import { encodeExportTraceServiceRequest } from '../src/receive/otlp-proto-encode.js';
import { seededRandom } from '../src/model/seeded-random.js';

const SPANS = 1000;
const DEFAULT_DURATION_MS = 2000;
const BYTES_PER_MB = 1e6;

export interface BenchResult {
  key: string;
  metrics: { key: string; value: number }[];
}

function hexId(random: () => number, bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++) s += Math.floor(random() * 256).toString(16).padStart(2, '0');
  return s;
}

const resource = resourceFromAttributes({
  'service.name': 'checkout',
  'service.version': '2.14.1',
  'service.namespace': 'shop',
  'service.instance.id': '627cc493-f310-47de-96bd-71410b7dec09',
  'deployment.environment.name': 'production',
  'host.name': 'ip-10-0-12-34.eu-west-1.compute.internal',
  'host.arch': 'amd64',
  'os.type': 'linux',
  'process.pid': 4721,
  'process.runtime.name': 'nodejs',
  'process.runtime.version': '20.19.0',
  'k8s.pod.name': 'checkout-7c9f6d8b5-x2x9k',
  'k8s.namespace.name': 'shop',
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.version': '2.1.0',
});
const scopes = [
  { name: '@opentelemetry/instrumentation-http', version: '0.203.0' },
  { name: '@opentelemetry/instrumentation-pg', version: '0.55.0' },
  { name: 'checkout', version: '2.14.1' },
];
const routes = ['/api/cart', '/api/cart/{id}', '/api/checkout', '/api/orders/{id}', '/health'];
const methods = ['GET', 'GET', 'GET', 'POST', 'PUT'];

function hr(nanos: number): HrTime {
  return [Math.floor(nanos / 1e9), nanos % 1e9];
}

function benchSpans(): ReadableSpan[] {
  const random = seededRandom(42);
  const spans: ReadableSpan[] = [];
  let traceId = '';
  let rootId = '';
  for (let i = 0; i < SPANS; i++) {
    if (i % 20 === 0) {
      traceId = hexId(random, 16);
      rootId = '';
    }
    const spanId = hexId(random, 8);
    const kind = rootId === '' ? SpanKind.SERVER : i % 3 === 0 ? SpanKind.CLIENT : SpanKind.INTERNAL;
    const route = routes[Math.floor(random() * routes.length)]!;
    const start = 1_700_000_000_000_000_000 + i * 1_000_000;
    const attributes: Record<string, unknown> =
      kind === SpanKind.CLIENT
        ? {
            'db.system.name': 'postgresql',
            'db.namespace': 'orders',
            'db.operation.name': 'SELECT',
            'db.collection.name': 'orders',
            'db.query.text': 'SELECT id, status, total FROM orders WHERE customer_id = $1 AND created_at > $2',
            'server.address': 'orders-db.internal',
            'server.port': 5432,
            'db.response.returned_rows': Math.floor(random() * 100),
          }
        : {
            'http.request.method': methods[Math.floor(random() * methods.length)],
            'http.route': route,
            'url.path': route.replace('{id}', String(Math.floor(random() * 1e6))),
            'url.scheme': 'https',
            'http.response.status_code': random() < 0.05 ? 500 : 200,
            'server.address': 'checkout.shop.svc',
            'server.port': 8080,
            'client.address': `10.0.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}`,
            'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
            'network.protocol.version': '1.1',
            'http.request.body.size': Math.floor(random() * 4096),
            'app.cart.items': [Math.floor(random() * 10), Math.floor(random() * 10)],
          };
    const failed = random() < 0.05;
    const events: TimedEvent[] = failed
      ? [{ name: 'exception', time: hr(start + 500), attributes: { 'exception.type': 'Error', 'exception.message': 'connection reset', 'exception.stacktrace': 'Error: connection reset\n    at Socket.onclose (node:net:301:12)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)' } }]
      : [];
    const links: Link[] = random() < 0.05 ? [{ context: { traceId: hexId(random, 16), spanId: hexId(random, 8), traceFlags: TraceFlags.SAMPLED }, attributes: { 'messaging.operation': 'receive' } }] : [];
    const ctx = { traceId, spanId, traceFlags: TraceFlags.SAMPLED };
    spans.push({
      name: kind === SpanKind.CLIENT ? 'SELECT orders' : `${String(attributes['http.request.method'] ?? 'GET')} ${route}`,
      kind,
      spanContext: () => ctx,
      parentSpanContext: rootId === '' ? undefined : { traceId, spanId: rootId, traceFlags: TraceFlags.SAMPLED },
      startTime: hr(start),
      endTime: hr(start + 1_000_000 + Math.floor(random() * 50_000_000)),
      status: failed ? { code: SpanStatusCode.ERROR, message: 'connection reset' } : { code: SpanStatusCode.UNSET },
      attributes,
      links,
      events,
      duration: [0, 1_000_000],
      ended: true,
      resource,
      instrumentationScope: kind === SpanKind.CLIENT ? scopes[1]! : kind === SpanKind.SERVER ? scopes[0]! : scopes[2]!,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    } as unknown as ReadableSpan);
    if (rootId === '') rootId = spanId;
  }
  return spans;
}

/**
 * Runs `fn` repeatedly for about `durationMs` after a warm-up; returns CPU ns
 * per call. CPU time rather than wall time, so a busy machine (tests running
 * beside the bench) skews the figure less.
 */
function time(durationMs: number, fn: () => unknown): number {
  const warmUntil = performance.now() + Math.min(500, durationMs / 2);
  while (performance.now() < warmUntil) fn();
  let calls = 0;
  const cpuBefore = process.cpuUsage();
  const deadline = performance.now() + durationMs;
  while (performance.now() < deadline) {
    for (let k = 0; k < 10; k++) fn();
    calls += 10;
  }
  const cpu = process.cpuUsage(cpuBefore);
  return ((cpu.user + cpu.system) * 1e3) / calls;
}

/** The request the bench decodes, as the SDK serializes it. */
export function benchRequest(): Uint8Array {
  const request = ProtobufTraceSerializer.serializeRequest(benchSpans());
  if (!request) throw new Error('bench: the SDK serializer returned nothing');
  return request;
}

export function benchDecodeProto(durationMs = DEFAULT_DURATION_MS): BenchResult {
  const request = benchRequest();
  const { batch } = decodeExportTraceServiceRequest(request);
  if (batch.length !== SPANS) throw new Error(`bench: decoded ${batch.length} spans, expected ${SPANS}`);
  const encoded = encodeExportTraceServiceRequest(batch);
  const decodeNs = time(durationMs, () => decodeExportTraceServiceRequest(request));
  const encodeNs = time(durationMs, () => encodeExportTraceServiceRequest(batch));
  const round = (x: number): number => Math.round(x * 100) / 100;
  const attributesPerSpan = (batch.attributes.length + batch.resources.attributes.length * SPANS) / SPANS;
  return {
    key: 'otlp-proto-codec',
    metrics: [
      { key: 'decode-ns-per-span', value: round(decodeNs / SPANS) },
      { key: 'encode-ns-per-span', value: round(encodeNs / SPANS) },
      { key: 'bytes-per-span', value: round(request.length / SPANS) },
      { key: 'decode-mb-per-s', value: round(request.length / BYTES_PER_MB / (decodeNs / 1e9)) },
      { key: 'encode-mb-per-s', value: round(encoded.length / BYTES_PER_MB / (encodeNs / 1e9)) },
      { key: 'attributes-per-span', value: round(attributesPerSpan) },
    ],
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const durationMs = Number(process.env['PROTO_BENCH_MS'] ?? DEFAULT_DURATION_MS);
  console.log(JSON.stringify(benchDecodeProto(durationMs)));
}
