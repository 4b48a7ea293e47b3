// The evaluator proper: walks the AST once, evaluating each node at every
// step of a grid. Selectors read the prefetched sample arrays with a cursor
// per series that only moves forward as steps advance (no per-step search,
// no re-selection). Semantics follow Prometheus 2.42, the version Debian 12
// ships: instant selectors take the latest sample in [t - lookback, t] unless
// it is a staleness marker; range selectors take samples in [t - range, t]
// (both ends closed; Prometheus 3 opened the left end) without staleness
// markers; `@` pins a selector or subquery to one time for every step.

import type { BinaryExpr, Expr, SubqueryExpr, UnaryExpr, VectorSelector } from './ast.js';
import { evalAggregate } from './engine-aggregations.js';
import { evalBinary } from './engine-binary.js';
import { evalInstantFunction } from './engine-functions.js';
import { dropMetricName } from './engine-labels.js';
import type { QueryLimits } from './engine-limits.js';
import { evalRangeFunction } from './engine-range-functions.js';
import { atTime, subqueryGrid, type QueryTimes, type RangeSeries, type Selections } from './engine-select.js';
import {
  afterNameDrop,
  pointCount,
  scalarOf,
  VectorBuilder,
  type Grid,
  type InstantValue,
  type ScalarValue,
  type VectorValue,
} from './engine-values.js';
import { upperIndex } from '../sorted-search.js';

/** What a range-vector argument (`x[5m]` or a subquery) offers to range functions. */
export interface RangeSource {
  readonly series: readonly RangeSeries[];
  readonly rangeMs: number;
  readonly offsetMs: number;
  /** The time `@` pins every window to, or null to follow the steps. */
  readonly atMs: number | null;
  /** The selector of `x[5m]` (absent_over_time takes labels from it); null for a subquery. */
  readonly selector: VectorSelector | null;
}

export class Evaluator {
  constructor(
    readonly selections: Selections,
    readonly times: QueryTimes,
    readonly limits: QueryLimits,
  ) {}

  eval(e: Expr, g: Grid): InstantValue {
    this.limits.check();
    const before = this.limits.current;
    const value = this.evalNode(e, g);
    const held = value.kind === 'vector' ? pointCount(value) : value.kind === 'scalar' ? g.count : 0;
    this.limits.hold(held);
    // The operands are released once the node's own value exists.
    this.limits.current = before + held;
    return value;
  }

  evalVector(e: Expr, g: Grid): VectorValue {
    const v = this.eval(e, g);
    if (v.kind !== 'vector') throw new Error(`promql: expected an instant vector, got ${v.kind}`);
    return v;
  }

  evalScalar(e: Expr, g: Grid): ScalarValue {
    const v = this.eval(e, g);
    if (v.kind !== 'scalar') throw new Error(`promql: expected a scalar, got ${v.kind}`);
    return v;
  }

  private evalNode(e: Expr, g: Grid): InstantValue {
    switch (e.kind) {
      case 'number':
        return scalarOf(g.count, e.value);
      case 'string':
        return { kind: 'string', value: e.value };
      case 'paren':
        return this.eval(e.expr, g);
      case 'unary':
        return this.evalUnary(e, g);
      case 'vectorSelector':
        return this.evalVectorSelector(e, g);
      case 'call':
        return e.func.argTypes.includes('matrix') ? evalRangeFunction(this, e, g) : evalInstantFunction(this, e, g);
      case 'aggregate':
        return evalAggregate(this, e, g);
      case 'binary':
        return this.evalBinaryChain(e, g);
      case 'matrixSelector':
      case 'subquery':
        throw new Error('promql: a range vector can only be a function argument or the whole query');
    }
  }

  /**
   * `a + b + c + …` nests to the left as deep as the chain is long, so the
   * left spine is walked in a loop rather than by recursion.
   */
  private evalBinaryChain(top: BinaryExpr, g: Grid): InstantValue {
    const spine: BinaryExpr[] = [];
    let node: Expr = top;
    while (node.kind === 'binary') {
      spine.push(node);
      node = node.lhs;
    }
    let acc = this.eval(node, g);
    for (let i = spine.length - 1; i >= 0; i--) {
      const b = spine[i]!;
      const rhs = this.eval(b.rhs, g);
      acc = evalBinary(b, acc, rhs, g);
    }
    return acc;
  }

