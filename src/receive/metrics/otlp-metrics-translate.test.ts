// Edge cases of the OTLP → Prometheus translation. Each request is written as
// OTLP/JSON and as protobuf (metrics-test-helpers.ts); both decoders must give
// the same batch, which is then checked.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../../model/errors.js';
import { STALE_NAN_BITS_HI, STALE_NAN_BITS_LO } from '../../model/sample-batch.js';
import { ProtoWriter } from '../protobuf-writer.js';
import { batchProblems, encodeMetricsRequest, listSeries } from './metrics-test-helpers.js';
import { decodeExportMetricsServiceRequest } from './otlp-metrics-decode.js';
import { decodeOtlpJsonMetrics } from './otlp-metrics-json-decode.js';
import type { DecodedMetrics } from './otlp-metrics-translate.js';

type Json = Record<string, unknown>;

const T = '1700000000123456789'; // ns
const T_MS = 1700000000123;

function decodeBoth(request: Json): DecodedMetrics {
  const fromJson = decodeOtlpJsonMetrics(JSON.stringify(request));
  const fromProto = decodeExportMetricsServiceRequest(encodeMetricsRequest(request));
  assert.deepEqual(fromProto, fromJson);
  assert.deepEqual(batchProblems(fromProto.batch), []);
  return fromProto;
}

function attrs(o: Record<string, unknown>): Json[] {
  return Object.entries(o).map(([key, value]) => ({ key, value: typeof value === 'string' ? { stringValue: value } : value }));
}

function request(metrics: Json[], resource: Record<string, unknown> = { 'service.name': 'svc' }, scope: Json = {}): Json {
  return { resourceMetrics: [{ resource: { attributes: attrs(resource) }, scopeMetrics: [{ scope, metrics }] }] };
}

function gauge(name: string, points: Json[], unit = ''): Json {
  return { name, unit, gauge: { dataPoints: points } };
}

function series(d: DecodedMetrics): Map<string, [number, number][]> {
  const all = listSeries(d.batch);
  for (const k of all.keys()) if (k.startsWith('{__name__="target_info"')) all.delete(k);
  return all;
}

function isStale(d: DecodedMetrics, i: number): boolean {
  const v = d.batch.sampleValue;
  const halves = new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
  return halves[2 * i] === STALE_NAN_BITS_LO && halves[2 * i + 1] === STALE_NAN_BITS_HI;
}

describe('OTLP number points', () => {
  it('converts nanoseconds to milliseconds by truncation, exactly, from strings and bare numbers', () => {
    const d = decodeBoth(request([gauge('g', [
      { timeUnixNano: T, asDouble: 1 },
      { timeUnixNano: '999999', asDouble: 2 },
      { timeUnixNano: '18446744073709551615', asDouble: 3 },
    ])]));
    assert.deepEqual([...d.batch.sampleTimeMs], [T_MS, 0, 18446744073709]);
    const bare = decodeOtlpJsonMetrics(`{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"g","gauge":{"dataPoints":[{"timeUnixNano":${T},"asDouble":1}]}}]}]}]}`);
    assert.deepEqual([...bare.batch.sampleTimeMs], [T_MS]);
  });

  it('reads int values as the nearest double and doubles including non-finite ones', () => {
    const d = decodeBoth(request([gauge('g', [
      { timeUnixNano: T, asInt: '-42', attributes: attrs({ k: 'a' }) },
      { timeUnixNano: T, asInt: '9223372036854775807', attributes: attrs({ k: 'b' }) },
      { timeUnixNano: T, asDouble: 'Infinity', attributes: attrs({ k: 'c' }) },
      { timeUnixNano: T, asDouble: '-Infinity', attributes: attrs({ k: 'd' }) },
      { timeUnixNano: T, attributes: attrs({ k: 'e' }) },
    ])]));
    assert.deepEqual([...series(d).values()].map((s) => s[0]![1]), [-42, 9223372036854775807, Infinity, -Infinity, 0]);
  });

  it('writes the staleness marker for a point flagged as having no recorded value', () => {
    const d = decodeBoth(request([gauge('g', [{ timeUnixNano: T, asDouble: 5, flags: 1 }, { timeUnixNano: T, asDouble: 6, flags: 2, attributes: attrs({ x: 'y' }) }])]));
    assert.ok(isStale(d, 0));
    assert.equal(d.batch.sampleValue[1], 6);
  });

  it('merges points of one series into one series with several samples', () => {
    const d = decodeBoth(request([gauge('g', [{ timeUnixNano: '1000000', asDouble: 1 }, { timeUnixNano: '2000000', asDouble: 2 }])]));
    assert.deepEqual([...series(d)], [['{__name__="g", job="svc"}', [[1, 1], [2, 2]]]]);
  });

  it('keeps cumulative sums, monotonic ones as counters with _total, and rejects delta and unspecified ones', () => {
    const d = decodeBoth(request([
      { name: 'requests', sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE', isMonotonic: true, dataPoints: [{ timeUnixNano: T, asInt: '7' }] } },
      { name: 'queue.depth', unit: '{item}', sum: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: T, asInt: '3' }] } },
      { name: 'deltas', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ timeUnixNano: T, asInt: '1' }, { timeUnixNano: T, asInt: '2' }] } },
      { name: 'unspecified', sum: { dataPoints: [{ timeUnixNano: T, asInt: '1' }] } },
    ]));
    assert.deepEqual([...series(d).keys()], ['{__name__="queue_depth", job="svc"}', '{__name__="requests_total", job="svc"}']);
    assert.equal(d.rejectedDataPoints, 3);
    assert.equal(
      d.rejectMessage,
      '3 data points rejected: metric "deltas": delta temporality is not supported; send cumulative (e.g. the collector\'s deltatocumulative processor)',
    );
    assert.deepEqual(d.batch.metadata.map((m) => `${m.metric}:${m.type}`), ['requests_total:counter', 'queue_depth:gauge']);
  });
});

