// Metrics recorded with the real OpenTelemetry JS SDK and sent by its real
// OTLP exporters (protobuf, JSON, gRPC) are queryable with PromQL under the
// names Prometheus's own OTLP translation gives them.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as GrpcExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { eventually, getJson, startTestServer, type TestServer } from '../helpers/test-server.js';

/** Records a counter, a histogram and a gauge under `service`, exports once. */
async function record(exporter: PushMetricExporter, service: string): Promise<void> {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': `${service}-1`, 'host.name': 'box-1' }),
    readers: [reader],
  });
  const meter = provider.getMeter('metrics-test', '1.0.0');
  const requests = meter.createCounter('http.server.requests', { description: 'requests served' });
  requests.add(3, { 'http.route': '/a' });
  requests.add(5, { 'http.route': '/b' });
  const latency = meter.createHistogram('http.server.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 0.5, 1] } });
  for (const v of [0.05, 0.2, 0.3, 0.7, 2]) latency.record(v, { 'http.route': '/a' });
  const queue = meter.createGauge('queue.depth');
  queue.record(42);
  await provider.forceFlush();
  await provider.shutdown();
}

async function promQuery(server: TestServer, query: string): Promise<any[]> {
  const r = await getJson(`${server.apiUrl}/api/v1/query?${new URLSearchParams({ query })}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.data.result;
}

describe('OTLP metrics from the real OpenTelemetry SDK', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.dispose();
  });

  const cases: [string, () => PushMetricExporter][] = [
    ['protobuf', () => new ProtoExporter({ url: `${server.otlpUrl}/v1/metrics` })],
    ['json', () => new JsonExporter({ url: `${server.otlpUrl}/v1/metrics` })],
    ['grpc', () => new GrpcExporter({ url: server.grpcUrl })],
  ];
  for (const [name, make] of cases) {
    it(`stores counters, histograms and gauges sent over OTLP ${name}`, async () => {
      const service = `svc-${name}`;
      await record(make(), service);
      const counter = await eventually(async () => {
        const r = await promQuery(server, `http_server_requests_total{job="${service}"}`);
        return r.length === 2 ? r : undefined;
      }, 10_000, `${name} counter`);
      const byRoute = Object.fromEntries(counter.map((s: any) => [s.metric.http_route, s.value[1]]));
      assert.deepEqual(byRoute, { '/a': '3', '/b': '5' });
      assert.equal(counter[0].metric.instance, `${service}-1`);
      const buckets = await promQuery(server, `http_server_duration_seconds_bucket{job="${service}"}`);
      const byLe = Object.fromEntries(buckets.map((s: any) => [s.metric.le, s.value[1]]));
      assert.deepEqual(byLe, { '0.1': '1', '0.5': '3', '1': '4', '+Inf': '5' });
      assert.equal((await promQuery(server, `http_server_duration_seconds_count{job="${service}"}`))[0].value[1], '5');
      assert.equal(Number((await promQuery(server, `http_server_duration_seconds_sum{job="${service}"}`))[0].value[1]).toFixed(2), '3.25');
      assert.equal((await promQuery(server, `queue_depth{job="${service}"}`))[0].value[1], '42');
      const info = await promQuery(server, `target_info{job="${service}"}`);
      assert.equal(info[0]?.metric.host_name, 'box-1');
      const q = await promQuery(server, `histogram_quantile(0.5, http_server_duration_seconds_bucket{job="${service}"})`);
      assert.ok(Number(q[0].value[1]) > 0.1 && Number(q[0].value[1]) <= 0.5);
    });
  }
});