  private evalUnary(e: UnaryExpr, g: Grid): InstantValue {
    const v = this.eval(e.expr, g);
    if (e.op === '+') return v;
    if (v.kind === 'scalar') return { kind: 'scalar', values: v.values.map((x) => -x) };
    if (v.kind !== 'vector') throw new Error('promql: unary minus on a string');
    const negated: VectorValue = { ...v, labels: v.labels.map(dropMetricName), values: v.values.map((x) => -x) };
    return afterNameDrop(v.labels, negated, 'whole');
  }

  /**
   * The latest sample in [ref - lookback, ref] per series and step, unless
   * it is a staleness marker. With `timestamps`, the value is that sample's
   * time in seconds and the metric name is dropped: timestamp(selector).
   */
  evalVectorSelector(e: VectorSelector, g: Grid, timestamps = false): VectorValue {
    const series = this.selections.get(e);
    const lookback = this.times.lookbackDeltaMs;
    const out = new VectorBuilder(series.length * g.count);
    const pinned = e.at === null ? null : atTime(e.at, this.times) - e.offsetMs;
    for (const s of series) {
      this.limits.tick();
      const { t, v, stale } = s;
      out.begin(timestamps ? dropMetricName(s.labels) : s.labels);
      if (pinned !== null) {
        const idx = latestSampleIndex(t, stale, pinned, lookback);
        if (idx >= 0) for (let i = 0; i < g.count; i++) out.push(i, timestamps ? t[idx]! / 1000 : v[idx]!);
      } else {
        let j = 0;
        for (let i = 0; i < g.count; i++) {
          const ref = g.startMs + i * g.stepMs - e.offsetMs;
          while (j < t.length && t[j]! <= ref) j++;
          const idx = j - 1;
          if (idx >= 0 && t[idx]! >= ref - lookback && (stale === null || stale[idx] === 0)) {
            out.push(i, timestamps ? t[idx]! / 1000 : v[idx]!);
          }
        }
      }
      out.end();
    }
    const vec = out.finish();
    return timestamps ? afterNameDrop(series.map((x) => x.labels), vec, 'perStep') : vec;
  }

  /** The series and windows a range function reads, for `x[5m]` or a subquery (parentheses removed). */
  rangeSource(arg: Expr, g: Grid): RangeSource {
    let e = arg;
    while (e.kind === 'paren') e = e.expr;
    if (e.kind === 'matrixSelector') {
      const sel = e.selector;
      return {
        series: this.selections.ranged(sel),
        rangeMs: e.rangeMs,
        offsetMs: sel.offsetMs,
        atMs: sel.at === null ? null : atTime(sel.at, this.times),
        selector: sel,
      };
    }
    if (e.kind === 'subquery') return this.evalSubquery(e, g);
    throw new Error(`promql: expected a range vector, got ${e.kind}`);
  }

  /** Evaluates the inner expression on its own grid, aligned to multiples of the subquery step. */
  private evalSubquery(e: SubqueryExpr, g: Grid): RangeSource {
    const endMs = g.startMs + (g.count - 1) * g.stepMs;
    const inner = subqueryGrid(e.rangeMs, e.stepMs, e.offsetMs, e.at, g.startMs, endMs, this.times);
    const series: RangeSeries[] = [];
    if (inner.count > 0) {
      const vec = this.evalVector(e.expr, inner);
      for (let i = 0; i < vec.labels.length; i++) {
        const from = vec.offsets[i]!;
        const to = vec.offsets[i + 1]!;
        const t = new Float64Array(to - from);
        for (let p = from; p < to; p++) t[p - from] = inner.startMs + vec.steps[p]! * inner.stepMs;
        series.push({ labels: vec.labels[i]!, t, v: vec.values.subarray(from, to) });
      }
    }
    return {
      series,
      rangeMs: e.rangeMs,
      offsetMs: e.offsetMs,
      atMs: e.at === null ? null : atTime(e.at, this.times),
      selector: null,
    };
  }
}

/** Index of the latest sample at or before `ref` and within the lookback, or -1 (also for a staleness marker). */
export function latestSampleIndex(t: Float64Array, stale: Uint8Array | null, ref: number, lookback: number): number {
  const idx = upperIndex(t, ref) - 1;
  if (idx < 0 || t[idx]! < ref - lookback || (stale !== null && stale[idx] === 1)) return -1;
  return idx;
}
