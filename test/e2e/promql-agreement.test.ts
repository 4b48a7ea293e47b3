// Asks a real Prometheus (Debian 12's 2.42) and marquetry's evaluator the
// same instant and range queries over the same samples, and requires the
// same series with values within 1e-9 relative. Needs the Debian package
// `prometheus` (/usr/bin/prometheus).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePromql } from '../../src/tsdb/promql/parser.js';
import { evaluateInstant, evaluateRange } from '../../src/tsdb/promql/engine.js';
import { MemoryQueryable, type MemorySeries } from '../../src/tsdb/promql/engine-memory-storage.js';
import { PromqlExecutionError, type PromQueryData } from '../../src/tsdb/promql/engine-types.js';
import { startPrometheus, type PrometheusApiAnswer, type RunningPrometheus } from '../helpers/prometheus.js';
import { seededRandom } from '../../src/model/seeded-random.js';
import type { Queryable } from '../../src/tsdb/promql/engine-types.js';
import { MetricsStore } from '../../src/tsdb/metrics-store.js';
import { batchOf, TEST_WAL_TYPE, testStoreOptions, withDataDir } from '../../src/tsdb/store-test-helpers.js';
import type { SampleBatch } from '../../src/model/sample-batch.js';

/** 2023-11-14T22:00:00Z; the data spans one hour from here. */
const T0 = 1_699_999_200_000;
const MIN = 60_000;

type Sample = readonly [number, number | 'stale'];

