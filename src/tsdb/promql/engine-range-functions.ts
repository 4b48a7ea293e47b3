// Functions over range vectors (`rate(x[5m])`, `avg_over_time(…)`, …). For
// each series the window [t - offset - range, t - offset] slides forward
// with the steps, so two cursors bound it without searching. Each function
// sees one window as index bounds into the series' arrays and returns a
// value or undefined (no output at that step). Arithmetic follows
// Prometheus 2.42's functions.go, including the order of operations where
// rounding depends on it.

import type { Call } from './ast.js';
import type { Evaluator, RangeSource } from './engine-evaluator.js';
import { absentLabels } from './engine-functions.js';
import { dropMetricName } from './engine-labels.js';
import { kahanSumInc, quantileOf } from './engine-math.js';
import { PromqlExecutionError } from './engine-types.js';
import { afterNameDrop, VectorBuilder, type Grid, type ScalarValue, type VectorValue } from './engine-values.js';
import { lowerIndex, upperIndex } from '../sorted-search.js';

/** One window: bounds in ms (both inclusive), the evaluation time, and the step's scalar arguments. */
export interface Window {
  startMs: number;
  endMs: number;
  rangeMs: number;
  evalMs: number;
  /** First scalar argument (quantile_over_time's φ, predict_linear's seconds, holt_winters' sf). */
  arg: number;
  /** Second scalar argument (holt_winters' tf). */
  arg2: number;
  /** For rate/increase: the series' counter reset positions (see resetPositions). */
  resets: Int32Array;
}

/** Samples lo … hi-1 of (t, v) lie in the window; hi > lo always. */
type WindowFn = (t: Float64Array, v: Float64Array, lo: number, hi: number, w: Window) => number | undefined;

/** Functions whose result keeps the metric name (they act like a selector with a lag). */
const KEEPS_NAME = new Set(['last_over_time', 'first_over_time']);

export function evalRangeFunction(ev: Evaluator, call: Call, g: Grid): VectorValue {
  const name = call.func.name;
  const matrixIndex = call.func.argTypes.indexOf('matrix');
  const scalars: ScalarValue[] = [];
  call.args.forEach((arg, i) => {
    if (i !== matrixIndex) scalars.push(ev.evalScalar(arg, g));
  });
  const src = ev.rangeSource(call.args[matrixIndex]!, g);
  if (name === 'absent_over_time') return absentOverTime(src, g);
  const fn = WINDOW_FUNCTIONS[name];
  if (fn === undefined) throw new Error(`promql: no implementation of ${name}()`);
  const w: Window = { startMs: 0, endMs: 0, rangeMs: src.rangeMs, evalMs: 0, arg: 0, arg2: 0, resets: NO_RESETS };
  const setStep = (i: number): void => {
    w.evalMs = g.startMs + i * g.stepMs;
    w.endMs = (src.atMs ?? w.evalMs) - src.offsetMs;
    w.startMs = w.endMs - src.rangeMs;
    w.arg = scalars[0]?.values[i] ?? 0;
    w.arg2 = scalars[1]?.values[i] ?? 0;
  };
  const keepName = KEEPS_NAME.has(name);
  const counter = name === 'rate' || name === 'increase';
  const out = new VectorBuilder(src.series.length * g.count);
  let maxWindow = 0;
  for (const s of src.series) {
    ev.limits.tick();
    const { t, v } = s;
    out.begin(keepName ? s.labels : dropMetricName(s.labels));
    if (counter) w.resets = resetPositions(v);
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < g.count; i++) {
      setStep(i);
      if (i === 0 || src.atMs !== null) {
        // The first window is found by search, later ones by moving the
        // cursors forward. A pinned (`@`) window is the same at every step,
        // but predict_linear's evaluation time and the scalar arguments may not be.
        lo = lowerIndex(t, w.startMs);
        hi = upperIndex(t, w.endMs);
      } else {
        while (hi < t.length && t[hi]! <= w.endMs) hi++;
        while (lo < hi && t[lo]! < w.startMs) lo++;
      }
      if (hi <= lo) continue;
      if (hi - lo > maxWindow) maxWindow = hi - lo;
      const value = fn(t, v, lo, hi, w);
      if (value !== undefined) out.push(i, value);
    }
    out.end();
  }
  ev.limits.hold(maxWindow);
  ev.limits.current -= maxWindow;
  const result = out.finish();
  return keepName ? result : afterNameDrop(src.series.map((x) => x.labels), result, 'whole');
}

/** Indices i where v[i] < v[i-1] (a counter reset), ascending. */
function resetPositions(v: Float64Array): Int32Array {
  let n = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! < v[i - 1]!) n++;
  if (n === 0) return NO_RESETS;
  const out = new Int32Array(n);
  for (let i = 1, j = 0; i < v.length; i++) if (v[i]! < v[i - 1]!) out[j++] = i;
  return out;
}

const NO_RESETS = new Int32Array(0);