describe('OTLP histograms and summaries', () => {
  it('writes cumulative _bucket series with le, a +Inf bucket equal to count, _sum and _count', () => {
    const d = decodeBoth(request([{
      name: 'latency', unit: 'ms',
      histogram: {
        aggregationTemporality: 2,
        dataPoints: [{ timeUnixNano: T, count: '10', sum: 123.5, bucketCounts: ['1', '2', '3', '4'], explicitBounds: [1e-7, 0.5, 1e21] }],
      },
    }]));
    const b = '__name__="latency_milliseconds_bucket", job="svc"';
    assert.deepEqual([...series(d)], [
      [`{${b}, le="+Inf"}`, [[T_MS, 10]]],
      [`{${b}, le="0.0000001"}`, [[T_MS, 1]]],
      [`{${b}, le="0.5"}`, [[T_MS, 3]]],
      [`{${b}, le="1000000000000000000000"}`, [[T_MS, 6]]],
      ['{__name__="latency_milliseconds_count", job="svc"}', [[T_MS, 10]]],
      ['{__name__="latency_milliseconds_sum", job="svc"}', [[T_MS, 123.5]]],
    ]);
    assert.deepEqual(d.batch.metadata[0], { metric: 'latency_milliseconds', type: 'histogram', help: '', unit: 'ms' });
  });

  it('leaves out _sum when the histogram has none, and marks every series stale for a flagged point', () => {
    const d = decodeBoth(request([{
      name: 'h',
      histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: T, count: '2', bucketCounts: ['2', '0'], explicitBounds: [1], flags: 1 }] },
    }]));
    assert.deepEqual([...series(d).keys()], [
      '{__name__="h_bucket", job="svc", le="+Inf"}',
      '{__name__="h_bucket", job="svc", le="1"}',
      '{__name__="h_count", job="svc"}',
    ]);
    for (let i = 0; i < d.batch.sampleCount; i++) assert.ok(isStale(d, i), `sample ${i}`);
  });

  it('replaces an attribute named le or __name__ rather than duplicating it, and still merges repeated points', () => {
    const p = (ns: string): Json => ({ timeUnixNano: ns, count: '1', sum: 1, attributes: attrs({ le: 'x', __name__: 'y' }) });
    const d = decodeBoth(request([{ name: 'h', histogram: { aggregationTemporality: 2, dataPoints: [p('1000000'), p('2000000')] } }]));
    const twice: [number, number][] = [[1, 1], [2, 1]];
    assert.deepEqual([...series(d)], [
      ['{__name__="h_bucket", job="svc", le="+Inf"}', twice],
      ['{__name__="h_count", job="svc", le="x"}', twice],
      ['{__name__="h_sum", job="svc", le="x"}', twice],
    ]);
  });

  it('writes summaries as quantile series plus _sum and _count', () => {
    const d = decodeBoth(request([{
      name: 'rpc.duration', unit: 's',
      summary: { dataPoints: [{ timeUnixNano: T, count: '4', sum: 2.5, quantileValues: [{ quantile: 0.5, value: 0.4 }, { quantile: 0.99, value: 1.9 }, { quantile: 1, value: 2 }] }] },
    }]));
    assert.deepEqual([...series(d)], [
      ['{__name__="rpc_duration_seconds", job="svc", quantile="0.5"}', [[T_MS, 0.4]]],
      ['{__name__="rpc_duration_seconds", job="svc", quantile="0.99"}', [[T_MS, 1.9]]],
      ['{__name__="rpc_duration_seconds", job="svc", quantile="1"}', [[T_MS, 2]]],
      ['{__name__="rpc_duration_seconds_count", job="svc"}', [[T_MS, 4]]],
      ['{__name__="rpc_duration_seconds_sum", job="svc"}', [[T_MS, 2.5]]],
    ]);
    assert.equal(d.batch.metadata[0]!.type, 'summary');
  });

  it('rejects exponential histogram points with a reason', () => {
    const d = decodeBoth(request([{ name: 'exp', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: T }, { timeUnixNano: T }] } }]));
    assert.equal(d.batch.sampleCount, 0);
    assert.equal(d.rejectMessage, '2 data points rejected: metric "exp": exponential histograms are not stored yet (no native histograms)');
  });
});