function dataset(): MemorySeries[] {
  const r = seededRandom(42);
  const out: MemorySeries[] = [];
  const every = (fromMin: number, toMin: number, stepMs: number, f: (t: number, i: number) => number | 'stale' | null, jitterMs = 0): Sample[] => {
    const samples: Sample[] = [];
    let i = 0;
    for (let t = T0 + fromMin * MIN; t <= T0 + toMin * MIN; t += stepMs, i++) {
      const jitter = jitterMs === 0 ? 0 : Math.round((r() - 0.5) * 2 * jitterMs);
      const v = f(t, i);
      if (v !== null) samples.push([t + jitter, v]);
    }
    return samples;
  };
  const counter = (labels: Record<string, string>, fromMin: number, toMin: number, stepMs: number, resetsAt: number[], jitterMs = 0, staleAfter = false): void => {
    let value = Math.floor(r() * 100);
    const samples = every(fromMin, toMin, stepMs, (t) => {
      if (resetsAt.some((m) => t >= T0 + m * MIN && t < T0 + m * MIN + stepMs)) value = Math.floor(r() * 3);
      else value += Math.floor(r() * 20);
      return value;
    }, jitterMs);
    if (staleAfter) samples.push([T0 + toMin * MIN + stepMs, 'stale']);
    out.push({ labels, samples });
  };
  counter({ __name__: 'http_requests_total', job: 'api', instance: 'a', code: '200' }, 0, 60, 15_000, [30]);
  counter({ __name__: 'http_requests_total', job: 'api', instance: 'b', code: '200' }, 0, 60, 15_000, [], 2_000);
  counter({ __name__: 'http_requests_total', job: 'api', instance: 'a', code: '500' }, 10, 50, 15_000, [], 0, true);
  counter({ __name__: 'http_requests_total', job: 'web', instance: 'c', code: '200' }, 0, 60, 30_000, [12, 41]);

  let kitchen = 20;
  out.push({ labels: { __name__: 'temperature_celsius', room: 'kitchen' }, samples: every(0, 60, 15_000, () => (kitchen += r() - 0.5)) });
  out.push({
    labels: { __name__: 'temperature_celsius', room: 'garage' },
    samples: every(0, 60, 15_000, (_t, i) => (i === 50 ? Infinity : i % 37 === 5 ? NaN : Math.round(r() * 300) / 10)),
  });
  out.push({
    labels: { __name__: 'temperature_celsius', room: 'attic' },
    samples: every(0, 60, 60_000, (t) => (t > T0 + 20 * MIN && t < T0 + 28 * MIN) || (t > T0 + 40 * MIN && t < T0 + 43 * MIN) ? null : 15 + Math.round(r() * 10)),
  });
  out.push({ labels: { __name__: 'temperature_celsius', room: 'cellar' }, samples: every(0, 60, 15_000, () => 12.5) });

  // Classic histograms: api consistent, web with a non-monotonic bucket, batch without +Inf, idle empty.
  const histogram = (job: string, bounds: string[], breakMonotonic: boolean, zero: boolean): void => {
    const counts = bounds.map(() => 0);
    const series = bounds.map(() => [] as Sample[]);
    const sums: Sample[] = [];
    let sum = 0;
    for (let t = T0; t <= T0 + 60 * MIN; t += 15_000) {
      if (!zero) {
        for (let n = Math.floor(r() * 8); n > 0; n--) {
          const x = r() * r() * 2;
          sum += x;
          bounds.forEach((b, i) => {
            if (x <= Number(b === '+Inf' ? Infinity : b)) counts[i]!++;
          });
        }
      }
      bounds.forEach((_b, i) => {
        const c = breakMonotonic && i === 2 ? Math.max(0, counts[i]! - 3) : counts[i]!;
        series[i]!.push([t, c]);
      });
      sums.push([t, sum]);
    }
    bounds.forEach((le, i) => out.push({ labels: { __name__: 'request_duration_seconds_bucket', job, le }, samples: series[i]! }));
    out.push({ labels: { __name__: 'request_duration_seconds_sum', job }, samples: sums });
    out.push({ labels: { __name__: 'request_duration_seconds_count', job }, samples: series[bounds.length - 1]! });
  };
  histogram('api', ['0.05', '0.1', '0.5', '1', '+Inf'], false, false);
  histogram('web', ['0.1', '0.25', '0.5', '1', '2.5', '+Inf'], true, false);
  histogram('batch', ['0.1', '1', '10'], false, false);
  histogram('idle', ['0.1', '1', '+Inf'], false, true);

  // `up` with a staleness marker at 35m15s and the series back from 45m.
  out.push({
    labels: { __name__: 'up', job: 'api', instance: 'a' },
    samples: [...every(0, 35, 15_000, () => 1), [T0 + 35 * MIN + 15_000, 'stale'], ...every(45, 60, 15_000, () => 1)],
  });
  out.push({ labels: { __name__: 'up', job: 'api', instance: 'b' }, samples: every(0, 60, 15_000, () => 1, 1_500) });
  out.push({ labels: { __name__: 'up', job: 'web', instance: 'c' }, samples: every(0, 60, 15_000, (_t, i) => (i % 20 < 3 ? 0 : 1)) });

  out.push({ labels: { __name__: 'node_info', instance: 'a', version: '1.0' }, samples: every(0, 60, 60_000, () => 1) });
  out.push({ labels: { __name__: 'node_info', instance: 'b', version: '2.0' }, samples: every(0, 60, 60_000, () => 1) });
  out.push({ labels: { __name__: 'node_info', instance: 'c', version: '1.0' }, samples: every(0, 60, 60_000, () => 1) });

  const queues: Record<string, (i: number) => number> = {
    q1: () => 5,
    q2: (i) => (i % 4 === 0 ? 7 : 5),
    q3: () => 3,
    q4: () => 5,
    q5: (i) => (i % 10 === 0 ? NaN : 1),
    q6: (i) => i % 9,
  };
  for (const [queue, f] of Object.entries(queues)) {
    out.push({ labels: { __name__: 'queue_size', queue }, samples: every(0, 60, 30_000, (_t, i) => f(i)) });
  }

  out.push({ labels: { __name__: 'dup_a', x: '1', y: '1' }, samples: every(0, 60, 60_000, () => 1) });
  out.push({ labels: { __name__: 'dup_a', x: '1', y: '2' }, samples: every(0, 60, 60_000, () => 2) });
  out.push({ labels: { __name__: 'dup_b', x: '1' }, samples: every(0, 60, 60_000, () => 10) });
  return out;
}

