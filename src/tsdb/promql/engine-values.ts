// The evaluator's intermediate values. Every expression is evaluated at all
// steps of a grid at once (an instant query is a grid of one step). A scalar
// is one float per step. An instant vector is stored column-wise: series i
// owns points offsets[i] … offsets[i+1]-1, each point a step index
// (ascending within a series) and a value, so a range query over many series
// costs three typed arrays, not an object per sample.

import { PromqlExecutionError, type Labels } from './engine-types.js';
import { labelsKey, labelValue, METRIC_NAME } from './engine-labels.js';

/** Evaluation times `startMs + i * stepMs` for i in [0, count). */
export interface Grid {
  readonly startMs: number;
  readonly stepMs: number;
  readonly count: number;
}

export function gridTime(g: Grid, i: number): number {
  return g.startMs + i * g.stepMs;
}

export interface ScalarValue {
  readonly kind: 'scalar';
  readonly values: Float64Array;
}

export interface StringValue {
  readonly kind: 'string';
  readonly value: string;
}

export interface VectorValue {
  readonly kind: 'vector';
  readonly labels: readonly Labels[];
  /** labels.length + 1 entries. */
  readonly offsets: Int32Array;
  readonly steps: Int32Array;
  readonly values: Float64Array;
}

export type InstantValue = ScalarValue | StringValue | VectorValue;

export function scalarOf(count: number, value: number): ScalarValue {
  return { kind: 'scalar', values: new Float64Array(count).fill(value) };
}

export function pointCount(v: VectorValue): number {
  return v.offsets[v.labels.length]!;
}

/** Appends series one at a time; a series that gets no point is dropped. */
export class VectorBuilder {
  private readonly labelList: Labels[] = [];
  private offsets: Int32Array = new Int32Array(16);
  private steps: Int32Array;
  private values: Float64Array;
  private size = 0;

  constructor(expectedPoints = 64) {
    this.steps = new Int32Array(Math.max(16, expectedPoints));
    this.values = new Float64Array(Math.max(16, expectedPoints));
  }

  /** Starts a series; call push for its points in ascending step order, then end. */
  begin(labels: Labels): void {
    this.labelList.push(labels);
    const n = this.labelList.length;
    if (n + 1 > this.offsets.length) this.offsets = grow(this.offsets, (n + 1) * 2);
    this.offsets[n] = this.size;
  }

  push(step: number, value: number): void {
    if (this.size === this.steps.length) {
      this.steps = grow(this.steps, this.size * 2);
      this.values = grow(this.values, this.size * 2);
    }
    this.steps[this.size] = step;
    this.values[this.size] = value;
    this.size++;
    this.offsets[this.labelList.length] = this.size;
  }

  /** Labels of the series begun last. */
  currentLabels(): Labels {
    return this.labelList[this.labelList.length - 1]!;
  }

  end(): void {
    const n = this.labelList.length;
    if (this.offsets[n] === this.offsets[n - 1]) this.labelList.pop();
  }

  /** Adds a whole series given as parallel arrays. */
  addSeries(labels: Labels, steps: ArrayLike<number>, values: ArrayLike<number>): void {
    if (steps.length === 0) return;
    this.begin(labels);
    for (let i = 0; i < steps.length; i++) this.push(steps[i]!, values[i]!);
    this.end();
  }

  finish(): VectorValue {
    const n = this.labelList.length;
    // Views when mostly full (no copy); copies when most of the room is unused.
    const trim = <T extends Int32Array | Float64Array>(a: T, used: number): T =>
      (used * 2 >= a.length ? a.subarray(0, used) : a.slice(0, used)) as T;
    return {
      kind: 'vector',
      labels: this.labelList,
      offsets: trim(this.offsets, n + 1),
      steps: trim(this.steps, this.size),
      values: trim(this.values, this.size),
    };
  }
}

function grow<T extends Int32Array | Float64Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

export const EMPTY_VECTOR: VectorValue = {
  kind: 'vector',
  labels: [],
  offsets: new Int32Array(1),
  steps: new Int32Array(0),
  values: new Float64Array(0),
};

const SAME_LABELSET = 'vector cannot contain metrics with the same labelset';

/**
 * Prometheus refuses a vector holding two series with the same labels
 * (typically after a function dropped `__name__`). `perStep`: series with
 * equal labels are merged, an error only if two have a point at the same
 * step (what range evaluation does step by step). `whole`: any two series
 * with equal labels are an error (what Prometheus checks on a whole matrix).
 */
