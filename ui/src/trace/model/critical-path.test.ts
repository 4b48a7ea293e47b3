import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { criticalPath, type CriticalPath } from './critical-path.js';
import { chain, CHECKOUT, fixtureTrace, randomTree, spanHex, type FixtureSpan } from './fixtures.js';
import { buildTrace, type Trace } from './trace-model.js';

/** Segments as [span id, start ms, end ms]. */
function path(spans: readonly FixtureSpan[]): { trace: Trace; cp: CriticalPath; readable: [string, number, number][] } {
  const trace = buildTrace(fixtureTrace(spans));
  const cp = criticalPath(trace);
  const readable = cp.segments.map((s): [string, number, number] => [spans.find((f) => spanHex(f.id) === trace.spans[s.span]!.spanId)!.id, s.start / 1e6, s.end / 1e6]);
  return { trace, cp, readable };
}

describe('criticalPath', () => {
  it('follows the last-finishing child, then the child before it, down the tree', () => {
    const { readable } = path(CHECKOUT);
    assert.deepEqual(readable, [
      ['root', 0, 5],
      ['cart-c', 5, 6],
      ['cart-s', 6, 8],
      ['redis', 8, 12],
      ['cart-s', 12, 24],
      ['cart-c', 24, 25],
      ['root', 25, 30],
      ['fx-a', 30, 50], // fx-b ran in parallel and finished first: not waited on
      ['root', 50, 55],
      ['pay-c', 55, 57],
      ['pay-s', 57, 93],
      ['pay-c', 93, 95],
      ['root', 95, 100],
    ]);
  });

  it('marks spans on the path and sums their time on it', () => {
    const { trace, cp } = path(CHECKOUT);
    const fxB = trace.spans.find((s) => s.spanId === spanHex('fx-b'))!;
    const root = trace.spans.find((s) => s.spanId === spanHex('root'))!;
    assert.equal(cp.onPath[fxB.index], 0);
    assert.equal(cp.onPath[root.index], 1);
    assert.equal(cp.pathTime[root.index], 20e6);
  });

  it('takes the overlapping child that ends last, then the earlier one up to where the later began', () => {
    const { readable } = path([
      { id: 'p', name: 'p', start: 0, end: 100 },
      { id: 'a', parent: 'p', name: 'a', start: 10, end: 50 },
      { id: 'b', parent: 'p', name: 'b', start: 40, end: 90 },
    ]);
    assert.deepEqual(readable, [['p', 0, 10], ['a', 10, 40], ['b', 40, 90], ['p', 90, 100]]);
  });

  it('extends past a parent to an async child that ends after it', () => {
    const { readable, trace } = path([
      { id: 'p', name: 'handler', start: 0, end: 100 },
      { id: 'a', parent: 'p', name: 'sync', start: 10, end: 50 },
      { id: 'b', parent: 'p', name: 'fire and forget', start: 60, end: 150 },
    ]);
    assert.equal(trace.duration, 150e6);
    assert.deepEqual(readable, [['p', 0, 10], ['a', 10, 50], ['p', 50, 60], ['b', 60, 150]]);
  });

  it('charges no span for gaps between disconnected roots', () => {
    const { readable } = path([
      { id: 'r', name: 'root', start: 0, end: 10 },
      { id: 'o', parent: 'gone', name: 'orphan', start: 20, end: 30 },
    ]);
    assert.deepEqual(readable, [['r', 0, 10], ['o', 20, 30]]);
  });

  it('gives chronological, non-overlapping segments inside their spans that never exceed the trace', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const { trace, cp } = path(randomTree(60, seed));
      let last = 0;
      let total = 0;
      for (const seg of cp.segments) {
        const s = trace.spans[seg.span]!;
        assert.ok(seg.start >= last - 1e-6, `seed ${seed}: chronological`);
        assert.ok(seg.start >= s.start - 1e-6 && seg.end <= s.start + s.duration + 1e-6, `seed ${seed}: inside its span`);
        last = seg.end;
        total += seg.end - seg.start;
      }
      assert.ok(total <= trace.duration + 1e-6);
      assert.equal(cp.segments.at(-1)!.end, trace.duration, `seed ${seed}: ends with the trace`);
    }
  });

  it('walks a chain 10,000 spans deep without recursion', () => {
    const { cp } = path(chain(10_000));
    assert.equal(cp.segments.length, 19_999);
  });
});
