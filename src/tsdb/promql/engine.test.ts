import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateInstant, evaluateRange } from './engine.js';
import { MemoryQueryable, type MemorySeries } from './engine-memory-storage.js';
import type { EvaluateOptions, PromQueryData } from './engine-types.js';
import { parsePromql } from './parser.js';

// Times are in seconds here; every expectation below was worked out by hand
// with Prometheus 2.42's rules (closed windows, extrapolation, …).
const s = (seconds: number): number => seconds * 1000;

const DATA: MemorySeries[] = [
  // A counter with a reset at 75s, and one that starts at 60s and stops at 90s.
  { labels: { __name__: 'c', job: 'a' }, samples: [[s(0), 10], [s(15), 20], [s(30), 30], [s(45), 40], [s(60), 50], [s(75), 5], [s(90), 15], [s(105), 25], [s(120), 35]] },
  { labels: { __name__: 'c', job: 'b' }, samples: [[s(60), 100], [s(75), 110], [s(90), 120]] },
  // A counter close to zero at its first sample, for the zero floor.
  { labels: { __name__: 'z' }, samples: [[s(30), 1], [s(45), 3], [s(60), 5]] },
  { labels: { __name__: 'g', room: 'x' }, samples: [[s(0), 1], [s(60), 3], [s(120), 2], [s(180), 6]] },
  // A staleness marker at 30s, then the series is back at 60s.
  { labels: { __name__: 'st', i: '1' }, samples: [[s(0), 1], [s(15), 1], [s(30), 'stale'], [s(60), 2]] },
  // Two samples 400s apart: longer than the 5m lookback.
  { labels: { __name__: 'gap' }, samples: [[s(0), 1], [s(400), 2]] },
  ...[1, 2, 3, 4, 5, 6].map((n, i) => ({ labels: { __name__: 'q', n: String(n) }, samples: [[0, [5, 5, 3, 5, 1, 0][i]!]] as const })),
  { labels: { __name__: 'info', job: 'a', ver: '1' }, samples: [[0, 1], [s(60), 1], [s(120), 1]] },
  ...bucketSeries('h', { '0.1': 1, '0.5': 3, '1': 6, '+Inf': 10 }),
  ...bucketSeries('h_nonmono', { '1': 5, '2': 4, '+Inf': 8 }),
  ...bucketSeries('h_noinf', { '1': 5, '2': 8 }),
  ...bucketSeries('h_empty', { '1': 0, '+Inf': 0 }),
  ...bucketSeries('h_negative', { '-1': 2, '0': 2, '+Inf': 4 }),
  { labels: { __name__: 'dup', x: '1', y: '1' }, samples: [[s(60), 1]] },
  { labels: { __name__: 'dup', x: '1', y: '2' }, samples: [[s(60), 2]] },
  { labels: { __name__: 'one', x: '1' }, samples: [[s(60), 10]] },
  // Two series equal without their names, never present at the same step.
  { labels: { __name__: 'm1' }, samples: [[0, -1], [s(30), 'stale']] },
  { labels: { __name__: 'm2' }, samples: [[s(60), -2]] },
];

function bucketSeries(name: string, counts: Record<string, number>): MemorySeries[] {
  return Object.entries(counts).map(([le, count]) => ({ labels: { __name__: `${name}_bucket`, le }, samples: [[s(60), count]] }));
}

const store = new MemoryQueryable(DATA);

/** Go's FormatFloat output back to a number. */
function num(text: string): number {
  return text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
}

/** A result as `{labels} value` per series (sorted), values as numbers; a scalar as its number. */
function flatten(data: PromQueryData): Record<string, number | number[]> | number {
  switch (data.resultType) {
    case 'scalar':
      return num(data.result[1]);
    case 'string':
      throw new Error('unexpected string');
    case 'vector':
      return Object.fromEntries(data.result.map((r) => [showMetric(r.metric), num(r.value[1])]));
    case 'matrix':
      return Object.fromEntries(data.result.map((r) => [showMetric(r.metric), r.values.map(([, v]) => num(v))]));
  }
}

