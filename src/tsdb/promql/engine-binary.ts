// Binary operators between scalars and instant vectors, as Prometheus 2.42
// evaluates them. Arithmetic drops the metric name, comparisons filter (or,
// with `bool`, give 0/1 and drop the name), set operators keep series whole.
// Vector matching pairs series by their signature (the `on` labels, or all
// but the `ignoring` ones and the name); signatures are computed once per
// series, pairing is checked step by step where it can vary.

import { isComparisonOp, isSetOp, type BinaryExpr, type BinaryOp, type VectorMatching } from './ast.js';
import { dropLabels, dropMetricName, formatLabels, keepLabels, labelsKey, labelValue, setLabel, signatureFn, signatureLabels } from './engine-labels.js';
import { goMod, goPow } from './engine-math.js';
import { PromqlExecutionError, type Labels } from './engine-types.js';
import { afterNameDrop, mergeSameLabels, pointCount, VectorBuilder, type Grid, type InstantValue, type ScalarValue, type VectorValue } from './engine-values.js';

/** The value of an arithmetic `l op r`, with Go float semantics. */
function apply(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return l / r;
    case '%':
      return goMod(l, r);
    case '^':
      return goPow(l, r);
    case 'atan2':
      return Math.atan2(l, r);
    default:
      throw new Error(`promql: ${op} is not arithmetic`);
  }
}

function compare(op: BinaryOp, l: number, r: number): boolean {
  switch (op) {
    case '==':
      return l === r;
    case '!=':
      return l !== r;
    case '>':
      return l > r;
    case '<':
      return l < r;
    case '>=':
      return l >= r;
    case '<=':
      return l <= r;
    default:
      throw new Error(`promql: ${op} is not a comparison`);
  }
}

/** Prometheus 2.42 keeps the name for atan2 (and comparisons, set operators). */
function dropsName(op: BinaryOp): boolean {
  return op === '+' || op === '-' || op === '*' || op === '/' || op === '%' || op === '^';
}

export function evalBinary(e: BinaryExpr, lhs: InstantValue, rhs: InstantValue, g: Grid): InstantValue {
  if (lhs.kind === 'scalar' && rhs.kind === 'scalar') return scalarScalar(e, lhs, rhs, g);
  if (lhs.kind === 'vector' && rhs.kind === 'scalar') return vectorScalar(e, lhs, rhs, false);
  if (lhs.kind === 'scalar' && rhs.kind === 'vector') return vectorScalar(e, rhs, lhs, true);
  if (lhs.kind === 'vector' && rhs.kind === 'vector') {
    const matching = e.matching!;
    if (isSetOp(e.op)) return mergeSameLabels(setOperation(e.op, lhs, rhs, matching, g), 'perStep');
    return vectorVector(e.op, lhs, rhs, matching, e.returnBool, g);
  }
  throw new Error('promql: binary operator on a string');
}

function scalarScalar(e: BinaryExpr, lhs: ScalarValue, rhs: ScalarValue, g: Grid): ScalarValue {
  const values = new Float64Array(g.count);
  const comparison = isComparisonOp(e.op);
  for (let i = 0; i < g.count; i++) {
    const l = lhs.values[i]!;
    const r = rhs.values[i]!;
    values[i] = comparison ? (compare(e.op, l, r) ? 1 : 0) : apply(e.op, l, r);
  }
  return { kind: 'scalar', values };
}

/** A comparison keeps the vector element's own value, whichever side it was on. */
function vectorScalar(e: BinaryExpr, vec: VectorValue, scalar: ScalarValue, scalarOnLeft: boolean): VectorValue {
  const comparison = isComparisonOp(e.op);
  const dropName = dropsName(e.op) || e.returnBool;
  const out = new VectorBuilder(pointCount(vec));
  for (let i = 0; i < vec.labels.length; i++) {
    out.begin(dropName ? dropMetricName(vec.labels[i]!) : vec.labels[i]!);
    for (let p = vec.offsets[i]!; p < vec.offsets[i + 1]!; p++) {
      const s = vec.steps[p]!;
      const v = vec.values[p]!;
      const l = scalarOnLeft ? scalar.values[s]! : v;
      const r = scalarOnLeft ? v : scalar.values[s]!;
      if (!comparison) out.push(s, apply(e.op, l, r));
      else if (e.returnBool) out.push(s, compare(e.op, l, r) ? 1 : 0);
      else if (compare(e.op, l, r)) out.push(s, v);
    }
    out.end();
  }
  return dropName ? afterNameDrop(vec.labels, out.finish(), 'perStep') : out.finish();
}