const AT = (T0 + 20 * MIN) / 1000;

/** Queries asked as instant queries at several times and (if they return a vector or scalar) as range queries. */
const QUERIES: readonly string[] = [
  'http_requests_total',
  'rate(http_requests_total[5m])',
  'irate(http_requests_total[1m])',
  'increase(http_requests_total[10m])',
  'rate(http_requests_total[47s])',
  'delta(temperature_celsius[10m])',
  'idelta(temperature_celsius[5m])',
  'resets(http_requests_total[30m])',
  'changes(temperature_celsius[10m])',
  'deriv(temperature_celsius[10m])',
  'predict_linear(temperature_celsius[10m], 600)',
  'avg_over_time(temperature_celsius[10m])',
  'sum_over_time(temperature_celsius[10m])',
  'min_over_time(temperature_celsius[10m]) + max_over_time(temperature_celsius[10m])',
  'count_over_time(temperature_celsius[3m])',
  'last_over_time(up[10m])',
  'present_over_time(temperature_celsius[2m])',
  'stddev_over_time(temperature_celsius[10m])',
  'stdvar_over_time(http_requests_total[10m])',
  'quantile_over_time(0.9, temperature_celsius[10m])',
  'holt_winters(temperature_celsius[10m], 0.5, 0.3)',
  'absent_over_time(up{job="api",instance="a"}[1m])',
  'absent(nonexistent{job="x", a=~"b", c="d", c="e"})',
  'absent(up{job="api"})',
  'up',
  'up offset 5m',
  'http_requests_total offset -5m',
  `up @ ${AT}`,
  'up @ end()',
  `rate(http_requests_total[5m] @ ${AT})`,
  'timestamp(up)',
  `timestamp(up @ ${AT} offset 1m)`,
  'timestamp(-up)',
  'sum by (job) (rate(http_requests_total[5m]))',
  'sum without (instance) (http_requests_total)',
  'avg by (code) (http_requests_total)',
  'count by (job) (up) + min by (job) (up) * max by (job) (up)',
  'group by (instance) (http_requests_total)',
  'stddev(temperature_celsius) + stdvar(temperature_celsius)',
  'quantile(0.3, http_requests_total)',
  'quantile(1.5, http_requests_total)',
  'topk(2, rate(http_requests_total[5m]))',
  'bottomk(2, queue_size)',
  'topk(3, queue_size)',
  'count_values("value", queue_size)',
  'count_values without (queue) ("v", queue_size)',
  'http_requests_total / on(instance) group_left(version) node_info',
  'node_info * on(instance) group_right rate(http_requests_total[5m])',
  'up == 1',
  'up != bool 1',
  'temperature_celsius > 20',
  '20 < temperature_celsius',
  '2 ^ (temperature_celsius / 10)',
  'temperature_celsius % 3',
  '-temperature_celsius',
  'temperature_celsius / 0',
  '-temperature_celsius / 0',
  'temperature_celsius atan2 2',
  'up and on(instance) node_info',
  'up or node_info',
  'up unless on(job) http_requests_total{code="500"}',
  'http_requests_total{code="200"} - ignoring(code) http_requests_total{code="500"}',
  'up > on(instance) node_info',
  '1 + 2 * 3 ^ 2 % 5',
  'time() - 1700000000',
  'scalar(up{instance="b"})',
  'scalar(up)',
  'vector(time())',
  'histogram_quantile(0.9, request_duration_seconds_bucket)',
  'histogram_quantile(0.5, rate(request_duration_seconds_bucket[5m]))',
  'histogram_quantile(0.99, sum by (le, job) (rate(request_duration_seconds_bucket[10m])))',
  'histogram_quantile(-1, request_duration_seconds_bucket)',
  'histogram_quantile(0, request_duration_seconds_bucket)',
  'histogram_quantile(1, request_duration_seconds_bucket)',
  'label_replace(up, "host", "$1-x${2}", "instance", "(.)(.*)")',
  'label_replace(up, "instance", "", "job", "web")',
  'label_join(up, "combo", "/", "job", "instance")',
  'clamp(temperature_celsius, 10, 20)',
  'clamp_min(temperature_celsius, 20) - clamp_max(temperature_celsius, 20)',
  'round(temperature_celsius, 0.5)',
  'round(temperature_celsius)',
  'abs(-temperature_celsius) + ceil(temperature_celsius) - floor(temperature_celsius)',
  'sqrt(temperature_celsius) + ln(temperature_celsius) + log2(temperature_celsius) + log10(temperature_celsius)',
  'exp(temperature_celsius / 10)',
  'sgn(temperature_celsius - 20)',
  'deg(temperature_celsius) + rad(temperature_celsius)',
  'sin(temperature_celsius) + cos(temperature_celsius) + tanh(temperature_celsius / 30)',
  'day_of_month() + hour() + minute() + month() + year() + day_of_week() + day_of_year() + days_in_month()',
  'minute(timestamp(up))',
  'rate(http_requests_total[5m:1m])',
  'max_over_time(rate(http_requests_total[1m])[10m:30s])',
  'avg_over_time(temperature_celsius[7m:45s] offset 2m)',
  'sum_over_time(up[10m:])',
  `rate(http_requests_total[10m:1m] @ ${AT})`,
  'sort(queue_size)',
  'sort_desc(http_requests_total)',
  'dup_b + on(x) dup_a',
  'dup_a + on(x) dup_b',
  'dup_a + on(x) group_left dup_b',
  'rate({__name__=~"request_duration_seconds_(sum|count)"}[5m])',
  'abs({__name__=~"request_duration_seconds_(sum|count)"})',
  'sum(http_requests_total) by (job) > bool 100',
  '+up',
  // Go float semantics and formatting.
  '1 / 0',
  '-1 / 0',
  '0 / 0',
  'up * -0',
  '1 ^ (temperature_celsius % 0)',
  '(-1) ^ (1 / 0)',
  '(-8) ^ (1 / 3)',
  '-7 % 3',
  'temperature_celsius * 1e-10',
  'temperature_celsius * 1e25',
  'ln(up - 1) + sqrt(up - 2)',
  'exp(temperature_celsius * 100)',
  'round(-temperature_celsius / 2)',
  'time() % 60',
  'day_of_week(vector(-1)) + days_in_month(vector(1709164800)) + hour(vector(1.5e9))',
  // Matching and set operations.
  'up * on() group_left vector(1)',
  'http_requests_total * on(instance) group_left(version, missing) node_info',
  'node_info * ignoring(version, job, code) group_right http_requests_total',
  'up and ignoring(job) node_info',
  'up or on(job) http_requests_total',
  'vector(1) and on() up{instance="a"}',
  'up == on(instance, job) up',
  'temperature_celsius != temperature_celsius',
  'temperature_celsius > bool 20 * 2',
  'sum by (__name__) (up)',
  'count without () (up)',
  'topk(2, up) by (job)',
  'topk(scalar(count(up)), temperature_celsius)',
  'bottomk(2, -queue_size)',
  'sort_desc(queue_size)',
  'quantile(0.5, queue_size)',
  'quantile by (job) (scalar(up{instance="b"}) / 2, http_requests_total)',
  'count_values("v", temperature_celsius)',
  'stddev by (job) (rate(http_requests_total[5m]))',
  'avg(temperature_celsius)',
  'max(temperature_celsius) - min(temperature_celsius)',
  // Functions, edge arguments.
  'quantile_over_time(-1, temperature_celsius[5m])',
  'quantile_over_time(scalar(nonexistent), temperature_celsius[5m])',
  'holt_winters(temperature_celsius[10m], 1.5, 0.3)',
  'label_replace(up, "host", "$1", "instance", "(")',
  'label_replace(up, "1bad", "$1", "instance", "(.*)")',
  'label_replace(up, "host", "$10${1}x$$", "instance", "(.)")',
  'label_join(up, "empty", "-", "nothing", "missing")',
  'absent_over_time(nonexistent{job="x"}[5m])',
  'absent(sum(nonexistent))',
  'absent((up{job="api", instance="a"}))',
  'timestamp((up))',
  'rate((http_requests_total[5m]))',
  'histogram_quantile(scalar(nonexistent), request_duration_seconds_bucket)',
  'histogram_quantile(0.5, {__name__=~"request_duration_seconds_bucket"})',
  'increase(temperature_celsius[5m])',
  'rate(up[5m])',
  'irate(temperature_celsius[2m])',
  'changes(up[20m])',
  'resets(temperature_celsius[20m])',
  'deriv(http_requests_total[3m])',
  'predict_linear(http_requests_total[5m], -300)',
  // Subqueries: alignment, offset, @, nesting.
  'max_over_time(deriv(rate(http_requests_total[1m])[5m:30s])[10m:1m])',
  'max_over_time(up[5m:1m] @ end())',
  'min_over_time(up[7m:1m] @ start() offset 1m)',
  'rate(http_requests_total[5m] @ start())',
  'up @ start() + up',
  'count_over_time(temperature_celsius[10m:17s] offset -3m)',
  'last_over_time(temperature_celsius[3m:])',
  '-{__name__=~"request_duration_seconds_(sum|count)"}',
  'dup_a * on(x) group_left dup_b',
  'dup_a and dup_b',
  `max_over_time((up @ ${AT})[10m:1m])`,
  `max_over_time(rate(http_requests_total[5m] @ ${AT})[10m:1m])`,
  `sum_over_time(rate(http_requests_total[1m])[5m:1m] @ ${AT} offset 1m)`,
  'count_values without (v) ("v", queue_size)',
  'count_values by (queue) ("queue", queue_size)',
  'sum without (le) (rate(request_duration_seconds_bucket[5m]))',
  'group_left_not_a_keyword',
];

