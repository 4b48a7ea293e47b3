// The OTLP metric decoders fed by the real OpenTelemetry JS SDK: a
// MeterProvider with a manual reader, instruments recorded with attributes,
// collected and serialized by @opentelemetry/otlp-transformer (protobuf and
// JSON), then decoded. Every series, label, value and timestamp is checked.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValueType } from '@opentelemetry/api';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  MeterProvider,
  MetricReader,
  type MetricReaderOptions,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { DecodeError } from '../../model/errors.js';
import { batchProblems, listSeries } from './metrics-test-helpers.js';
import { decodeExportMetricsServiceRequest } from './otlp-metrics-decode.js';
import { decodeOtlpJsonMetrics } from './otlp-metrics-json-decode.js';

class ManualReader extends MetricReader {
  constructor(options?: MetricReaderOptions) {
    super(options);
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

interface Recorded {
  metrics: ResourceMetrics;
  /** the collection time the SDK stamped on every point, in unix ms */
  timeMs: number;
}

async function record(options?: MetricReaderOptions): Promise<Recorded> {
  const reader = new ManualReader(options);
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': 'checkout',
      'service.namespace': 'shop',
      'service.instance.id': 'pod-7',
      'host.name': 'node-1',
      'k8s.pod.labels': ['a', 'b'],
    }),
    readers: [reader],
    views: [{ instrumentName: 'payload.size', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter('shop.checkout', '2.1.0');
  const requests = meter.createCounter('http.server.requests', { unit: '{request}', description: 'Requests served' });
  requests.add(3, { 'http.request.method': 'GET', 'http.response.status_code': 200 });
  requests.add(1, { 'http.request.method': 'POST', 'http.response.status_code': 500 });
  requests.add(2, { 'http.request.method': 'GET', 'http.response.status_code': 200 });
  const bytes = meter.createCounter('network.io', { unit: 'By', valueType: ValueType.INT });
  bytes.add(1500, { direction: 'rx' });
  const inflight = meter.createUpDownCounter('http.server.active_requests', { unit: '{request}' });
  inflight.add(5);
  inflight.add(-2);
  const duration = meter.createHistogram('http.server.request.duration', {
    unit: 's',
    description: 'Duration',
    advice: { explicitBucketBoundaries: [0.005, 0.1, 2.5] },
  });
  for (const v of [0.001, 0.05, 0.07, 3]) duration.record(v, { 'http.route': '/cart' });
  const temperature = meter.createGauge('room.temperature', { unit: 'Cel' });
  temperature.record(21.5, { room: 'lab' });
  const utilization = meter.createObservableGauge('system.cpu.utilization', { unit: '1' });
  utilization.addCallback((result) => {
    result.observe(0.25, { 'cpu.id': 0 });
    result.observe(0.75, { 'cpu.id': 1 });
  });
  meter.createHistogram('payload.size', { unit: 'By' }).record(512);
  const { resourceMetrics, errors } = await reader.collect();
  assert.deepEqual(errors, []);
  const end = resourceMetrics.scopeMetrics[0]!.metrics[0]!.dataPoints[0]!.endTime;
  await provider.shutdown();
  return { metrics: resourceMetrics, timeMs: end[0] * 1000 + Math.floor(end[1] / 1e6) };
}

const SCOPE = 'otel_scope_name="shop.checkout", otel_scope_version="2.1.0"';
const TARGET = 'instance="pod-7", job="shop/checkout"';

function expectedSeries(t: number): Map<string, [number, number][]> {
  const rows: [string, number][] = [
    [`{__name__="http_server_active_requests", ${TARGET}, ${SCOPE}}`, 3],
    [`{__name__="http_server_request_duration_seconds_bucket", http_route="/cart", ${TARGET}, le="+Inf", ${SCOPE}}`, 4],
    [`{__name__="http_server_request_duration_seconds_bucket", http_route="/cart", ${TARGET}, le="0.005", ${SCOPE}}`, 1],
    [`{__name__="http_server_request_duration_seconds_bucket", http_route="/cart", ${TARGET}, le="0.1", ${SCOPE}}`, 3],
    [`{__name__="http_server_request_duration_seconds_bucket", http_route="/cart", ${TARGET}, le="2.5", ${SCOPE}}`, 3],
    [`{__name__="http_server_request_duration_seconds_count", http_route="/cart", ${TARGET}, ${SCOPE}}`, 4],
    [`{__name__="http_server_request_duration_seconds_sum", http_route="/cart", ${TARGET}, ${SCOPE}}`, 0.001 + 0.05 + 0.07 + 3],
    [`{__name__="http_server_requests_total", http_request_method="GET", http_response_status_code="200", ${TARGET}, ${SCOPE}}`, 5],
    [`{__name__="http_server_requests_total", http_request_method="POST", http_response_status_code="500", ${TARGET}, ${SCOPE}}`, 1],
    [`{__name__="network_io_bytes_total", direction="rx", ${TARGET}, ${SCOPE}}`, 1500],
    [`{__name__="room_temperature_celsius", ${TARGET}, ${SCOPE}, room="lab"}`, 21.5],
    [`{__name__="system_cpu_utilization_ratio", cpu_id="0", ${TARGET}, ${SCOPE}}`, 0.25],
    [`{__name__="system_cpu_utilization_ratio", cpu_id="1", ${TARGET}, ${SCOPE}}`, 0.75],
    [`{__name__="target_info", host_name="node-1", ${TARGET}, k8s_pod_labels="[\\"a\\",\\"b\\"]"}`, 1],
  ];
  return new Map(rows.map(([k, v]) => [k, [[t, v]]]));
}

describe('OTLP metrics from the OpenTelemetry JS SDK', () => {
  it('decodes the protobuf export into Prometheus series, labels, values and timestamps', async () => {
    const { metrics, timeMs } = await record();
    const d = decodeExportMetricsServiceRequest(ProtobufMetricsSerializer.serializeRequest(metrics)!);
    assert.deepEqual(batchProblems(d.batch), []);
    assert.deepEqual(listSeries(d.batch), expectedSeries(timeMs));
    assert.equal(d.rejectedDataPoints, 1);
    assert.equal(d.rejectMessage, '1 data point rejected: metric "payload.size": exponential histograms are not stored yet (no native histograms)');
  });

  it('fills metadata with the Prometheus family name, type, description and unit', async () => {
    const { metrics } = await record();
    const d = decodeExportMetricsServiceRequest(ProtobufMetricsSerializer.serializeRequest(metrics)!);
    assert.deepEqual(
      [...d.batch.metadata].sort((a, b) => (a.metric < b.metric ? -1 : 1)),
      [
        { metric: 'http_server_active_requests', type: 'gauge', help: '', unit: '{request}' },
        { metric: 'http_server_request_duration_seconds', type: 'histogram', help: 'Duration', unit: 's' },
        { metric: 'http_server_requests_total', type: 'counter', help: 'Requests served', unit: '{request}' },
        { metric: 'network_io_bytes_total', type: 'counter', help: '', unit: 'By' },
        { metric: 'room_temperature_celsius', type: 'gauge', help: '', unit: 'Cel' },
        { metric: 'system_cpu_utilization_ratio', type: 'gauge', help: '', unit: '1' },
        { metric: 'target_info', type: 'gauge', help: 'Target metadata', unit: '' },
      ],
    );
  });

  it('decodes the JSON export to exactly the batch the protobuf export gives', async () => {
    const { metrics } = await record();
    const fromProto = decodeExportMetricsServiceRequest(ProtobufMetricsSerializer.serializeRequest(metrics)!);
    const fromJson = decodeOtlpJsonMetrics(JsonMetricsSerializer.serializeRequest(metrics)!);
    assert.deepEqual(fromJson, fromProto);
  });

  it('rejects delta sums and histograms, as Prometheus does by default, and keeps gauges', async () => {
    const { metrics, timeMs } = await record({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
    for (const d of [
      decodeExportMetricsServiceRequest(ProtobufMetricsSerializer.serializeRequest(metrics)!),
      decodeOtlpJsonMetrics(JsonMetricsSerializer.serializeRequest(metrics)!),
    ]) {
      const names = [...listSeries(d.batch).keys()].map((k) => /__name__="([^"]+)"/.exec(k)![1]);
      assert.deepEqual([...new Set(names)].sort(), ['room_temperature_celsius', 'system_cpu_utilization_ratio', 'target_info']);
      // 2 request counters, 1 byte counter, 1 up-down counter, 1 histogram, 1 exponential histogram
      assert.equal(d.rejectedDataPoints, 6);
      assert.match(d.rejectMessage, /^6 data points rejected: metric "[^"]+": (delta temporality is not supported|exponential histograms)/);
      assert.deepEqual(listSeries(d.batch).get(`{__name__="room_temperature_celsius", ${TARGET}, ${SCOPE}, room="lab"}`), [[timeMs, 21.5]]);
    }
  });

  it('adds the SDK default resource attributes to target_info only', async () => {
    const reader = new ManualReader();
    const provider = new MeterProvider({
      resource: defaultResource().merge(resourceFromAttributes({ 'service.name': 'svc' })),
      readers: [reader],
    });
    provider.getMeter('m').createCounter('c').add(1);
    const { resourceMetrics } = await reader.collect();
    await provider.shutdown();
    const d = decodeExportMetricsServiceRequest(ProtobufMetricsSerializer.serializeRequest(resourceMetrics)!);
    const keys = [...listSeries(d.batch).keys()];
    assert.deepEqual(keys[0], '{__name__="c_total", job="svc", otel_scope_name="m"}');
    assert.match(keys[1]!, /^\{__name__="target_info", job="svc", telemetry_sdk_language="nodejs", telemetry_sdk_name="opentelemetry", telemetry_sdk_version="[^"]+"\}$/);
  });

  it('throws DecodeError on every truncation of the SDK export that breaks a message', async () => {
    const { metrics } = await record();
    const body = ProtobufMetricsSerializer.serializeRequest(metrics)!;
    let refused = 0;
    for (let cut = 1; cut < body.length; cut++) {
      try {
        assert.deepEqual(batchProblems(decodeExportMetricsServiceRequest(body.subarray(0, cut)).batch), []);
      } catch (e) {
        assert.ok(e instanceof DecodeError, `cut at ${cut}: ${String(e)}`);
        assert.match(e.message, /^otlp-metrics-proto: .* at offset \d+/);
        refused++;
      }
    }
    // one ResourceMetrics: every cut but the full length breaks it
    assert.equal(refused, body.length - 1);
  });
});
