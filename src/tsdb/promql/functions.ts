// Every PromQL function Prometheus 2.x/3.x knows, with argument and return
// types. `variadic` says how many arguments a call may have: 0 = exactly
// argTypes.length; n > 0 = from argTypes.length - 1 up to argTypes.length - 1 + n
// (round's optional to_nearest; hour() defaulting to vector(time()));
// -1 = at least argTypes.length - 1, the last type repeating without limit
// (label_join's source labels).

import type { AggregateOp, ValueType } from './ast.js';

export interface FunctionDef {
  readonly name: string;
  readonly argTypes: readonly ValueType[];
  readonly variadic: number;
  readonly returnType: ValueType;
  /** Prometheus 3 accepts it only with --enable-feature=promql-experimental-functions. */
  readonly experimental: boolean;
  /** Why marquetry does not evaluate it, or null when it does. */
  readonly unsupported: string | null;
}

const NATIVE_HISTOGRAMS = 'native histograms';

function fn(
  name: string,
  argTypes: readonly ValueType[],
  returnType: ValueType,
  extra: { variadic?: number; experimental?: boolean; unsupported?: string } = {},
): FunctionDef {
  return {
    name,
    argTypes,
    variadic: extra.variadic ?? 0,
    returnType,
    experimental: extra.experimental ?? false,
    unsupported: extra.unsupported ?? null,
  };
}

const V: ValueType = 'vector';
const M: ValueType = 'matrix';
const S: ValueType = 'scalar';
const STR: ValueType = 'string';

/** instant vector → instant vector, element-wise. */
const ELEMENTWISE = [
  'abs', 'ceil', 'exp', 'floor', 'ln', 'log2', 'log10', 'sgn', 'sqrt', 'timestamp',
  'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'cos', 'cosh', 'sin', 'sinh', 'tan', 'tanh', 'deg', 'rad',
];
/** Calendar functions; the vector argument defaults to vector(time()). */
const CALENDAR = ['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'];
/** range vector → instant vector. */
const OVER_RANGE = [
  'absent_over_time', 'avg_over_time', 'changes', 'count_over_time', 'delta', 'deriv', 'idelta', 'increase', 'irate',
  'last_over_time', 'max_over_time', 'min_over_time', 'present_over_time', 'rate', 'resets', 'stddev_over_time',
  'stdvar_over_time', 'sum_over_time',
];
const EXPERIMENTAL_OVER_RANGE = [
  'mad_over_time', 'first_over_time', 'ts_of_first_over_time', 'ts_of_last_over_time', 'ts_of_max_over_time',
  'ts_of_min_over_time',
];

const ALL: readonly FunctionDef[] = [
  ...ELEMENTWISE.map((name) => fn(name, [V], V)),
  ...CALENDAR.map((name) => fn(name, [V], V, { variadic: 1 })),
  ...OVER_RANGE.map((name) => fn(name, [M], V)),
  ...EXPERIMENTAL_OVER_RANGE.map((name) => fn(name, [M], V, { experimental: true })),
  fn('absent', [V], V),
  fn('clamp', [V, S, S], V),
  fn('clamp_max', [V, S], V),
  fn('clamp_min', [V, S], V),
  fn('round', [V, S], V, { variadic: 1 }),
  fn('scalar', [V], S),
  fn('vector', [S], V),
  fn('time', [], S),
  fn('pi', [], S),
  fn('sort', [V], V),
  fn('sort_desc', [V], V),
  fn('sort_by_label', [V, STR], V, { variadic: -1, experimental: true }),
  fn('sort_by_label_desc', [V, STR], V, { variadic: -1, experimental: true }),
  fn('label_replace', [V, STR, STR, STR, STR], V),
  fn('label_join', [V, STR, STR, STR], V, { variadic: -1 }),
  fn('quantile_over_time', [S, M], V),
  fn('predict_linear', [M, S], V),
  // Prometheus 2.x name; 3.x renamed it and made it experimental.
  fn('holt_winters', [M, S, S], V),
  fn('double_exponential_smoothing', [M, S, S], V, { experimental: true }),
  fn('histogram_quantile', [S, V], V),
  fn('histogram_count', [V], V, { unsupported: NATIVE_HISTOGRAMS }),
  fn('histogram_sum', [V], V, { unsupported: NATIVE_HISTOGRAMS }),
  fn('histogram_avg', [V], V, { unsupported: NATIVE_HISTOGRAMS }),
  fn('histogram_stddev', [V], V, { unsupported: NATIVE_HISTOGRAMS }),
  fn('histogram_stdvar', [V], V, { unsupported: NATIVE_HISTOGRAMS }),
  fn('histogram_fraction', [S, S, V], V, { unsupported: NATIVE_HISTOGRAMS }),
  fn('histogram_quantiles', [V, STR, S, S], V, { variadic: 9, experimental: true, unsupported: NATIVE_HISTOGRAMS }),
  fn('info', [V, V], V, { variadic: 1, experimental: true, unsupported: 'info metrics enrichment' }),
];

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(ALL.map((f) => [f.name, f]));

/** Function names are case-sensitive, as in Prometheus. */
export function lookupFunction(name: string): FunctionDef | undefined {
  return FUNCTIONS.get(name);
}

export interface AggregatorDef {
  readonly op: AggregateOp;
  /** Type of the leading parameter (`topk(5, …)`), or null when it takes none. */
  readonly paramType: ValueType | null;
  readonly experimental: boolean;
}

const AGGREGATOR_LIST: readonly AggregatorDef[] = [
  { op: 'sum', paramType: null, experimental: false },
  { op: 'avg', paramType: null, experimental: false },
  { op: 'count', paramType: null, experimental: false },
  { op: 'min', paramType: null, experimental: false },
  { op: 'max', paramType: null, experimental: false },
  { op: 'group', paramType: null, experimental: false },
  { op: 'stddev', paramType: null, experimental: false },
  { op: 'stdvar', paramType: null, experimental: false },
  { op: 'topk', paramType: 'scalar', experimental: false },
  { op: 'bottomk', paramType: 'scalar', experimental: false },
  { op: 'quantile', paramType: 'scalar', experimental: false },
  { op: 'count_values', paramType: 'string', experimental: false },
  { op: 'limitk', paramType: 'scalar', experimental: true },
  { op: 'limit_ratio', paramType: 'scalar', experimental: true },
];

export const AGGREGATORS: ReadonlyMap<string, AggregatorDef> = new Map(AGGREGATOR_LIST.map((a) => [a.op, a]));
