// Functions over instant vectors and scalars, as in Prometheus 2.42: most
// drop the metric name (the value no longer measures the metric);
// label_replace, label_join and the sorts keep it. Scalar arguments are
// evaluated per step, like every other expression.

import type { Call, Expr, LabelMatcher } from './ast.js';
import type { Evaluator } from './engine-evaluator.js';
import { calendarFunction, CALENDAR_FUNCTIONS } from './engine-calendar.js';
import { histogramQuantile } from './engine-histogram.js';
import { compareLabels, dropMetricName, EMPTY_LABELS, isValidLabelName, labelValue, METRIC_NAME, setLabel } from './engine-labels.js';
import { goSort } from './engine-math.js';
import { PromqlExecutionError, type Labels } from './engine-types.js';
import {
  afterNameDrop,
  gridTime,
  mapValues,
  mergeSameLabels,
  presenceCounts,
  relabel,
  VectorBuilder,
  type Grid,
  type InstantValue,
  type VectorValue,
} from './engine-values.js';
import { compileAnchoredRegex } from './regex.js';

const ELEMENTWISE: Readonly<Record<string, (x: number) => number>> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  sqrt: Math.sqrt,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  sgn: (x) => (x < 0 ? -1 : x > 0 ? 1 : x),
  acos: Math.acos,
  acosh: Math.acosh,
  asin: Math.asin,
  asinh: Math.asinh,
  atan: Math.atan,
  atanh: Math.atanh,
  cos: Math.cos,
  cosh: Math.cosh,
  sin: Math.sin,
  sinh: Math.sinh,
  tan: Math.tan,
  tanh: Math.tanh,
  deg: (x) => (x * 180) / Math.PI,
  rad: (x) => (x * Math.PI) / 180,
};

export function evalInstantFunction(ev: Evaluator, call: Call, g: Grid): InstantValue {
  const name = call.func.name;
  const elementwise = ELEMENTWISE[name];
  if (elementwise !== undefined) {
    const vec = ev.evalVector(call.args[0]!, g);
    return afterNameDrop(vec.labels, mapValues(vec, vec.labels.map(dropMetricName), elementwise), 'perStep');
  }
  if (CALENDAR_FUNCTIONS.has(name)) return calendarFunction(ev, call, g);
  switch (name) {
    case 'time':
      return { kind: 'scalar', values: Float64Array.from({ length: g.count }, (_, i) => gridTime(g, i) / 1000) };
    case 'pi':
      return { kind: 'scalar', values: new Float64Array(g.count).fill(Math.PI) };
    case 'vector': {
      const s = ev.evalScalar(call.args[0]!, g);
      const out = new VectorBuilder(g.count);
      out.addSeries(EMPTY_LABELS, Int32Array.from({ length: g.count }, (_, i) => i), s.values);
      return out.finish();
    }
    case 'scalar':
      return scalarOf(ev.evalVector(call.args[0]!, g), g);
    case 'timestamp':
      return timestamp(ev, call.args[0]!, g);
    case 'absent':
      return absent(ev, call.args[0]!, g);
    case 'clamp':
    case 'clamp_min':
    case 'clamp_max':
      return clamp(ev, call, g);
    case 'round':
      return round(ev, call, g);
    case 'sort':
    case 'sort_desc':
      return sortByValue(ev.evalVector(call.args[0]!, g), g, name === 'sort_desc');
    case 'sort_by_label':
    case 'sort_by_label_desc':
      return sortByLabel(ev, call, g, name === 'sort_by_label_desc');
    case 'label_replace':
      return labelReplace(ev, call, g);
    case 'label_join':
      return labelJoin(ev, call, g);
    case 'histogram_quantile':
      return histogramQuantile(ev.evalScalar(call.args[0]!, g), ev.evalVector(call.args[1]!, g), g);
    default:
      throw new Error(`promql: no implementation of ${name}()`);
  }
}

function unwrapParens(e: Expr): Expr {
  while (e.kind === 'paren') e = e.expr;
  return e;
}

/** scalar(v): the value of the only element, NaN when there are none or several. */
function scalarOf(vec: VectorValue, g: Grid): InstantValue {
  const counts = presenceCounts(vec, g.count);
  const values = new Float64Array(g.count).fill(NaN);
  for (let p = 0; p < vec.steps.length; p++) {
    const s = vec.steps[p]!;
    if (counts[s] === 1) values[s] = vec.values[p]!;
  }
  return { kind: 'scalar', values };
}

