import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LabelMatcher } from './ast.js';
import { evaluateInstant, evaluateRange } from './engine.js';
import { MemoryQueryable } from './engine-memory-storage.js';
import { isStaleMarkerAt, setStaleMarkerAt, type Queryable, type SeriesSamples } from './engine-types.js';
import { parsePromql } from './parser.js';

/** Records what the evaluator asks storage for. */
class RecordingQueryable implements Queryable {
  readonly calls: { matchers: string; minT: number; maxT: number }[] = [];

  select(matchers: readonly LabelMatcher[], minTMs: number, maxTMs: number): Promise<SeriesSamples[]> {
    this.calls.push({ matchers: matchers.map((m) => `${m.name}${m.op}${m.value}`).join(','), minT: minTMs, maxT: maxTMs });
    return Promise.resolve([]);
  }
}

const MIN = 60_000;

describe('sample selection', () => {
  it('asks for the lookback before an instant selector, shifted by its offset', async () => {
    const q = new RecordingQueryable();
    await evaluateInstant(parsePromql('up offset 1m'), 100 * MIN, q);
    assert.deepEqual(q.calls, [{ matchers: '__name__=up', minT: 94 * MIN, maxT: 99 * MIN }]);
  });

  it('asks for range + steps of a range query, pinned by @', async () => {
    const q = new RecordingQueryable();
    await evaluateRange(parsePromql('rate(a[5m]) + rate(b[1m] @ 1000)'), 100 * MIN, 110 * MIN, MIN, q);
    assert.deepEqual(q.calls, [
      { matchers: '__name__=a', minT: 95 * MIN, maxT: 110 * MIN },
      { matchers: '__name__=b', minT: 1_000_000 - MIN, maxT: 1_000_000 },
    ]);
  });

  it('widens by a subquery range, starting at the first aligned step', async () => {
    const q = new RecordingQueryable();
    // Inner steps: multiples of 7m from 93m - 10m = 83m, i.e. 84m … 98m.
    await evaluateInstant(parsePromql('max_over_time(x[10m:7m] offset 7m)'), 100 * MIN, q);
    assert.deepEqual(q.calls, [{ matchers: '__name__=x', minT: 84 * MIN - 5 * MIN, maxT: 93 * MIN }]);
  });

  it('asks once for a selector used twice, over the union of the ranges', async () => {
    const q = new RecordingQueryable();
    await evaluateInstant(parsePromql('x + x offset 1h'), 100 * MIN, q);
    assert.deepEqual(q.calls, [{ matchers: '__name__=x', minT: 35 * MIN, maxT: 100 * MIN }]);
  });

  it('walks a very long operator chain without deep recursion', async () => {
    const n = 20_000;
    const store = new MemoryQueryable([{ labels: { __name__: 'x' }, samples: [[0, 1]] }]);
    const scalar = await evaluateInstant(parsePromql(Array(n).fill('1').join(' + ')), 0, store);
    assert.deepEqual(scalar, { resultType: 'scalar', result: [0, String(n)] });
    const vector = await evaluateInstant(parsePromql(Array(n).fill('x').join(' + ')), 0, store);
    assert.deepEqual(vector, { resultType: 'vector', result: [{ metric: {}, value: [0, String(n)] }] });
  });
});

describe('query limits', () => {
  it('gives up on storage that does not answer before the timeout', async () => {
    const never: Queryable = { select: () => new Promise<never>(() => undefined) };
    await assert.rejects(evaluateInstant(parsePromql('x'), 0, never, { timeoutMs: 20 }), { code: 'timeout', message: /timed out/ });
  });
});

describe('staleness markers', () => {
  it('are told from ordinary NaNs by their bits', () => {
    const v = new Float64Array(3);
    v[0] = NaN;
    setStaleMarkerAt(v, 1);
    v[2] = 1;
    assert.deepEqual([0, 1, 2].map((i) => isStaleMarkerAt(v, i)), [false, true, false]);
    assert.ok(Number.isNaN(v[1]!));
  });

  it('survive the in-memory storage', async () => {
    const store = new MemoryQueryable([{ labels: { __name__: 'x' }, samples: [[0, NaN], [1000, 'stale']] }]);
    const [series] = await store.select(parsePromqlMatchers('x'), 0, 1000);
    assert.deepEqual([0, 1].map((i) => isStaleMarkerAt(series!.v, i)), [false, true]);
    // An ordinary NaN is a value; the marker ends the series.
    assert.deepEqual(await evaluateInstant(parsePromql('x'), 500, store), { resultType: 'vector', result: [{ metric: { __name__: 'x' }, value: [0.5, 'NaN'] }] });
    assert.deepEqual(await evaluateInstant(parsePromql('x'), 1500, store), { resultType: 'vector', result: [] });
  });
});

function parsePromqlMatchers(name: string): readonly LabelMatcher[] {
  const e = parsePromql(name);
  if (e.kind !== 'vectorSelector') throw new Error('not a selector');
  return e.matchers;
}