/** For each signature, at which steps some series of the vector has a point. */
function presenceBySignature(vec: VectorValue, sigs: readonly string[], g: Grid): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < vec.labels.length; i++) {
    let present = out.get(sigs[i]!);
    if (present === undefined) {
      present = new Uint8Array(g.count);
      out.set(sigs[i]!, present);
    }
    for (let p = vec.offsets[i]!; p < vec.offsets[i + 1]!; p++) present[vec.steps[p]!] = 1;
  }
  return out;
}

/** and / or / unless: whole series filtered by whether the other side has their signature at each step. */
function setOperation(op: BinaryOp, lhs: VectorValue, rhs: VectorValue, m: VectorMatching, g: Grid): VectorValue {
  const sig = signatureFn(m.on, m.labels);
  const lhsSigs = lhs.labels.map(sig);
  const rhsSigs = rhs.labels.map(sig);
  const out = new VectorBuilder(pointCount(lhs) + (op === 'or' ? pointCount(rhs) : 0));
  const copyFiltered = (vec: VectorValue, sigs: readonly string[], presence: Map<string, Uint8Array>, wanted: boolean): void => {
    for (let i = 0; i < vec.labels.length; i++) {
      const present = presence.get(sigs[i]!);
      out.begin(vec.labels[i]!);
      for (let p = vec.offsets[i]!; p < vec.offsets[i + 1]!; p++) {
        const s = vec.steps[p]!;
        if ((present !== undefined && present[s] === 1) === wanted) out.push(s, vec.values[p]!);
      }
      out.end();
    }
  };
  if (op === 'or') {
    copyFiltered(lhs, lhsSigs, new Map(), false);
    copyFiltered(rhs, rhsSigs, presenceBySignature(lhs, lhsSigs, g), false);
  } else {
    copyFiltered(lhs, lhsSigs, presenceBySignature(rhs, rhsSigs, g), op === 'and');
  }
  return out.finish();
}

/**
 * The "one" side of a match for one signature: its only series, or, when
 * several series share the signature, which of them has a point at each
 * step. Two of them at the same step is the many-to-many error.
 */
type OneSide =
  | { readonly kind: 'single'; readonly series: number }
  | { readonly kind: 'shared'; readonly owner: Int32Array; readonly value: Float64Array };

function buildOneSide(one: VectorValue, oneSigs: readonly string[], m: VectorMatching, g: Grid, busySteps: Uint8Array): Map<string, OneSide> {
  const members = new Map<string, number[]>();
  oneSigs.forEach((sig, i) => {
    const list = members.get(sig);
    if (list === undefined) members.set(sig, [i]);
    else list.push(i);
  });
  const sides = new Map<string, OneSide>();
  for (const [sig, list] of members) {
    if (list.length === 1) {
      sides.set(sig, { kind: 'single', series: list[0]! });
      continue;
    }
    const side = { kind: 'shared' as const, owner: new Int32Array(g.count).fill(-1), value: new Float64Array(g.count) };
    for (const i of list) {
      for (let p = one.offsets[i]!; p < one.offsets[i + 1]!; p++) {
        const s = one.steps[p]!;
        const earlier = side.owner[s]!;
        if (earlier >= 0 && busySteps[s] === 1) {
          const oneSide = m.card === 'one-to-many' ? 'left' : 'right';
          const matched = formatLabels(signatureLabels(one.labels[i]!, m.on, m.labels));
          throw new PromqlExecutionError(
            `found duplicate series for the match group ${matched} on the ${oneSide} hand-side of the operation: ` +
              `[${formatLabels(one.labels[i]!)}, ${formatLabels(one.labels[earlier]!)}]` +
              ';many-to-many matching not allowed: matching labels must be unique on one side',
          );
        }
        side.owner[s] = i;
        side.value[s] = one.values[p]!;
      }
    }
    sides.set(sig, side);
  }
  return sides;
}

/**
 * Arithmetic and comparisons between two vectors. one-to-one and
 * many-to-one (group_left) iterate the left side, matching each element
 * with the unique right element of its signature; one-to-many
 * (group_right) is the mirror image.
 */
