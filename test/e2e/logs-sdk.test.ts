// Log records made by the real OpenTelemetry JS logs SDK, sent by its real
// OTLP exporters (protobuf, JSON, gRPC), come back from the log search API
// with every field intact: string and map bodies, typed attributes, trace
// context, severity, times, resource and scope.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace, SeverityNumber, TraceFlags } from '@opentelemetry/api';
import { LoggerProvider, SimpleLogRecordProcessor, InMemoryLogRecordExporter, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { eventually, getJson, startTestServer, type TestServer } from '../helpers/test-server.js';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';

/** Emits four records covering what the SDK can set; returns them as the SDK saw them. */
async function emitLogs(exporter: LogRecordExporter, serviceName: string): Promise<ReadableLogRecord[]> {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'host.name': 'box-1', 'process.pid': 4242 }),
    processors: [new SimpleLogRecordProcessor({ exporter }), new SimpleLogRecordProcessor({ exporter: memory })],
  });
  const logger = provider.getLogger('logs-scope', '2.0.1');
  const withSpan = trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
  logger.emit({
    severityNumber: SeverityNumber.ERROR,
    severityText: 'ERROR',
    body: 'payment failed: Connection refused by upstream',
    attributes: { 'http.route': '/api/pay', 'http.status_code': 502, 'retry.ratio': 0.5, 'retry.last': true, 'tags': ['a', 'b'] },
    context: withSpan,
    timestamp: new Date('2026-01-02T03:04:05.123Z'),
  });
  logger.emit({
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: { user: { id: 'u-1', tier: 'gold' }, items: [{ sku: 'x1', qty: 2 }, { sku: 'y2', qty: 1 }], total: 42.5, note: 'first order' },
    eventName: 'order.placed',
  });
  logger.emit({ severityNumber: SeverityNumber.WARN, body: 17, attributes: { 'cart.size': 3 } });
  logger.emit({ body: 'no severity at all' });
  await provider.forceFlush();
  const records = memory.getFinishedLogRecords();
  await provider.shutdown();
  return records;
}

function hrNanos(t: [number, number]): string {
  return String(BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]));
}

async function recordsOf(server: TestServer, service: string, want: number): Promise<any[]> {
  return eventually(async () => {
    const r = await getJson(`${server.apiUrl}/api/v1/logs?service=${service}&limit=100`);
    return r.status === 200 && r.body.records.length === want ? r.body.records : undefined;
  }, 15_000, `${want} records of ${service}`);
}

describe('OTLP logs from the OpenTelemetry SDK', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.dispose();
  });

  const exporters: [string, () => LogRecordExporter][] = [
    ['protobuf', () => new ProtoExporter({ url: `${server.otlpUrl}/v1/logs` })],
    ['JSON', () => new JsonExporter({ url: `${server.otlpUrl}/v1/logs` })],
    ['gRPC', () => new GrpcExporter({ url: server.grpcUrl })],
  ];

  for (const [name, make] of exporters) {
    it(`stores and returns every field sent over ${name}`, async () => {
      const service = `logs-${name.toLowerCase()}`;
      const sent = await emitLogs(make(), service);
      const got = await recordsOf(server, service, 4);
      const byBody = new Map(got.map((r) => [JSON.stringify(r.body), r]));

      const failed = byBody.get(JSON.stringify('payment failed: Connection refused by upstream'));
      assert.ok(failed, 'the string body');
      assert.equal(failed.severityNumber, 17);
      assert.equal(failed.severityText, 'ERROR');
      assert.equal(failed.timeUnixNano, hrNanos(sent[0]!.hrTime));
      assert.equal(failed.observedTimeUnixNano, hrNanos(sent[0]!.hrTimeObserved));
      assert.equal(failed.traceId, TRACE_ID);
      assert.equal(failed.spanId, SPAN_ID);
      assert.equal(failed.flags, 1);
      assert.deepEqual(failed.attributes, { 'http.route': '/api/pay', 'http.status_code': 502, 'retry.ratio': 0.5, 'retry.last': true, tags: ['a', 'b'] });
      assert.deepEqual(failed.resource, { 'service.name': service, 'host.name': 'box-1', 'process.pid': 4242 });
      assert.equal(failed.scope.name, 'logs-scope');
      assert.equal(failed.scope.version, '2.0.1');

      const order = got.find((r) => r.eventName === 'order.placed');
      assert.ok(order, 'the map body');
      assert.deepEqual(order.body, { user: { id: 'u-1', tier: 'gold' }, items: [{ sku: 'x1', qty: 2 }, { sku: 'y2', qty: 1 }], total: 42.5, note: 'first order' });
      assert.equal(order.traceId, '');

      assert.ok(byBody.get('17'), 'the int body');
      assert.equal(byBody.get('17').severityNumber, 13);
      assert.equal(byBody.get(JSON.stringify('no severity at all')).severityNumber, 0);
    });
  }

  it('finds the records by words of the body, a map-body field and an attribute', async () => {
    const words = await getJson(`${server.apiUrl}/api/v1/logs?query=${encodeURIComponent('"connection REFUSED"')}`);
    assert.equal(words.status, 200);
    assert.equal(words.body.records.length, 3, 'one per exporter');
    const field = await getJson(`${server.apiUrl}/api/v1/logs?query=${encodeURIComponent('{service="logs-json"} | user.tier = "gold"')}`);
    assert.equal(field.body.records.length, 1);
    const attr = await getJson(`${server.apiUrl}/api/v1/logs?query=${encodeURIComponent('http.status_code >= 500 | severity >= WARN')}`);
    assert.equal(attr.body.records.length, 3);
    const ofTrace = await getJson(`${server.apiUrl}/api/v1/logs?trace_id=${TRACE_ID}`);
    assert.equal(ofTrace.body.records.length, 3);
  });

  it('keeps every record through a flush into parts, and finds them through the token index', async () => {
    await server.logs.flush();
    assert.equal(server.logs.stats().headStagedRows + server.logs.stats().headPendingRows, 0);
    const parts = server.logs.catalog.snapshot.parts;
    assert.ok(parts.length > 0 && parts.every((p) => p.tokenIndexPath), 'parts with token indexes');
    const r = await getJson(`${server.apiUrl}/api/v1/logs?query=upstream`);
    assert.equal(r.body.records.length, 3);
    assert.ok(r.body.stats.chunksSkipped >= 0);
    const none = await getJson(`${server.apiUrl}/api/v1/logs?query=zanzibar`);
    assert.equal(none.body.records.length, 0);
    const all = await getJson(`${server.apiUrl}/api/v1/logs?limit=100`);
    assert.equal(all.body.records.length, 12);
  });
});