/** 1 at the steps where no series has a sample in the window, labelled from the selector's equality matchers. */
function absentOverTime(src: RangeSource, g: Grid): VectorValue {
  const out = new VectorBuilder(g.count);
  out.begin(src.selector === null ? [] : absentLabels(src.selector.matchers));
  for (let i = 0; i < g.count; i++) {
    const end = (src.atMs ?? g.startMs + i * g.stepMs) - src.offsetMs;
    const start = end - src.rangeMs;
    const any = src.series.some((s) => upperIndex(s.t, end) > lowerIndex(s.t, start));
    if (!any) out.push(i, 1);
  }
  out.end();
  return out.finish();
}

/**
 * rate/increase/delta: the change over the window (adding back counter
 * resets), extrapolated towards the window's ends: all the way when the
 * first/last sample is within 1.1 average sample intervals of the edge, else
 * half an interval; for counters not further back than where the counter
 * would have been zero.
 */
function extrapolatedRate(isCounter: boolean, isRate: boolean): WindowFn {
  return (t, v, lo, hi, w) => {
    if (hi - lo < 2) return undefined;
    let result = v[hi - 1]! - v[lo]!;
    if (isCounter) {
      // Add back the value before each reset inside the window, in order,
      // visiting only the resets rather than every sample.
      const resets = w.resets;
      let r = lowerIndex(resets, lo + 1);
      for (; r < resets.length && resets[r]! < hi; r++) result += v[resets[r]! - 1]!;
    }
    let durationToStart = (t[lo]! - w.startMs) / 1000;
    const durationToEnd = (w.endMs - t[hi - 1]!) / 1000;
    const sampledInterval = (t[hi - 1]! - t[lo]!) / 1000;
    const averageInterval = sampledInterval / (hi - lo - 1);
    if (isCounter && result > 0 && v[lo]! >= 0) {
      const durationToZero = sampledInterval * (v[lo]! / result);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
    const threshold = averageInterval * 1.1;
    let extrapolateTo = sampledInterval;
    extrapolateTo += durationToStart < threshold ? durationToStart : averageInterval / 2;
    extrapolateTo += durationToEnd < threshold ? durationToEnd : averageInterval / 2;
    let factor = extrapolateTo / sampledInterval;
    if (isRate) factor /= w.rangeMs / 1000;
    return result * factor;
  };
}

/** irate/idelta: from the last two samples. */
function instantValue(isRate: boolean): WindowFn {
  return (t, v, lo, hi) => {
    if (hi - lo < 2) return undefined;
    const last = v[hi - 1]!;
    const previous = v[hi - 2]!;
    const result = isRate && last < previous ? last : last - previous;
    const interval = t[hi - 1]! - t[hi - 2]!;
    if (interval === 0) return undefined;
    return isRate ? result / (interval / 1000) : result;
  };
}

/** Least-squares fit with x in seconds relative to `interceptMs`, sums with Kahan compensation. */
function linearRegression(t: Float64Array, v: Float64Array, lo: number, hi: number, interceptMs: number): [number, number] {
  const initY = v[lo]!;
  let constY = true;
  let n = 0;
  let sumX = 0;
  let sumY = 0;
  let sumXY = 0;
  let sumX2 = 0;
  const cX = new Float64Array(1);
  const cY = new Float64Array(1);
  const cXY = new Float64Array(1);
  const cX2 = new Float64Array(1);
  for (let i = lo; i < hi; i++) {
    const y = v[i]!;
    if (constY && i > lo && y !== initY) constY = false;
    n += 1;
    const x = (t[i]! - interceptMs) / 1e3;
    sumX = kahanSumInc(x, sumX, cX);
    sumY = kahanSumInc(y, sumY, cY);
    sumXY = kahanSumInc(x * y, sumXY, cXY);
    sumX2 = kahanSumInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (initY === Infinity || initY === -Infinity) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX[0]!;
  sumY += cY[0]!;
  sumXY += cXY[0]!;
  sumX2 += cX2[0]!;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

function holtWinters(_t: Float64Array, v: Float64Array, lo: number, hi: number, w: Window): number | undefined {
  const sf = w.arg;
  const tf = w.arg2;
  if (!(sf > 0 && sf < 1)) throw new PromqlExecutionError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf.toFixed(6)}`);
  if (!(tf > 0 && tf < 1)) throw new PromqlExecutionError(`invalid trend factor. Expected: 0 < tf < 1, got: ${tf.toFixed(6)}`);
  if (hi - lo < 2) return undefined;
  let s0 = 0;
  let s1 = v[lo]!;
  let b = v[lo + 1]! - v[lo]!;
  for (let i = lo + 1; i < hi; i++) {
    const x = sf * v[i]!;
    // The trend at the first step is the raw difference.
    if (i - lo - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

function stdvarOverTime(v: Float64Array, lo: number, hi: number): number {
  let aux = 0;
  let count = 0;
  let mean = 0;
  for (let i = lo; i < hi; i++) {
    count++;
    const delta = v[i]! - mean;
    mean += delta / count;
    aux += delta * (v[i]! - mean);
  }
  return aux / count;
}

/** Incremental mean, keeping an infinite mean once reached (Inf - Inf would turn it NaN). */
function avgOverTime(v: Float64Array, lo: number, hi: number): number {
  let mean = 0;
  let count = 0;
  for (let i = lo; i < hi; i++) {
    const x = v[i]!;
    count++;
    if (mean === Infinity || mean === -Infinity) {
      if ((x === Infinity || x === -Infinity) && mean > 0 === x > 0) continue;
      if (x === x && x !== Infinity && x !== -Infinity) continue;
    }
    mean += x / count - mean / count;
  }
  return mean;
}

function maxOverTime(v: Float64Array, lo: number, hi: number): number {
  let max = v[lo]!;
  for (let i = lo; i < hi; i++) if (v[i]! > max || max !== max) max = v[i]!;
  return max;
}

function minOverTime(v: Float64Array, lo: number, hi: number): number {
  let min = v[lo]!;
  for (let i = lo; i < hi; i++) if (v[i]! < min || min !== min) min = v[i]!;
  return min;
}

function windowValues(v: Float64Array, lo: number, hi: number): number[] {
  const out: number[] = new Array<number>(hi - lo);
  for (let i = lo; i < hi; i++) out[i - lo] = v[i]!;
  return out;
}

/** The sample time of the last max (or min) sample, in seconds, NaNs ranking like max_over_time does. */
function tsOfExtreme(isMax: boolean): WindowFn {
  return (t, v, lo, hi) => {
    let best = v[lo]!;
    let at = t[lo]!;
    for (let i = lo + 1; i < hi; i++) {
      const x = v[i]!;
      if ((isMax ? x >= best : x <= best) || best !== best) {
        best = x;
        at = t[i]!;
      }
    }
    return at / 1000;
  };
}

const WINDOW_FUNCTIONS: Readonly<Record<string, WindowFn>> = {
  rate: extrapolatedRate(true, true),
  increase: extrapolatedRate(true, false),
  delta: extrapolatedRate(false, false),
  irate: instantValue(true),
  idelta: instantValue(false),
  changes: (_t, v, lo, hi) => {
    let changes = 0;
    let prev = v[lo]!;
    for (let i = lo + 1; i < hi; i++) {
      const cur = v[i]!;
      if (cur !== prev && !(cur !== cur && prev !== prev)) changes++;
      prev = cur;
    }
    return changes;
  },
  resets: (_t, v, lo, hi) => {
    let resets = 0;
    let prev = v[lo]!;
    for (let i = lo + 1; i < hi; i++) {
      if (v[i]! < prev) resets++;
      prev = v[i]!;
    }
    return resets;
  },
  // A reference time near the samples keeps x small (prometheus#2674).
  deriv: (t, v, lo, hi) => (hi - lo < 2 ? undefined : linearRegression(t, v, lo, hi, t[lo]!)[0]),
  predict_linear: (t, v, lo, hi, w) => {
    if (hi - lo < 2) return undefined;
    const [slope, intercept] = linearRegression(t, v, lo, hi, w.evalMs);
    return slope * w.arg + intercept;
  },
  holt_winters: holtWinters,
  double_exponential_smoothing: holtWinters,
  avg_over_time: (_t, v, lo, hi) => avgOverTime(v, lo, hi),
  sum_over_time: (_t, v, lo, hi) => {
    let sum = 0;
    for (let i = lo; i < hi; i++) sum += v[i]!;
    return sum;
  },
  count_over_time: (_t, _v, lo, hi) => hi - lo,
  min_over_time: (_t, v, lo, hi) => minOverTime(v, lo, hi),
  max_over_time: (_t, v, lo, hi) => maxOverTime(v, lo, hi),
  last_over_time: (_t, v, _lo, hi) => v[hi - 1]!,
  first_over_time: (_t, v, lo) => v[lo]!,
  present_over_time: () => 1,
  quantile_over_time: (_t, v, lo, hi, w) => quantileOf(w.arg, windowValues(v, lo, hi)),
  stdvar_over_time: (_t, v, lo, hi) => stdvarOverTime(v, lo, hi),
  stddev_over_time: (_t, v, lo, hi) => Math.sqrt(stdvarOverTime(v, lo, hi)),
  mad_over_time: (_t, v, lo, hi) => {
    const values = windowValues(v, lo, hi);
    const median = quantileOf(0.5, values);
    return quantileOf(0.5, values.map((x) => Math.abs(x - median)));
  },
  ts_of_first_over_time: (t, _v, lo) => t[lo]! / 1000,
  ts_of_last_over_time: (t, _v, _lo, hi) => t[hi - 1]! / 1000,
  ts_of_max_over_time: tsOfExtreme(true),
  ts_of_min_over_time: tsOfExtreme(false),
};
