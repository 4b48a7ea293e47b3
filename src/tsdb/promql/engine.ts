// PromQL evaluation entry points: an instant query at one time, a range
// query over start…end by step. Both fetch every selector's samples first,
// evaluate synchronously, and answer in the `data` shape of Prometheus's
// /api/v1/query and /api/v1/query_range. Semantics are Prometheus 2.42's
// (the version Debian 12 ships), which test/e2e/promql-agreement.test.ts
// checks against the real binary.

import { BadQueryError } from '../../model/errors.js';
import { describeType, type Expr } from './ast.js';
import { Evaluator } from './engine-evaluator.js';
import { compareLabels, labelsToRecord } from './engine-labels.js';
import { QueryLimits } from './engine-limits.js';
import { formatGoFloat } from './engine-math.js';
import { selectAll, type QueryTimes } from './engine-select.js';
import {
  DEFAULT_LOOKBACK_DELTA_MS,
  DEFAULT_MAX_SAMPLES,
  DEFAULT_SUBQUERY_STEP_MS,
  type EvaluateOptions,
  type PromMatrixSeries,
  type PromQueryData,
  type Queryable,
} from './engine-types.js';
import { gridTime, type Grid } from './engine-values.js';

export async function evaluateInstant(
  expr: Expr,
  tMs: number,
  queryable: Queryable,
  options: EvaluateOptions = {},
): Promise<PromQueryData> {
  const { ev, times } = await prepare(expr, tMs, tMs, queryable, options);
  const g: Grid = { startMs: tMs, stepMs: 1, count: 1 };
  const seconds = tMs / 1000;
  if (expr.type === 'matrix') return { resultType: 'matrix', result: matrixAt(ev, expr, g, times) };
  const value = ev.eval(expr, g);
  switch (value.kind) {
    case 'scalar':
      return { resultType: 'scalar', result: [seconds, formatGoFloat(value.values[0]!)] };
    case 'string':
      return { resultType: 'string', result: [seconds, value.value] };
    case 'vector':
      return {
        resultType: 'vector',
        result: value.labels.map((labels, i) => ({
          metric: labelsToRecord(labels),
          value: [seconds, formatGoFloat(value.values[value.offsets[i]!]!)],
        })),
      };
  }
}

export async function evaluateRange(
  expr: Expr,
  startMs: number,
  endMs: number,
  stepMs: number,
  queryable: Queryable,
  options: EvaluateOptions = {},
): Promise<PromQueryData> {
  if (expr.type !== 'scalar' && expr.type !== 'vector') {
    throw new BadQueryError(
      `promql: invalid expression type ${JSON.stringify(describeType(expr.type))} for range query, must be Scalar or instant Vector`,
    );
  }
  if (!(stepMs > 0)) throw new BadQueryError('promql: zero or negative query resolution step widths are not accepted');
  if (endMs < startMs) throw new BadQueryError('promql: end timestamp must not be before start time');
  const { ev } = await prepare(expr, startMs, endMs, queryable, options);
  const g: Grid = { startMs, stepMs, count: Math.floor((endMs - startMs) / stepMs) + 1 };
  const value = ev.eval(expr, g);
  if (value.kind === 'scalar') {
    const values = Array.from(value.values, (v, i): [number, string] => [gridTime(g, i) / 1000, formatGoFloat(v)]);
    return { resultType: 'matrix', result: [{ metric: {}, values }] };
  }
  if (value.kind !== 'vector') throw new Error('promql: range query evaluated to a string');
  const order = value.labels.map((_, i) => i).sort((a, b) => compareLabels(value.labels[a]!, value.labels[b]!));
  const result: PromMatrixSeries[] = order.map((i) => {
    const values: [number, string][] = [];
    for (let p = value.offsets[i]!; p < value.offsets[i + 1]!; p++) {
      values.push([gridTime(g, value.steps[p]!) / 1000, formatGoFloat(value.values[p]!)]);
    }
    return { metric: labelsToRecord(value.labels[i]!), values };
  });
  return { resultType: 'matrix', result };
}

async function prepare(
  expr: Expr,
  startMs: number,
  endMs: number,
  queryable: Queryable,
  options: EvaluateOptions,
): Promise<{ ev: Evaluator; times: QueryTimes }> {
  const times: QueryTimes = {
    startMs,
    endMs,
    lookbackDeltaMs: options.lookbackDeltaMs ?? DEFAULT_LOOKBACK_DELTA_MS,
    defaultSubqueryStepMs: options.defaultSubqueryStepMs ?? DEFAULT_SUBQUERY_STEP_MS,
  };
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  const limits = new QueryLimits(options.maxSamples ?? DEFAULT_MAX_SAMPLES, deadline, options.signal);
  const selections = await limits.guard(selectAll(expr, times, queryable));
  return { ev: new Evaluator(selections, times, limits), times };
}

/** A range-vector query at one instant: the raw samples (or subquery points) of each series' window. */
function matrixAt(ev: Evaluator, expr: Expr, g: Grid, times: QueryTimes): PromMatrixSeries[] {
  const src = ev.rangeSource(expr, g);
  const endMs = (src.atMs ?? times.startMs) - src.offsetMs;
  const startMs = endMs - src.rangeMs;
  const out: PromMatrixSeries[] = [];
  for (const s of src.series) {
    const values: [number, string][] = [];
    for (let i = 0; i < s.t.length; i++) {
      const t = s.t[i]!;
      if (t >= startMs && t <= endMs) values.push([t / 1000, formatGoFloat(s.v[i]!)]);
    }
    if (values.length > 0) {
      ev.limits.hold(values.length);
      out.push({ metric: labelsToRecord(s.labels), values });
    }
  }
  return out;
}
