import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatFloatLabel, prometheusLabelName, prometheusMetricName, type MetricKind } from './prometheus-names.js';

describe('prometheusMetricName', () => {
  const cases: [string, string, MetricKind, string][] = [
    ['http.server.request.duration', 's', 'histogram', 'http_server_request_duration_seconds'],
    ['system.memory.usage', 'By', 'non-monotonic-counter', 'system_memory_usage_bytes'],
    ['http.server.requests', '{request}', 'monotonic-counter', 'http_server_requests_total'],
    ['requests_total', '', 'monotonic-counter', 'requests_total'],
    ['total.requests', '', 'monotonic-counter', 'requests_total'],
    ['system.cpu.utilization', '1', 'gauge', 'system_cpu_utilization_ratio'],
    ['cache.hit_ratio', '1', 'gauge', 'cache_hit_ratio'],
    ['ratio.of.things', '1', 'gauge', 'of_things_ratio'],
    ['errors', '1', 'monotonic-counter', 'errors_total'],
    ['network.io', 'By/s', 'gauge', 'network_io_bytes_per_second'],
    ['packets', '{packet}/s', 'monotonic-counter', 'packets_per_second_total'],
    ['speed', 'm/s', 'gauge', 'speed_meters_per_second'],
    ['disk.time_seconds', 's', 'monotonic-counter', 'disk_time_seconds_total'],
    ['memory', 'TiBy', 'gauge', 'memory_tebibytes'],
    ['temperature', 'Cel', 'gauge', 'temperature_celsius'],
    ['load', '%', 'gauge', 'load_percent'],
    ['weird', 'my unit', 'gauge', 'weird_my_unit'],
    ['per.thing', 'widgets/fortnight', 'gauge', 'per_thing_widgets_per_fortnight'],
    ['2xx.responses', '', 'monotonic-counter', '_2xx_responses_total'],
    ['a..b--c__d', '', 'gauge', 'a_b_c_d'],
    ['ns:metric.name', '', 'gauge', 'ns:metric_name'],
    ['größe', 'By', 'gauge', 'gr_e_bytes'],
    ['...', '', 'gauge', ''],
    ['', 's', 'gauge', 'seconds'],
  ];
  for (const [name, unit, kind, expected] of cases) {
    it(`names ${JSON.stringify(name)} with unit ${JSON.stringify(unit)} as a ${kind} ${JSON.stringify(expected)}`, () => {
      assert.equal(prometheusMetricName(name, unit, kind), expected);
    });
  }
});

describe('prometheusLabelName', () => {
  it('escapes invalid characters and prefixes a digit or a single leading underscore', () => {
    const cases: [string, string][] = [
      ['http.request.method', 'http_request_method'],
      ['k8s.pod-name', 'k8s_pod_name'],
      ['0day', 'key_0day'],
      ['_private', 'key_private'],
      ['__reserved', '__reserved'],
      ['__', '__'],
      ['.', 'key_'],
      ['..', ''],
      ['', ''],
      ['ünïcode', 'key_n_code'],
      ['emoji😀', 'emoji_'],
    ];
    for (const [key, expected] of cases) assert.equal(prometheusLabelName(key), expected, key);
  });
});

describe('formatFloatLabel', () => {
  it('writes shortest round-trip digits without an exponent, as Go formats le and quantile', () => {
    const cases: [number, string][] = [
      [0.005, '0.005'],
      [1, '1'],
      [2.5, '2.5'],
      [1e-7, '0.0000001'],
      [1.25e-10, '0.000000000125'],
      [1e21, '1000000000000000000000'],
      [1.5e22, '15000000000000000000000'],
      [-3.25e-8, '-0.0000000325'],
      [123456789012345680000, '123456789012345680000'],
      [0, '0'],
      [-0, '-0'],
      [Infinity, '+Inf'],
      [-Infinity, '-Inf'],
      [NaN, 'NaN'],
    ];
    for (const [x, expected] of cases) assert.equal(formatFloatLabel(x), expected, String(x));
  });
});
