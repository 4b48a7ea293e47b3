// Aggregation operators (sum, avg, topk, count_values, …) as Prometheus 2.42
// computes them: step by step, series in input order, groups keyed by the
// `by` labels (or all labels but the `without` ones and the metric name).
// Group keys are computed once per series, since labels do not change
// between steps. Float arithmetic matches Prometheus's: plain summation,
// incremental mean for avg, Welford for stddev/stdvar.

import type { AggregateExpr, Expr } from './ast.js';
import type { Evaluator } from './engine-evaluator.js';
import { dropLabels, isValidLabelName, keepLabels, METRIC_NAME, setLabel, signatureFn } from './engine-labels.js';
import { formatGoFloat, goSort, heapPop, heapPush, quantileOf } from './engine-math.js';
import { PromqlExecutionError, type Labels } from './engine-types.js';
import { byStep, VectorBuilder, type Grid, type StepMajor, type VectorValue } from './engine-values.js';
import { UnsupportedQueryError } from '../../model/errors.js';

/** Output points gathered per output series, in order of first appearance. */
class PointSink {
  private readonly series = new Map<number, { labels: Labels; steps: number[]; values: number[] }>();

  add(id: number, labels: () => Labels, step: number, value: number): void {
    let s = this.series.get(id);
    if (s === undefined) {
      s = { labels: labels(), steps: [], values: [] };
      this.series.set(id, s);
    }
    s.steps.push(step);
    s.values.push(value);
  }

  finish(): VectorValue {
    const out = new VectorBuilder();
    for (const s of this.series.values()) out.addSeries(s.labels, s.steps, s.values);
    return out.finish();
  }
}

interface Grouping {
  readonly groupOf: Int32Array;
  readonly labels: Labels[];
  readonly sizes: number[];
}

function groupSeries(vec: VectorValue, e: AggregateExpr): Grouping {
  const key = signatureFn(!e.without, e.grouping);
  const dropped = new Set([...e.grouping, METRIC_NAME]);
  const kept = new Set(e.grouping);
  const index = new Map<string, number>();
  const labels: Labels[] = [];
  const sizes: number[] = [];
  const groupOf = new Int32Array(vec.labels.length);
  vec.labels.forEach((l, i) => {
    const k = key(l);
    let group = index.get(k);
    if (group === undefined) {
      group = labels.length;
      index.set(k, group);
      labels.push(e.without ? dropLabels(l, dropped) : keepLabels(l, kept));
      sizes.push(0);
    }
    sizes[group]!++;
    groupOf[i] = group;
  });
  return { groupOf, labels, sizes };
}

export function evalAggregate(ev: Evaluator, e: AggregateExpr, g: Grid): VectorValue {
  if (e.op === 'count_values') return countValues(ev, e, g);
  if (e.op === 'limit_ratio') throw new UnsupportedQueryError('promql: limit_ratio() is not supported');
  const param = e.param === null ? null : ev.evalScalar(e.param, g).values;
  const vec = ev.evalVector(e.expr, g);
  const grouping = groupSeries(vec, e);
  const major = byStep(vec, g.count);
  switch (e.op) {
    case 'topk':
    case 'bottomk':
    case 'limitk':
      return selectK(vec, major, grouping, param!, e.op, g);
    case 'quantile':
      return quantileAggregate(major, grouping, param!, g);
    default:
      return simpleAggregate(major, grouping, e.op, g);
  }
}