function vectorVector(op: BinaryOp, lhs: VectorValue, rhs: VectorValue, m: VectorMatching, returnBool: boolean, g: Grid): VectorValue {
  const swapped = m.card === 'one-to-many';
  const many = swapped ? rhs : lhs;
  const one = swapped ? lhs : rhs;
  const sig = signatureFn(m.on, m.labels);
  const manySigs = many.labels.map(sig);
  const oneSigs = one.labels.map(sig);
  // Nothing can match at a step where the iterated side is empty, and
  // Prometheus then skips the duplicate check too.
  const busySteps = new Uint8Array(g.count);
  for (let p = 0; p < many.steps.length; p++) busySteps[many.steps[p]!] = 1;
  const sides = buildOneSide(one, oneSigs, m, g, busySteps);
  const comparison = isComparisonOp(op);
  const matchingSet = new Set(m.labels);
  let split = false;
  const claimed = new Map<string, Uint8Array>();
  // Only signatures shared by several series of the iterated side can clash.
  const sharing = new Map<string, number>();
  for (const sig of manySigs) sharing.set(sig, (sharing.get(sig) ?? 0) + 1);
  const out = new VectorBuilder(pointCount(many));
  for (let i = 0; i < many.labels.length; i++) {
    const side = sides.get(manySigs[i]!);
    if (side === undefined) continue;
    const shared = sharing.get(manySigs[i]!)! > 1;
    // For a single series on the one side, a cursor over its points.
    let cursor = side.kind === 'single' ? one.offsets[side.series]! : 0;
    const cursorEnd = side.kind === 'single' ? one.offsets[side.series + 1]! : 0;
    let currentOwner = -2;
    for (let p = many.offsets[i]!; p < many.offsets[i + 1]!; p++) {
      const s = many.steps[p]!;
      let owner: number;
      let oneValue: number;
      if (side.kind === 'single') {
        while (cursor < cursorEnd && one.steps[cursor]! < s) cursor++;
        if (cursor === cursorEnd || one.steps[cursor] !== s) continue;
        owner = side.series;
        oneValue = one.values[cursor]!;
      } else {
        owner = side.owner[s]!;
        if (owner < 0) continue;
        oneValue = side.value[s]!;
      }
      const l = swapped ? oneValue : many.values[p]!;
      const r = swapped ? many.values[p]! : oneValue;
      let value: number;
      if (!comparison) value = apply(op, l, r);
      else if (returnBool) value = compare(op, l, r) ? 1 : 0;
      else if (compare(op, l, r)) value = l;
      else continue;
      if (owner !== currentOwner) {
        if (currentOwner !== -2) {
          out.end();
          split = true;
        }
        out.begin(resultMetric(many.labels[i]!, one.labels[owner]!, op, m, matchingSet, returnBool));
        currentOwner = owner;
      }
      if (shared) checkUnique(claimed, m, manySigs[i]!, out, s, g);
      out.push(s, value);
    }
    if (currentOwner !== -2) out.end();
  }
  const result = out.finish();
  // One-to-one results are distinct by signature unless a series was split
  // between partners; group_x results may still collide.
  return m.card === 'one-to-one' && !split ? result : mergeSameLabels(result, 'perStep');
}

/**
 * One result per signature and step for one-to-one matching; per signature,
 * result labels and step for group_left/group_right.
 */
function checkUnique(claimed: Map<string, Uint8Array>, m: VectorMatching, manySig: string, out: VectorBuilder, s: number, g: Grid): void {
  const key = m.card === 'one-to-one' ? manySig : `${manySig}\u0001${labelsKey(out.currentLabels())}`;
  let steps = claimed.get(key);
  if (steps === undefined) {
    steps = new Uint8Array(g.count);
    claimed.set(key, steps);
  }
  if (steps[s] === 1) {
    throw new PromqlExecutionError(
      m.card === 'one-to-one'
        ? 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)'
        : 'multiple matches for labels: grouping labels must ensure unique matches',
    );
  }
  steps[s] = 1;
}

/**
 * The labels of a result element: the "many" side's labels, without the name
 * for arithmetic or `bool`; one-to-one keeps only the `on` labels (or drops
 * the `ignoring` ones); group_x copies its extra labels from the "one" side.
 */
function resultMetric(manyLabels: Labels, oneLabels: Labels, op: BinaryOp, m: VectorMatching, matchingSet: ReadonlySet<string>, returnBool: boolean): Labels {
  let labels = manyLabels;
  if (dropsName(op)) labels = dropMetricName(labels);
  if (m.card === 'one-to-one') labels = m.on ? keepLabels(labels, matchingSet) : dropLabels(labels, matchingSet);
  for (const name of m.include) labels = setLabel(labels, name, labelValue(oneLabels, name));
  if (returnBool) labels = dropMetricName(labels);
  return labels;
}