function showMetric(m: Record<string, string>): string {
  return `{${Object.keys(m)
    .sort()
    .map((k) => `${k}="${m[k]}"`)
    .join(',')}}`;
}

function assertClose(got: unknown, want: unknown, what: string): void {
  if (typeof want === 'number') {
    assert.equal(typeof got, 'number', what);
    const g = got as number;
    if (Number.isNaN(want)) assert.ok(Number.isNaN(g), `${what}: want NaN, got ${g}`);
    else assert.ok(g === want || Math.abs(g - want) <= 1e-12 * Math.abs(want), `${what}: want ${want}, got ${g}`);
    return;
  }
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got) && got.length === want.length, `${what}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
    want.forEach((w, i) => assertClose((got as unknown[])[i], w, `${what}[${i}]`));
    return;
  }
  const g = got as Record<string, unknown>;
  const w = want as Record<string, unknown>;
  assert.deepEqual(Object.keys(g).sort(), Object.keys(w).sort(), `${what}: series`);
  for (const k of Object.keys(w)) assertClose(g[k], w[k], `${what} ${k}`);
}

async function instant(query: string, seconds: number, options: EvaluateOptions = {}): Promise<Record<string, number | number[]> | number> {
  return flatten(await evaluateInstant(parsePromql(query), s(seconds), store, options));
}

interface Case {
  readonly query: string;
  readonly at: number;
  readonly want: Record<string, number | number[]> | number;
  readonly why: string;
}

const INSTANT_CASES: readonly Case[] = [
  { query: 'rate(c{job="a"}[60s])', at: 120, want: { '{job="a"}': 35 / 60 }, why: 'the window [60s, 120s] is closed on both ends in 2.42; the reset adds 50 back' },
  { query: 'rate(c{job="a"}[50s])', at: 100, want: { '{job="a"}': 0.5 }, why: '15 over 30s of samples, extrapolated 10s to each edge: 15 * 50/30 / 50' },
  { query: 'increase(c{job="b"}[60s])', at: 120, want: { '{job="b"}': 25 }, why: 'the series ends 30s before the window does: extrapolate half an interval (7.5s), 20 * 37.5/30' },
  { query: 'increase(z[60s])', at: 60, want: { '{}': 5 }, why: 'extrapolating 30s back would go below zero; stop at the zero point 7.5s back: 4 * 37.5/30' },
  { query: 'delta(g[120s])', at: 180, want: { '{room="x"}': 3 }, why: 'gauge difference, samples on both edges' },
  { query: 'irate(c{job="a"}[60s])', at: 90, want: { '{job="a"}': 10 / 15 }, why: 'last two samples' },
  { query: 'irate(c{job="a"}[60s])', at: 75, want: { '{job="a"}': 5 / 15 }, why: 'a reset between the last two samples counts from zero' },
  { query: 'idelta(g[120s])', at: 180, want: { '{room="x"}': 4 }, why: 'last two samples, no reset handling' },
  { query: 'resets(c[120s])', at: 120, want: { '{job="a"}': 1, '{job="b"}': 0 }, why: 'one drop in a' },
  { query: 'changes(g[200s])', at: 180, want: { '{room="x"}': 3 }, why: '1→3→2→6' },
  { query: 'deriv(g[180s])', at: 180, want: { '{room="x"}': 420 / 18000 }, why: 'least squares slope' },
  { query: 'predict_linear(g[180s], 60)', at: 180, want: { '{room="x"}': 5.1 + (420 / 18000) * 60 }, why: 'intercept at the evaluation time plus slope * 60s' },
  { query: 'avg_over_time(g[180s])', at: 180, want: { '{room="x"}': 3 }, why: '' },
  { query: 'sum_over_time(g[180s]) + count_over_time(g[180s])', at: 180, want: { '{room="x"}': 16 }, why: '12 + 4' },
  { query: 'stddev_over_time(g[180s])', at: 180, want: { '{room="x"}': Math.sqrt(3.5) }, why: 'population standard deviation' },
  { query: 'quantile_over_time(0.5, g[180s])', at: 180, want: { '{room="x"}': 2.5 }, why: 'between 2 and 3' },
  { query: 'last_over_time(g[30s])', at: 190, want: { '{__name__="g",room="x"}': 6 }, why: 'last_over_time keeps the metric name' },
  { query: 'st', at: 20, want: { '{__name__="st",i="1"}': 1 }, why: 'latest sample 5s old' },
  { query: 'st', at: 30, want: {}, why: 'the latest sample is a staleness marker' },
  { query: 'st', at: 45, want: {}, why: 'the sample before the marker is not used after it' },
  { query: 'st', at: 60, want: { '{__name__="st",i="1"}': 2 }, why: 'back after the marker' },
  { query: 'count_over_time(st[60s])', at: 60, want: { '{i="1"}': 3 }, why: 'range selectors skip staleness markers' },
  { query: 'gap', at: 300, want: { '{__name__="gap"}': 1 }, why: 'exactly 5m old is still inside the lookback in 2.42' },
  { query: 'gap', at: 300.001, want: {}, why: 'a millisecond later it is not' },
  { query: 'g offset 60s', at: 180, want: { '{__name__="g",room="x"}': 2 }, why: 'value at 120s' },
  { query: 'g @ 60', at: 180, want: { '{__name__="g",room="x"}': 3 }, why: '@ pins the time' },
  { query: 'g @ 60 offset 60s', at: 180, want: { '{__name__="g",room="x"}': 1 }, why: 'offset applies after @' },
  { query: 'max_over_time(g[100s:40s])', at: 200, want: { '{room="x"}': 6 }, why: 'steps 120, 160, 200 (multiples of 40s): values 2, 2, 6' },
  { query: 'count_over_time(g[100s:40s])', at: 190, want: { '{room="x"}': 2 }, why: 'aligned steps 120 and 160 only, not 90/130/170' },
  { query: 'count_over_time(g[80s:40s])', at: 200, want: { '{room="x"}': 3 }, why: 'the window [120s, 200s] is closed: 120, 160, 200' },
  { query: 'topk(3, q)', at: 0, want: { '{__name__="q",n="1"}': 5, '{__name__="q",n="2"}': 5, '{__name__="q",n="4"}': 5 }, why: 'ties: the full heap is popped before each push, so q4 displaces q3' },
  { query: 'bottomk(2, q)', at: 0, want: { '{__name__="q",n="5"}': 1, '{__name__="q",n="6"}': 0 }, why: '' },
  { query: 'count_values("v", q)', at: 0, want: { '{v="5"}': 3, '{v="3"}': 1, '{v="1"}': 1, '{v="0"}': 1 }, why: '' },
  { query: 'quantile(0.5, q)', at: 0, want: { '{}': 4 }, why: 'sorted 0 1 3 5 5 5: between 3 and 5' },
  { query: 'quantile(1.5, q)', at: 0, want: { '{}': Infinity }, why: 'φ > 1' },
  { query: 'c * on(job) group_left(ver) info', at: 120, want: { '{job="a",ver="1"}': 35 }, why: 'labels from the one side; c{job="b"} has no match' },
  { query: 'c > on(job) info', at: 120, want: { '{job="a"}': 35 }, why: 'one-to-one comparison keeps only the on() labels and the lhs value' },
  { query: 'c == bool 35', at: 120, want: { '{job="a"}': 1, '{job="b"}': 0 }, why: 'bool drops the name' },
  { query: 'c unless on(job) info', at: 120, want: { '{__name__="c",job="b"}': 120 }, why: 'set operators keep labels' },
  { query: 'absent(nothing{job="x", a=~"y", b="1", b="2"})', at: 0, want: { '{job="x"}': 1 }, why: 'only labels fixed by a single equality matcher' },
  { query: 'absent(g)', at: 0, want: {}, why: '' },
  { query: 'histogram_quantile(0.5, h_bucket)', at: 60, want: { '{}': 0.5 + 0.5 * (2 / 3) }, why: 'rank 5 falls in (0.5, 1]' },
  { query: 'histogram_quantile(0.95, h_bucket)', at: 60, want: { '{}': 1 }, why: 'rank in the +Inf bucket: the highest finite bound' },
  { query: 'histogram_quantile(0.05, h_bucket)', at: 60, want: { '{}': 0.05 }, why: 'the lowest bucket starts at 0' },
  { query: 'histogram_quantile(2, h_bucket)', at: 60, want: { '{}': Infinity }, why: '' },
  { query: 'histogram_quantile(0.5, h_nonmono_bucket)', at: 60, want: { '{}': 0.8 }, why: 'counts made monotonic (5, 5, 8): rank 4 of 5 in (0, 1]' },
  { query: 'histogram_quantile(0.5, h_noinf_bucket)', at: 60, want: { '{}': NaN }, why: 'no +Inf bucket' },
  { query: 'histogram_quantile(0.5, h_empty_bucket)', at: 60, want: { '{}': NaN }, why: 'no observations' },
  { query: 'histogram_quantile(0.25, h_negative_bucket)', at: 60, want: { '{}': -1 }, why: 'a lowest bound ≤ 0 is returned as is' },
  { query: 'scalar(c)', at: 90, want: NaN, why: 'two elements' },
  { query: 'scalar(c{job="a"}) * 2', at: 90, want: 30, why: '' },
  { query: '2 ^ 0.5 * 2 ^ 0.5 - 1 % 3', at: 0, want: 2 ** 0.5 * 2 ** 0.5 - 1, why: '' },
  { query: '1 ^ (0 / 0)', at: 0, want: 1, why: "Go's math.Pow(1, NaN) is 1" },
  { query: 'time()', at: 42, want: 42, why: '' },
  { query: 'timestamp(gap)', at: 200, want: { '{}': 0 }, why: 'the sample time, not the evaluation time' },
  { query: 'label_replace(g, "r", "$1-$1", "room", "(.)")', at: 0, want: { '{__name__="g",r="x-x",room="x"}': 1 }, why: '' },
  { query: 'label_join(c, "j2", "/", "job", "job")', at: 120, want: { '{__name__="c",j2="a/a",job="a"}': 35, '{__name__="c",j2="b/b",job="b"}': 120 }, why: '' },
  { query: 'sort_desc(q)', at: 0, want: { '{__name__="q",n="1"}': 5, '{__name__="q",n="2"}': 5, '{__name__="q",n="3"}': 3, '{__name__="q",n="4"}': 5, '{__name__="q",n="5"}': 1, '{__name__="q",n="6"}': 0 }, why: '' },
  { query: 'day_of_week(vector(0)) + hour(vector(3600 * 25)) + days_in_month(vector(86400 * 40))', at: 0, want: { '{}': 4 + 1 + 28 }, why: 'Thursday; 01:00; February 1970' },
];

describe('PromQL evaluation, instant queries', () => {
  for (const c of INSTANT_CASES) {
    it(`${c.query} at ${c.at}s${c.why === '' ? '' : `: ${c.why}`}`, async () => {
      assertClose(await instant(c.query, c.at), c.want, c.query);
    });
  }

  it('orders sort_desc results by value with ties kept in input order', async () => {
    const data = await evaluateInstant(parsePromql('sort_desc(q)'), 0, store);
    assert.equal(data.resultType, 'vector');
    const order = (data.result as { metric: Record<string, string> }[]).map((r) => r.metric['n']);
    assert.deepEqual(order, ['1', '2', '4', '3', '5', '6']);
  });

  it('returns raw samples, without staleness markers, for a range selector', async () => {
    const data = await evaluateInstant(parsePromql('st[60s]'), s(60), store);
    assert.deepEqual(data, {
      resultType: 'matrix',
      result: [{ metric: { __name__: 'st', i: '1' }, values: [[0, '1'], [15, '1'], [60, '2']] }],
    });
  });

  it('formats values like Go: no exponent, signed infinities, negative zero', async () => {
    const q = async (query: string): Promise<string> => {
      const data = await evaluateInstant(parsePromql(query), 0, store);
      return (data.result as [number, string])[1];
    };
    assert.equal(await q('1e21'), '1000000000000000000000');
    assert.equal(await q('1.5e-7'), '0.00000015');
    assert.equal(await q('-1 / 0'), '-Inf');
    assert.equal(await q('1 / 0'), '+Inf');
    assert.equal(await q('0 * -1'), '-0');
    assert.equal(await q('0 / 0'), 'NaN');
  });

  it('refuses duplicate matches on the "one" side', async () => {
    await assert.rejects(evaluateInstant(parsePromql('one + on(x) dup'), s(60), store), /found duplicate series for the match group \{x="1"\} on the right hand-side/);
  });

  it('refuses an implicit many-to-one match', async () => {
    await assert.rejects(evaluateInstant(parsePromql('dup + on(x) one'), s(60), store), /many-to-one matching must be explicit/);
  });

  it('refuses a result with two series of the same labels once the name is dropped', async () => {
    await assert.rejects(evaluateInstant(parsePromql('rate({__name__=~"z|gap"}[10m])'), s(400), store), /same labelset/);
  });

  it('stops at the sample limit', async () => {
    await assert.rejects(
      evaluateRange(parsePromql('c'), 0, s(120), s(1), store, { maxSamples: 100 }),
      /query processing would load too many samples into memory/,
    );
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(evaluateInstant(parsePromql('c'), 0, store, { signal: controller.signal }), { code: 'timeout' });
  });
});

describe('PromQL evaluation, range queries', () => {
  const range = async (query: string, start: number, end: number, step: number): Promise<unknown> =>
    flatten(await evaluateRange(parsePromql(query), s(start), s(end), s(step), store));

  it('gives a series points only at the steps where it has a value', async () => {
    assertClose(await range('c{job="b"}', 0, 120, 30), { '{__name__="c",job="b"}': [100, 120, 120] }, 'c');
    const data = await evaluateRange(parsePromql('c{job="b"}'), 0, s(120), s(30), store);
    assert.deepEqual((data.result as { values: [number, string][] }[])[0]!.values.map(([t]) => t), [60, 90, 120]);
  });

  it('pins @ start() and @ end() to the query range', async () => {
    assertClose(await range('g @ start()', 60, 180, 60), { '{__name__="g",room="x"}': [3, 3, 3] }, 'start');
    assertClose(await range('g @ end()', 60, 180, 60), { '{__name__="g",room="x"}': [6, 6, 6] }, 'end');
  });

  it('returns a scalar expression as one series without labels', async () => {
    assertClose(await range('time() * 2', 0, 60, 30), { '{}': [0, 60, 120] }, 'time');
  });

  it('evaluates topk per step', async () => {
    assertClose(await range('topk(1, g)', 0, 120, 60), { '{__name__="g",room="x"}': [1, 3, 2] }, 'topk');
  });

  it('merges series that become equal once the name is dropped, when they never overlap', async () => {
    assertClose(await range('abs({__name__=~"m1|m2"})', 0, 90, 30), { '{}': [1, 2, 2] }, 'abs');
    await assert.rejects(evaluateRange(parsePromql('abs({__name__=~"z|gap"})'), 0, s(60), s(30), store), /same labelset/);
  });

  it('rejects a range vector as the whole query', async () => {
    await assert.rejects(evaluateRange(parsePromql('c[1m]'), 0, s(60), s(30), store), /invalid expression type "range vector" for range query/);
  });
});