function simpleAggregate(major: StepMajor, grouping: Grouping, op: AggregateExpr['op'], g: Grid): VectorValue {
  const nGroups = grouping.labels.length;
  const value = new Float64Array(nGroups);
  const mean = new Float64Array(nGroups);
  const count = new Float64Array(nGroups);
  const seen = new Uint8Array(nGroups);
  const touched: number[] = [];
  const sink = new PointSink();
  for (let s = 0; s < g.count; s++) {
    for (let p = major.stepOffsets[s]!; p < major.stepOffsets[s + 1]!; p++) {
      const v = major.values[p]!;
      const grp = grouping.groupOf[major.series[p]!]!;
      if (seen[grp] === 0) {
        seen[grp] = 1;
        touched.push(grp);
        value[grp] = op === 'stddev' || op === 'stdvar' ? 0 : op === 'group' ? 1 : v;
        mean[grp] = v;
        count[grp] = 1;
        continue;
      }
      count[grp]!++;
      switch (op) {
        case 'sum':
          value[grp]! += v;
          break;
        case 'avg': {
          const m = mean[grp]!;
          // Once the mean is infinite, Inf - Inf would make it NaN; keep it unless the new value is NaN or of the opposite sign.
          if (m === Infinity || m === -Infinity) {
            if ((v === Infinity || v === -Infinity) && m > 0 === v > 0) break;
            if (v === v && v !== Infinity && v !== -Infinity) break;
          }
          mean[grp] = m + (v / count[grp]! - m / count[grp]!);
          break;
        }
        case 'max':
          if (value[grp]! < v || value[grp] !== value[grp]) value[grp] = v;
          break;
        case 'min':
          if (value[grp]! > v || value[grp] !== value[grp]) value[grp] = v;
          break;
        case 'stddev':
        case 'stdvar': {
          const delta = v - mean[grp]!;
          mean[grp]! += delta / count[grp]!;
          value[grp]! += delta * (v - mean[grp]!);
          break;
        }
        default:
          break;
      }
    }
    for (const grp of touched) {
      seen[grp] = 0;
      let result: number;
      switch (op) {
        case 'avg':
          result = mean[grp]!;
          break;
        case 'count':
          result = count[grp]!;
          break;
        case 'stdvar':
          result = value[grp]! / count[grp]!;
          break;
        case 'stddev':
          result = Math.sqrt(value[grp]! / count[grp]!);
          break;
        default:
          result = value[grp]!;
      }
      sink.add(grp, () => grouping.labels[grp]!, s, result);
    }
    touched.length = 0;
  }
  return sink.finish();
}

function quantileAggregate(major: StepMajor, grouping: Grouping, q: Float64Array, g: Grid): VectorValue {
  const values: number[][] = grouping.labels.map(() => []);
  const touched: number[] = [];
  const sink = new PointSink();
  for (let s = 0; s < g.count; s++) {
    for (let p = major.stepOffsets[s]!; p < major.stepOffsets[s + 1]!; p++) {
      const grp = grouping.groupOf[major.series[p]!]!;
      if (values[grp]!.length === 0) touched.push(grp);
      values[grp]!.push(major.values[p]!);
    }
    for (const grp of touched) {
      sink.add(grp, () => grouping.labels[grp]!, s, quantileOf(q[s]!, values[grp]!));
      values[grp] = [];
    }
    touched.length = 0;
  }
  return sink.finish();
}

/** Go's `%v` of a float64, for the k overflow message. */
function goFloatV(f: number): string {
  if (f !== f) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  const s = String(f);
  return s.includes('e') ? s.replace(/e([+-])(\d)$/, 'e$10$2') : s;
}

/**
 * topk/bottomk keep, per group and step, the k largest (smallest) values
 * the way Prometheus 2.42 does: a Go heap ordered NaN-first, a full heap
 * popped before each push, k = 1 replaced in place; the kept elements are
 * then sorted with Go's sort.Sort. Reproducing this keeps the same series
 * when values tie. limitk keeps the first k.
 */