/** Top-level range vectors: instant queries only. */
const MATRIX_QUERIES: readonly string[] = [
  'up[2m]',
  'http_requests_total[1m] offset 30s',
  `temperature_celsius[3m] @ ${AT}`,
  'rate(http_requests_total[2m])[5m:1m]',
  'up[1m:20s] offset 1m',
  'temperature_celsius[10m] @ end()',
];

/** Includes both edges of the attic gap's lookback (its sample at 20m is exactly 5m old at 25m), the data's start and after its end. */
const INSTANT_TIMES = [
  T0 + 30 * MIN,
  T0 + 35 * MIN + 20_000,
  T0 + 50 * MIN + 7_500,
  T0 + 60 * MIN,
  T0 + 17 * MIN + 3_123,
  T0 + 25 * MIN,
  T0 + 25 * MIN + 1,
  T0,
  T0 + 63 * MIN,
];
const RANGES: readonly [number, number, number][] = [
  [T0, T0 + 60 * MIN, 60_000],
  [T0 + 2 * MIN + 13_000, T0 + 58 * MIN, 37_000],
  [T0 - 5 * MIN, T0 + 70 * MIN, 15_000],
];
/** Queries whose instant answer order is defined and must match. */
const ORDERED = new Set(['sort(queue_size)', 'sort_desc(http_requests_total)']);