describe('OTLP labels', () => {
  it('sanitises attribute keys and joins the values of keys that collide, in key order', () => {
    const d = decodeBoth(request([gauge('g', [{ timeUnixNano: T, asDouble: 1, attributes: attrs({ 'a_b': 'under', 'a.b': 'dot', '0day': 'z', '_x': 'w', '__meta': 'm' }) }])]));
    assert.deepEqual([...series(d).keys()], ['{__meta="m", __name__="g", a_b="dot;under", job="svc", key_0day="z", key_x="w"}']);
  });

  it('writes attribute values of every type as Prometheus does', () => {
    const d = decodeBoth(request([gauge('g', [{
      timeUnixNano: T,
      asDouble: 1,
      attributes: attrs({
        int: { intValue: '-9007199254740993' },
        dbl: { doubleValue: 1e-7 },
        big: { doubleValue: 1e21 },
        yes: { boolValue: true },
        raw: { bytesValue: 'AQID' },
        arr: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }, {}, { boolValue: false }] } },
        map: { kvlistValue: { values: [{ key: 'z', value: { doubleValue: 1.5 } }, { key: 'a', value: { stringValue: 'q' } }] } },
        none: {},
      }),
    }])]));
    assert.deepEqual([...series(d).keys()], [
      '{__name__="g", arr="[\\"a\\",1,null,false]", big="1e+21", dbl="1e-7", int="-9007199254740993", job="svc", map="{\\"a\\":\\"q\\",\\"z\\":1.5}", raw="AQID", yes="true"}',
    ]);
  });

  it('adds scope name, version, schema URL and attributes, and job and instance from the resource, over attributes', () => {
    const d = decodeBoth(request(
      [gauge('g', [{ timeUnixNano: T, asDouble: 1, attributes: attrs({ job: 'mine', otel_scope_name: 'mine', region: 'eu' }) }])],
      { 'service.name': 'api', 'service.namespace': 'prod', 'service.instance.id': 'i-1' },
      { name: 'lib', version: '1.0', attributes: attrs({ 'lib.flavour': 'x' }) },
    ));
    assert.deepEqual([...series(d).keys()], ['{__name__="g", instance="i-1", job="prod/api", otel_scope_lib_flavour="x", otel_scope_name="lib", otel_scope_version="1.0", region="eu"}']);
    const schema = decodeBoth({ resourceMetrics: [{ scopeMetrics: [{ scope: { name: 'lib' }, schemaUrl: 'https://s/1', metrics: [gauge('g', [{ timeUnixNano: T, asDouble: 1 }])] }] }] });
    assert.deepEqual([...listSeries(schema.batch).keys()], ['{__name__="g", otel_scope_name="lib", otel_scope_schema_url="https://s/1"}']);
  });

  it('rejects points of a metric whose name or attribute key leaves nothing valid', () => {
    const d = decodeBoth(request([
      gauge('...', [{ timeUnixNano: T, asDouble: 1 }]),
      gauge('ok', [{ timeUnixNano: T, asDouble: 1, attributes: attrs({ '..': 'x' }) }, { timeUnixNano: T, asDouble: 2, attributes: attrs({ '.': 'y' }) }]),
    ]));
    assert.equal(d.rejectedDataPoints, 2);
    assert.equal(d.rejectMessage, '2 data points rejected: metric "...": the name leaves no valid Prometheus metric name');
    assert.deepEqual([...series(d)], [['{__name__="ok", job="svc", key_="y"}', [[T_MS, 2]]]]);
  });
});