function selectK(
  vec: VectorValue,
  major: StepMajor,
  grouping: Grouping,
  param: Float64Array,
  op: 'topk' | 'bottomk' | 'limitk',
  g: Grid,
): VectorValue {
  const topk = op === 'topk';
  // Min-heap for topk (the smallest kept value on top); max-heap for bottomk.
  const less = topk ? (a: number, b: number): boolean => a !== a || a < b : (a: number, b: number): boolean => a !== a || a > b;
  const nGroups = grouping.labels.length;
  const heaps: Int32Array[] = grouping.sizes.map((size) => new Int32Array(size));
  const heapLen = new Int32Array(nGroups);
  const touched: number[] = [];
  const sink = new PointSink();
  const vals = major.values;
  for (let s = 0; s < g.count; s++) {
    const f = param[s]!;
    if (!(f <= 9223372036854774784 && f >= -9223372036854775808)) {
      throw new PromqlExecutionError(`Scalar value ${goFloatV(f)} overflows int64`);
    }
    const k = Math.trunc(f);
    if (k < 1) continue;
    for (let p = major.stepOffsets[s]!; p < major.stepOffsets[s + 1]!; p++) {
      const grp = grouping.groupOf[major.series[p]!]!;
      const heap = heaps[grp]!;
      let len = heapLen[grp]!;
      if (len === 0) {
        touched.push(grp);
        heap[0] = p;
        heapLen[grp] = 1;
        continue;
      }
      if (op === 'limitk') {
        if (len < k) heapLen[grp] = heapPush(heap, vals, len, p, () => false);
        continue;
      }
      const top = vals[heap[0]!]!;
      const v = vals[p]!;
      if (!(len < k || (topk ? top < v : top > v) || top !== top)) continue;
      if (len === k) {
        if (k === 1) {
          heap[0] = p;
          continue;
        }
        len = heapPop(heap, vals, len, less);
      }
      heapLen[grp] = heapPush(heap, vals, len, p, less);
    }
    for (const grp of touched) {
      const kept = Array.from(heaps[grp]!.subarray(0, heapLen[grp]!));
      heapLen[grp] = 0;
      // sort.Reverse of the heap order: largest first for topk, smallest first for bottomk.
      if (op !== 'limitk' && kept.length > 1) goSort(kept, (a, b) => less(vals[b]!, vals[a]!));
      for (const p of kept) {
        const series = major.series[p]!;
        sink.add(series, () => vec.labels[series]!, s, vals[p]!);
      }
    }
    touched.length = 0;
  }
  return sink.finish();
}

function stringParam(e: Expr | null): string {
  let inner = e;
  while (inner !== null && inner.kind === 'paren') inner = inner.expr;
  if (inner === null || inner.kind !== 'string') throw new Error('promql: count_values needs a string parameter');
  return inner.value;
}

/** count_values("label", v): per group and step, how many elements have each value (formatted like Go). */
function countValues(ev: Evaluator, e: AggregateExpr, g: Grid): VectorValue {
  const label = stringParam(e.param);
  if (!isValidLabelName(label)) throw new PromqlExecutionError(`invalid label name ${JSON.stringify(label)}`);
  const vec = ev.evalVector(e.expr, g);
  // The value label replaces any label of that name; whether it is part of
  // the group depends on by/without.
  const valueInKey = !e.without || (!e.grouping.includes(label) && label !== METRIC_NAME);
  const withoutLabel = vec.labels.map((l) => setLabel(l, label, ''));
  const baseKey = signatureFn(!e.without, e.without ? [...e.grouping, label] : e.grouping.filter((n) => n !== label));
  const baseKeys = withoutLabel.map(baseKey);
  const dropped = new Set([...e.grouping, METRIC_NAME, label]);
  const kept = new Set(e.grouping);
  const ids = new Map<string, number>();
  const counts = new Map<number, number>();
  const sink = new PointSink();
  const major = byStep(vec, g.count);
  for (let s = 0; s < g.count; s++) {
    const order: number[] = [];
    const outLabels = new Map<number, () => Labels>();
    for (let p = major.stepOffsets[s]!; p < major.stepOffsets[s + 1]!; p++) {
      const series = major.series[p]!;
      const valueText = formatGoFloat(major.values[p]!);
      const key = valueInKey ? `${baseKeys[series]}\u0001${valueText}` : baseKeys[series]!;
      let id = ids.get(key);
      if (id === undefined) {
        id = ids.size;
        ids.set(key, id);
      }
      const c = counts.get(id);
      if (c === undefined) {
        order.push(id);
        counts.set(id, 1);
        const base = withoutLabel[series]!;
        outLabels.set(id, () => {
          if (e.without) return valueInKey ? setLabel(dropLabels(base, dropped), label, valueText) : dropLabels(base, dropped);
          return setLabel(keepLabels(base, kept), label, valueText);
        });
      } else counts.set(id, c + 1);
    }
    for (const id of order) sink.add(id, outLabels.get(id)!, s, counts.get(id)!);
    counts.clear();
  }
  return sink.finish();
}