interface Answer {
  readonly ok: boolean;
  readonly data?: PromQueryData;
  readonly error?: string;
}

function fromPrometheus(a: PrometheusApiAnswer): Answer {
  return a.status === 'success' ? { ok: true, data: a.data as PromQueryData } : { ok: false, error: a.error ?? '' };
}

async function fromMarquetry(run: () => Promise<PromQueryData>): Promise<Answer> {
  try {
    return { ok: true, data: await run() };
  } catch (err) {
    return { ok: false, error: err instanceof PromqlExecutionError ? err.detail : (err as Error).message };
  }
}

function valuesAgree(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return false;
  return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
}

function metricKey(m: Record<string, string>): string {
  return JSON.stringify(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Why two answers differ, or null when they agree. */
function difference(want: Answer, got: Answer, ordered: boolean): string | null {
  if (!want.ok || !got.ok) {
    if (want.ok !== got.ok) return `error mismatch: prometheus ${want.error ?? 'ok'} / marquetry ${got.error ?? 'ok'}`;
    return want.error === got.error ? null : `error message: prometheus ${want.error} / marquetry ${got.error}`;
  }
  const w = want.data!;
  const g = got.data!;
  if (w.resultType !== g.resultType) return `result type ${w.resultType} vs ${g.resultType}`;
  if (w.resultType === 'scalar' || w.resultType === 'string') {
    const [wt, wv] = w.result;
    const [gt, gv] = g.result as [number, string];
    return wt === gt && valuesAgree(wv, gv) ? null : `scalar ${JSON.stringify(w.result)} vs ${JSON.stringify(g.result)}`;
  }
  const points = (d: PromQueryData): Map<string, [number, string][]> => {
    const map = new Map<string, [number, string][]>();
    const list = d.resultType === 'vector' ? d.result.map((s) => ({ metric: s.metric, values: [s.value] })) : (d.result as { metric: Record<string, string>; values: [number, string][] }[]);
    for (const s of list) {
      const key = metricKey(s.metric);
      if (map.has(key)) throw new Error(`duplicate series ${key}`);
      map.set(key, s.values);
    }
    return map;
  };
  const wm = points(w);
  const gm = points(g);
  for (const key of wm.keys()) if (!gm.has(key)) return `missing series ${key}`;
  for (const key of gm.keys()) if (!wm.has(key)) return `extra series ${key}`;
  for (const [key, wv] of wm) {
    const gv = gm.get(key)!;
    if (wv.length !== gv.length) return `series ${key}: ${wv.length} points vs ${gv.length}: ${JSON.stringify(wv.slice(0, 8))} vs ${JSON.stringify(gv.slice(0, 8))}`;
    for (let i = 0; i < wv.length; i++) {
      if (wv[i]![0] !== gv[i]![0] || !valuesAgree(wv[i]![1], gv[i]![1])) {
        return `series ${key} point ${i}: ${JSON.stringify(wv[i])} vs ${JSON.stringify(gv[i])}`;
      }
    }
  }
  if (ordered && w.resultType === 'vector') {
    const wOrder = w.result.map((s) => metricKey(s.metric)).join(' ');
    const gOrder = (g.result as { metric: Record<string, string> }[]).map((s) => metricKey(s.metric)).join(' ');
    if (wOrder !== gOrder) return `order ${wOrder} vs ${gOrder}`;
  }
  return null;
}

describe('PromQL agreement with Prometheus 2.42', { timeout: 240_000 }, () => {
  let prometheus: RunningPrometheus;
  const data = dataset();
  const memory = new MemoryQueryable(data);

  before(async () => {
    prometheus = await startPrometheus();
    await prometheus.remoteWrite(data);
  });

  after(async () => {
    await prometheus?.stop();
  });

  it('runs the Debian package version the semantics were matched to', () => {
    assert.match(prometheus.version, /version 2\.42\./);
  });

  it('answers every query the same from metrics-store blocks, before and after compacting them', () =>
    withDataDir(async (dir) => {
      const store = await MetricsStore.open(testStoreOptions(dir, { blockMaxSpanMs: 10 * MIN }));
      try {
        const blocks = await loadIntoBlocks(store, data);
        const want = await answerAll(memory);
        const compare = async (when: string): Promise<void> => {
          const got = await answerAll(store);
          const failures = want.flatMap((w, i) => {
            const diff = difference(w.answer, got[i]!.answer, ORDERED.has(w.query));
            return diff === null ? [] : [`${when}: ${w.what}: ${diff}`];
          });
          assert.deepEqual(failures, []);
        };
        await compare(`${blocks} head blocks`);
        assert.ok((await store.compact()) > 0, 'something was compacted');
        await compare(`${store.stats().blocks} compacted blocks`);
      } finally {
        await store.close();
      }
    }));

  it('gives the same answers as Prometheus to every instant and range query', async () => {
    const failures: string[] = [];
    const bothFailed = new Set<string>();
    let asked = 0;
    const check = async (what: string, want: Promise<PrometheusApiAnswer>, got: () => Promise<PromQueryData>, ordered = false): Promise<void> => {
      asked++;
      const expected = fromPrometheus(await want);
      const diff = difference(expected, await fromMarquetry(got), ordered);
      if (diff !== null) failures.push(`${what}: ${diff}`);
      else if (!expected.ok) bothFailed.add(`${what.split(' @')[0]} (${expected.error})`);
    };
    for (const query of [...QUERIES, ...MATRIX_QUERIES]) {
      const expr = parsePromql(query);
      for (const t of INSTANT_TIMES) {
        await check(`${query} @instant ${(t - T0) / 1000}s`, prometheus.query(query, t), () => evaluateInstant(expr, t, memory), ORDERED.has(query));
      }
      if (expr.type !== 'vector' && expr.type !== 'scalar') continue;
      for (const [start, end, step] of RANGES) {
        await check(
          `${query} @range ${(start - T0) / 1000}s..${(end - T0) / 1000}s/${step / 1000}s`,
          prometheus.queryRange(query, start, end, step),
          () => evaluateRange(expr, start, end, step, memory),
        );
      }
    }
    console.log(`promql agreement: ${asked - failures.length} of ${asked} answers agree (${QUERIES.length + MATRIX_QUERIES.length} queries)`);
    console.log(`promql agreement: both failed, as expected: ${[...bothFailed].join('; ')}`);
    assert.deepEqual(failures, []);
  });
});

/** Every query of the agreement set asked of `storage`, in a fixed order. */
async function answerAll(storage: Queryable): Promise<{ query: string; what: string; answer: Answer }[]> {
  const out: { query: string; what: string; answer: Answer }[] = [];
  for (const query of [...QUERIES, ...MATRIX_QUERIES]) {
    const expr = parsePromql(query);
    for (const t of INSTANT_TIMES) out.push({ query, what: `${query} @instant ${(t - T0) / 1000}s`, answer: await fromMarquetry(() => evaluateInstant(expr, t, storage)) });
    if (expr.type !== 'vector' && expr.type !== 'scalar') continue;
    for (const [start, end, step] of RANGES) {
      out.push({ query, what: `${query} @range ${(start - T0) / 1000}s..${(end - T0) / 1000}s/${step / 1000}s`, answer: await fromMarquetry(() => evaluateRange(expr, start, end, step, storage)) });
    }
  }
  return out;
}

/**
 * Ingests the data set into a store as 10-minute head blocks, with the first
 * series held back and sent last (a backfill overlapping every block), and
 * returns how many blocks were written.
 */
async function loadIntoBlocks(store: MetricsStore, series: readonly MemorySeries[]): Promise<number> {
  const noWal = new Uint8Array(0); // never replayed: the store is not reopened
  const send = async (list: readonly MemorySeries[], fromMs: number, toMs: number): Promise<void> => {
    const batch = sampleBatch(list, fromMs, toMs);
    if (batch.sampleCount === 0) return;
    await store.ingest(batch, TEST_WAL_TYPE, noWal);
    await store.persist();
  };
  const [held, ...rest] = series;
  for (let from = T0 - 10 * MIN; from < T0 + 80 * MIN; from += 10 * MIN) await send(rest, from, from + 10 * MIN);
  await send([held!], -Infinity, Infinity);
  return store.stats().blocks;
}

/** The samples of `series` with timestamps in [fromMs, toMs). */
function sampleBatch(series: readonly MemorySeries[], fromMs: number, toMs: number): SampleBatch {
  return batchOf(series.map((s) => ({ labels: s.labels, samples: [...s.samples].sort((a, b) => a[0] - b[0]).filter(([t]) => t >= fromMs && t < toMs) })));
}