export function mergeSameLabels(vec: VectorValue, mode: 'perStep' | 'whole'): VectorValue {
  const n = vec.labels.length;
  if (n < 2) return vec;
  const firstIndex = new Map<string, number>();
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = labelsKey(vec.labels[i]!);
    const first = firstIndex.get(key);
    if (first === undefined) {
      firstIndex.set(key, i);
      continue;
    }
    if (mode === 'whole') throw new PromqlExecutionError(SAME_LABELSET);
    const members = groups.get(first);
    if (members === undefined) groups.set(first, [first, i]);
    else members.push(i);
  }
  if (groups.size === 0) return vec;
  const merged = new Set<number>();
  for (const members of groups.values()) for (const m of members) merged.add(m);
  const out = new VectorBuilder(pointCount(vec));
  for (let i = 0; i < n; i++) {
    const members = groups.get(i);
    if (members !== undefined) {
      appendMerged(out, vec, members);
      continue;
    }
    if (merged.has(i)) continue;
    out.begin(vec.labels[i]!);
    for (let p = vec.offsets[i]!; p < vec.offsets[i + 1]!; p++) out.push(vec.steps[p]!, vec.values[p]!);
    out.end();
  }
  return out.finish();
}

function appendMerged(out: VectorBuilder, vec: VectorValue, members: readonly number[]): void {
  const points: { step: number; value: number }[] = [];
  for (const m of members) {
    for (let p = vec.offsets[m]!; p < vec.offsets[m + 1]!; p++) points.push({ step: vec.steps[p]!, value: vec.values[p]! });
  }
  points.sort((a, b) => a.step - b.step);
  out.begin(vec.labels[members[0]!]!);
  for (let i = 0; i < points.length; i++) {
    if (i > 0 && points[i]!.step === points[i - 1]!.step) throw new PromqlExecutionError(SAME_LABELSET);
    out.push(points[i]!.step, points[i]!.value);
  }
  out.end();
}

/**
 * The vector transposed: for step s, entries stepOffsets[s] … stepOffsets[s+1]-1
 * name the series present at s (in series order) and their values.
 */
export interface StepMajor {
  readonly stepOffsets: Int32Array;
  readonly series: Int32Array;
  readonly values: Float64Array;
}

export function byStep(vec: VectorValue, count: number): StepMajor {
  const total = pointCount(vec);
  const stepOffsets = new Int32Array(count + 1);
  for (let p = 0; p < total; p++) stepOffsets[vec.steps[p]! + 1]!++;
  for (let s = 0; s < count; s++) stepOffsets[s + 1]! += stepOffsets[s]!;
  const fill = stepOffsets.slice(0, count);
  const series = new Int32Array(total);
  const values = new Float64Array(total);
  for (let i = 0; i < vec.labels.length; i++) {
    for (let p = vec.offsets[i]!; p < vec.offsets[i + 1]!; p++) {
      const at = fill[vec.steps[p]!]!++;
      series[at] = i;
      values[at] = vec.values[p]!;
    }
  }
  return { stepOffsets, series, values };
}

/** For each step, how many series of the vector have a point there. */
export function presenceCounts(vec: VectorValue, count: number): Int32Array {
  const counts = new Int32Array(count);
  const total = pointCount(vec);
  for (let p = 0; p < total; p++) counts[vec.steps[p]!]!++;
  return counts;
}

/** A vector with the same points and new labels. */
export function relabel(vec: VectorValue, labels: readonly Labels[]): VectorValue {
  return { ...vec, labels };
}

/** A vector with the same series and steps and each value mapped. */
export function mapValues(vec: VectorValue, labels: readonly Labels[], f: (v: number, step: number) => number): VectorValue {
  const values = new Float64Array(vec.values.length);
  for (let p = 0; p < values.length; p++) values[p] = f(vec.values[p]!, vec.steps[p]!);
  return { kind: 'vector', labels, offsets: vec.offsets, steps: vec.steps, values };
}

/**
 * The duplicate check after an operation that dropped `__name__` from
 * `before` (distinct label sets): skipped when they all shared one name,
 * since then dropping it cannot make two of them equal.
 */
export function afterNameDrop(before: readonly Labels[], vec: VectorValue, mode: 'perStep' | 'whole'): VectorValue {
  if (before.length < 2) return vec;
  const name = labelValue(before[0]!, METRIC_NAME);
  for (const labels of before) if (labelValue(labels, METRIC_NAME) !== name) return mergeSameLabels(vec, mode);
  return vec;
}