/** timestamp(selector) gives sample times; timestamp(anything else) the evaluation time. */
function timestamp(ev: Evaluator, arg: Expr, g: Grid): VectorValue {
  const inner = unwrapParens(arg);
  if (inner.kind === 'vectorSelector') return ev.evalVectorSelector(inner, g, true);
  const vec = ev.evalVector(arg, g);
  return afterNameDrop(
    vec.labels,
    mapValues(vec, vec.labels.map(dropMetricName), (_v, step) => gridTime(g, step) / 1000),
    'perStep',
  );
}

/**
 * The labels absent() gives its 1: those of the selector's equality
 * matchers, except the metric name and any label also constrained another
 * way (or twice).
 */
export function absentLabels(matchers: readonly LabelMatcher[]): Labels {
  let labels: Labels = EMPTY_LABELS;
  const drop: string[] = [];
  for (const m of matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.op === '=' && labelValue(labels, m.name) === '') labels = setLabel(labels, m.name, m.value);
    else drop.push(m.name);
  }
  for (const name of drop) labels = setLabel(labels, name, '');
  return labels;
}

function absent(ev: Evaluator, arg: Expr, g: Grid): VectorValue {
  const vec = ev.evalVector(arg, g);
  const counts = presenceCounts(vec, g.count);
  const inner = unwrapParens(arg);
  const out = new VectorBuilder(g.count);
  out.begin(inner.kind === 'vectorSelector' ? absentLabels(inner.matchers) : EMPTY_LABELS);
  for (let s = 0; s < g.count; s++) if (counts[s] === 0) out.push(s, 1);
  out.end();
  return out.finish();
}

function clamp(ev: Evaluator, call: Call, g: Grid): VectorValue {
  const vec = ev.evalVector(call.args[0]!, g);
  const name = call.func.name;
  const first = ev.evalScalar(call.args[1]!, g).values;
  const second = name === 'clamp' ? ev.evalScalar(call.args[2]!, g).values : null;
  const labels = vec.labels.map(dropMetricName);
  const out = new VectorBuilder(vec.values.length);
  for (let i = 0; i < vec.labels.length; i++) {
    out.begin(labels[i]!);
    for (let p = vec.offsets[i]!; p < vec.offsets[i + 1]!; p++) {
      const s = vec.steps[p]!;
      const v = vec.values[p]!;
      if (name === 'clamp_min') out.push(s, Math.max(first[s]!, v));
      else if (name === 'clamp_max') out.push(s, Math.min(first[s]!, v));
      // clamp with max < min gives nothing at that step.
      else if (!(second![s]! < first[s]!)) out.push(s, Math.max(first[s]!, Math.min(second![s]!, v)));
    }
    out.end();
  }
  return afterNameDrop(vec.labels, out.finish(), 'perStep');
}

/** round(v, to_nearest=1): ties round up, via the inverse of to_nearest as Prometheus does. */
function round(ev: Evaluator, call: Call, g: Grid): VectorValue {
  const vec = ev.evalVector(call.args[0]!, g);
  const nearest = call.args.length > 1 ? ev.evalScalar(call.args[1]!, g).values : null;
  return afterNameDrop(
    vec.labels,
    mapValues(vec, vec.labels.map(dropMetricName), (v, s) => {
      const inverse = 1 / (nearest === null ? 1 : nearest[s]!);
      return Math.floor(v * inverse + 0.5) / inverse;
    }),
    'perStep',
  );
}

/**
 * Reorders series for an instant query (a range query's result is sorted by
 * labels anyway), with Go's sort and Prometheus 2.42's orderings: ascending
 * (descending) by value, NaNs last.
 */
function sortByValue(vec: VectorValue, g: Grid, descending: boolean): VectorValue {
  if (g.count !== 1) return vec;
  const order = vec.labels.map((_, i) => i);
  const v = (i: number): number => vec.values[vec.offsets[i]!]!;
  goSort(order, descending ? (i, j) => v(j) !== v(j) || v(j) < v(i) : (i, j) => v(j) !== v(j) || v(j) > v(i));
  return reorder(vec, order);
}