describe('target_info', () => {
  const point = (ns: string): Json => ({ timeUnixNano: ns, asDouble: 1 });

  it('carries the non-identifying resource attributes, one sample every 2.5 minutes from the first to the last point', () => {
    const d = decodeBoth(request([gauge('g', [point('1000000000'), point('400000000000')])], { 'service.name': 'api', 'host.name': 'h', 'os.type': 'linux' }));
    assert.deepEqual(listSeries(d.batch).get('{__name__="target_info", host_name="h", job="api", os_type="linux"}'), [
      [1000, 1],
      [151000, 1],
      [301000, 1],
      [400000, 1],
    ]);
  });

  it('covers at most the last 2 hours of a wide spread of point times', () => {
    const d = decodeBoth(request([gauge('g', [point('0'), point('18446744073709551615')])], { 'service.name': 'api', 'host.name': 'h' }));
    const samples = listSeries(d.batch).get('{__name__="target_info", host_name="h", job="api"}')!;
    assert.equal(samples.length, 48);
    const last = 18446744073709;
    assert.deepEqual(samples.at(-1), [last, 1]);
    assert.ok(samples[0]![0] > last - 48 * 150_000 && samples[0]![0] % 150_000 === 0);
  });

  it('is left out without job or instance, without other attributes, or without stored points', () => {
    for (const resource of [{ 'host.name': 'h' }, { 'service.name': 'api', 'service.instance.id': 'i' }]) {
      const d = decodeBoth(request([gauge('g', [point(T)])], resource));
      assert.equal([...listSeries(d.batch).keys()].filter((k) => k.includes('target_info')).length, 0);
    }
    const rejected = decodeBoth(request([{ name: 'e', exponentialHistogram: { dataPoints: [point(T)] } }], { 'service.name': 'a', 'host.name': 'h' }));
    assert.equal(rejected.batch.seriesCount, 0);
    const onlyInstance = decodeBoth(request([gauge('g', [point(T)])], { 'service.instance.id': 'i', 'host.name': 'h' }));
    assert.ok(listSeries(onlyInstance.batch).has('{__name__="target_info", host_name="h", instance="i"}'));
  });
});

describe('malformed OTLP metrics', () => {
  it('names the JSON path of a wrong shape', () => {
    const cases: [unknown, string][] = [
      [{ resourceMetrics: {} }, 'otlp-metrics-json: resourceMetrics: expected array, got object'],
      [request([gauge('g', [{ timeUnixNano: 'soon' }])]), 'otlp-metrics-json: resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].timeUnixNano: expected integer string, got "soon"'],
      [request([{ name: 'h', histogram: { dataPoints: [{ bucketCounts: [1, 'x'] }] } }]), 'otlp-metrics-json: resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].bucketCounts[1]: expected integer string, got "x"'],
      [request([{ name: 's', sum: { isMonotonic: 'yes', dataPoints: [] } }]), 'otlp-metrics-json: resourceMetrics[0].scopeMetrics[0].metrics[0].sum.isMonotonic: expected boolean, got "yes"'],
      [request([gauge('g', [{ attributes: [{ key: 'k', value: { intValue: 1.5 } }] }])]), 'otlp-metrics-json: resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].attributes[0].value.intValue: expected integer, got 1.5'],
    ];
    for (const [body, message] of cases) assert.throws(() => decodeOtlpJsonMetrics(JSON.stringify(body)), { code: 'decode', message });
    assert.throws(() => decodeOtlpJsonMetrics('{'), { code: 'decode', message: /^otlp-metrics-json: body is not valid JSON/ });
    assert.throws(() => decodeOtlpJsonMetrics(Uint8Array.from([0x7b, 0xff, 0x7d])), { code: 'decode', message: 'otlp-metrics-json: body is not valid UTF-8' });
  });

  it('refuses a known protobuf field with the wrong wire type and reads fields in any order', () => {
    const w = new ProtoWriter();
    w.tag(8); // resource_metrics as a varint
    w.uint32(1);
    assert.throws(() => decodeExportMetricsServiceRequest(w.toBytes()), DecodeError);
    // a Metric whose gauge comes before its name
    const m = new ProtoWriter();
    m.tag(10);
    const rm = m.begin(1);
    m.tag(18);
    const sm = m.begin(1);
    m.tag(18);
    const metric = m.begin(1);
    m.tag(42);
    const g = m.begin(1);
    m.tag(10);
    const p = m.begin(1);
    m.tag(33);
    m.double(4.5);
    m.tag(25);
    m.fixed64(0x5f5e100, 0); // 100_000_000 ns
    m.finish(p, 1);
    m.finish(g, 1);
    m.tag(10);
    m.string('late.name');
    m.finish(metric, 1);
    m.finish(sm, 1);
    m.finish(rm, 1);
    assert.deepEqual([...listSeries(decodeExportMetricsServiceRequest(m.toBytes()).batch)], [['{__name__="late_name"}', [[100, 4.5]]]]);
  });
});