/**
 * sort_by_label (Prometheus 3, experimental): by the given labels in natural
 * order (digit runs compare as numbers), then by the whole label set.
 */
function sortByLabel(ev: Evaluator, call: Call, g: Grid, descending: boolean): VectorValue {
  const vec = ev.evalVector(call.args[0]!, g);
  if (g.count !== 1) return vec;
  const names = call.args.slice(1).map((a) => stringArg(a));
  const order = vec.labels.map((_, i) => i);
  const sign = descending ? -1 : 1;
  order.sort((i, j) => {
    const a = vec.labels[i]!;
    const b = vec.labels[j]!;
    for (const name of names) {
      const c = naturalCompare(labelValue(a, name), labelValue(b, name));
      if (c !== 0) return sign * c;
    }
    return sign * compareLabels(a, b);
  });
  return reorder(vec, order);
}

/** Natural order: runs of digits compare by numeric value, everything else as text. */
export function naturalCompare(a: string, b: string): number {
  const chunks = (s: string): string[] => s.match(/\d+|\D+/g) ?? [];
  const x = chunks(a);
  const y = chunks(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p === q) continue;
    if (/^\d/.test(p) && /^\d/.test(q)) {
      const d = BigInt(p) - BigInt(q);
      if (d !== 0n) return d < 0n ? -1 : 1;
      return p.length - q.length;
    }
    return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

function reorder(vec: VectorValue, order: readonly number[]): VectorValue {
  const out = new VectorBuilder(vec.values.length);
  for (const i of order) {
    out.begin(vec.labels[i]!);
    for (let p = vec.offsets[i]!; p < vec.offsets[i + 1]!; p++) out.push(vec.steps[p]!, vec.values[p]!);
    out.end();
  }
  return out.finish();
}

function stringArg(e: Expr): string {
  const inner = unwrapParens(e);
  if (inner.kind !== 'string') throw new Error('promql: expected a string literal');
  return inner.value;
}

function labelReplace(ev: Evaluator, call: Call, g: Grid): VectorValue {
  const vec = ev.evalVector(call.args[0]!, g);
  const [dst, replacement, src, pattern] = call.args.slice(1).map(stringArg) as [string, string, string, string];
  let regex: RegExp;
  try {
    regex = compileAnchoredRegex(pattern);
  } catch {
    throw new PromqlExecutionError(`invalid regular expression in label_replace(): ${pattern}`);
  }
  if (!isValidLabelName(dst)) throw new PromqlExecutionError(`invalid destination label name in label_replace(): ${dst}`);
  const labels = vec.labels.map((l) => {
    const match = regex.exec(labelValue(l, src));
    if (match === null) return l;
    return setLabel(l, dst, expandTemplate(replacement, match));
  });
  return mergeSameLabels(relabel(vec, labels), 'perStep');
}

/**
 * Go's Regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$` for `$`; a name
 * runs as far as letters, digits and `_` go (so `$1x` names group "1x");
 * unknown groups expand to nothing; a malformed `$` stays literal.
 */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) break;
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    const ref = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(template.slice(i));
    if (ref === null) {
      out += '$';
      continue;
    }
    i += ref[0].length;
    const name = ref[1] ?? ref[2]!;
    if (/^(?:0|[1-9]\d{0,8})$/.test(name)) out += match[Number(name)] ?? '';
    else out += match.groups?.[name] ?? '';
  }
  return out + template.slice(i);
}

function labelJoin(ev: Evaluator, call: Call, g: Grid): VectorValue {
  const vec = ev.evalVector(call.args[0]!, g);
  const [dst, separator, ...sources] = call.args.slice(1).map(stringArg) as [string, string, ...string[]];
  for (const src of sources) {
    if (!isValidLabelName(src)) throw new PromqlExecutionError(`invalid source label name in label_join(): ${src}`);
  }
  if (!isValidLabelName(dst)) throw new PromqlExecutionError(`invalid destination label name in label_join(): ${dst}`);
  const labels = vec.labels.map((l) => setLabel(l, dst, sources.map((src) => labelValue(l, src)).join(separator)));
  return mergeSameLabels(relabel(vec, labels), 'perStep');
}
