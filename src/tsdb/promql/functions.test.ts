import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UnsupportedQueryError } from '../../model/errors.js';
import { describeType, type ValueType } from './ast.js';
import { PromqlParseError } from './errors.js';
import { AGGREGATORS, FUNCTIONS, type FunctionDef } from './functions.js';
import { parsePromql } from './parser.js';

/** An argument of each type. */
const SAMPLE: Readonly<Record<ValueType, string>> = {
  scalar: '0.5',
  vector: 'up{job="api"}',
  matrix: 'up{job="api"}[5m]',
  string: '"label"',
};
/** For each type, an argument of some other type. */
const WRONG: Readonly<Record<ValueType, ValueType>> = {
  scalar: 'vector',
  vector: 'matrix',
  matrix: 'vector',
  string: 'scalar',
};

function call(f: FunctionDef, types: readonly ValueType[]): string {
  return `${f.name}(${types.map((t) => SAMPLE[t]).join(', ')})`;
}

function parseSupported(query: string): ReturnType<typeof parsePromql> | UnsupportedQueryError {
  try {
    return parsePromql(query);
  } catch (err) {
    if (err instanceof UnsupportedQueryError) return err;
    throw err;
  }
}

const EXPECTED_NAMES = [
  'abs', 'absent', 'absent_over_time', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'avg_over_time', 'ceil',
  'changes', 'clamp', 'clamp_max', 'clamp_min', 'cos', 'cosh', 'count_over_time', 'day_of_month', 'day_of_week',
  'day_of_year', 'days_in_month', 'deg', 'delta', 'deriv', 'double_exponential_smoothing', 'exp', 'first_over_time',
  'floor', 'histogram_avg', 'histogram_count', 'histogram_fraction', 'histogram_quantile', 'histogram_quantiles',
  'histogram_stddev', 'histogram_stdvar', 'histogram_sum', 'holt_winters', 'hour', 'idelta', 'increase', 'info',
  'irate', 'label_join', 'label_replace', 'last_over_time', 'ln', 'log10', 'log2', 'mad_over_time', 'max_over_time',
  'min_over_time', 'minute', 'month', 'pi', 'predict_linear', 'present_over_time', 'quantile_over_time', 'rad', 'rate',
  'resets', 'round', 'scalar', 'sgn', 'sin', 'sinh', 'sort', 'sort_by_label', 'sort_by_label_desc', 'sort_desc', 'sqrt',
  'stddev_over_time', 'stdvar_over_time', 'sum_over_time', 'tan', 'tanh', 'time', 'timestamp', 'ts_of_first_over_time',
  'ts_of_last_over_time', 'ts_of_max_over_time', 'ts_of_min_over_time', 'vector', 'year',
];

describe('the function table', () => {
  it('lists every Prometheus function', () => {
    assert.deepEqual([...FUNCTIONS.keys()].sort(), [...EXPECTED_NAMES].sort());
  });

  it('marks only native-histogram functions and info as unsupported', () => {
    const unsupported = [...FUNCTIONS.values()].filter((f) => f.unsupported !== null).map((f) => f.name);
    assert.deepEqual(unsupported.sort(), [
      'histogram_avg', 'histogram_count', 'histogram_fraction', 'histogram_quantiles', 'histogram_stddev',
      'histogram_stdvar', 'histogram_sum', 'info',
    ]);
  });

  const SIGNATURES: ReadonlyArray<readonly [string, string]> = [
    ['rate', 'matrix -> vector'],
    ['irate', 'matrix -> vector'],
    ['increase', 'matrix -> vector'],
    ['delta', 'matrix -> vector'],
    ['idelta', 'matrix -> vector'],
    ['deriv', 'matrix -> vector'],
    ['changes', 'matrix -> vector'],
    ['resets', 'matrix -> vector'],
    ['absent_over_time', 'matrix -> vector'],
    ['present_over_time', 'matrix -> vector'],
    ['last_over_time', 'matrix -> vector'],
    ['quantile_over_time', 'scalar, matrix -> vector'],
    ['predict_linear', 'matrix, scalar -> vector'],
    ['holt_winters', 'matrix, scalar, scalar -> vector'],
    ['double_exponential_smoothing', 'matrix, scalar, scalar -> vector'],
    ['histogram_quantile', 'scalar, vector -> vector'],
    ['histogram_fraction', 'scalar, scalar, vector -> vector'],
    ['clamp', 'vector, scalar, scalar -> vector'],
    ['clamp_min', 'vector, scalar -> vector'],
    ['clamp_max', 'vector, scalar -> vector'],
    ['round', 'vector, scalar? -> vector'],
    ['hour', 'vector? -> vector'],
    ['year', 'vector? -> vector'],
    ['days_in_month', 'vector? -> vector'],
    ['label_replace', 'vector, string, string, string, string -> vector'],
    ['label_join', 'vector, string, string, string* -> vector'],
    ['sort_by_label', 'vector, string* -> vector'],
    ['scalar', 'vector -> scalar'],
    ['vector', 'scalar -> vector'],
    ['time', '-> scalar'],
    ['pi', '-> scalar'],
    ['absent', 'vector -> vector'],
    ['timestamp', 'vector -> vector'],
    ['sgn', 'vector -> vector'],
  ];
  for (const [name, signature] of SIGNATURES) {
    it(`types ${name} as ${signature}`, () => {
      const f = FUNCTIONS.get(name)!;
      const args = f.argTypes.map((t, i) => {
        const last = i === f.argTypes.length - 1;
        if (last && f.variadic === -1) return `${t}*`;
        if (last && f.variadic > 0) return `${t}?`;
        return t;
      });
      assert.equal(`${args.join(', ')}${args.length > 0 ? ' ' : ''}-> ${f.returnType}`, signature);
    });
  }
});

describe('function calls', () => {
  for (const f of FUNCTIONS.values()) {
    it(`accepts ${call(f, f.argTypes)} and types it ${f.returnType}`, () => {
      const result = parseSupported(call(f, f.argTypes));
      if (f.unsupported !== null) {
        assert.ok(result instanceof UnsupportedQueryError);
        assert.match(result.message, new RegExp(`the function "${f.name}" \\(${f.unsupported}\\) is not supported`));
        return;
      }
      assert.ok(!(result instanceof UnsupportedQueryError));
      assert.equal(result.kind, 'call');
      assert.equal(result.type, f.returnType);
      if (result.kind === 'call') {
        assert.equal(result.func, f);
        assert.deepEqual(
          result.args.map((a) => a.type),
          f.argTypes,
        );
      }
    });

    f.argTypes.forEach((want, i) => {
      const types = f.argTypes.map((t, j) => (j === i ? WRONG[want] : t));
      const query = call(f, types);
      it(`rejects ${query}: argument ${i + 1} must be ${describeType(want)}`, () => {
        assert.throws(
          () => parsePromql(query),
          (err: unknown) =>
            err instanceof PromqlParseError &&
            err.detail ===
              `expected type ${describeType(want)} in call to function "${f.name}", got ${describeType(WRONG[want])}`,
        );
      });
    });

    const min = f.variadic === 0 ? f.argTypes.length : f.argTypes.length - 1;
    if (min > 0) {
      const query = call(f, f.argTypes.slice(0, min - 1));
      it(`rejects ${query}: too few arguments`, () => {
        const expected =
          f.variadic === 0
            ? `expected ${min} argument(s) in call to "${f.name}", got ${min - 1}`
            : `expected at least ${min} argument(s) in call to "${f.name}", got ${min - 1}`;
        assert.throws(() => parsePromql(query), (err: unknown) => err instanceof PromqlParseError && err.detail === expected);
      });
    }

    if (f.variadic !== -1) {
      const max = f.argTypes.length - 1 + Math.max(f.variadic, 1);
      const types = [...f.argTypes, ...Array<ValueType>(max + 1 - f.argTypes.length).fill(f.argTypes.at(-1) ?? 'scalar')];
      const query = call(f, types);
      it(`rejects ${query}: too many arguments`, () => {
        const expected =
          f.variadic === 0
            ? `expected ${max} argument(s) in call to "${f.name}", got ${max + 1}`
            : `expected at most ${max} argument(s) in call to "${f.name}", got ${max + 1}`;
        assert.throws(() => parsePromql(query), (err: unknown) => err instanceof PromqlParseError && err.detail === expected);
      });
    }
  }

  it('lets optional arguments be left out', () => {
    for (const name of ['hour', 'minute', 'month', 'year', 'day_of_month', 'day_of_week', 'day_of_year', 'days_in_month']) {
      assert.equal(parsePromql(`${name}()`).kind, 'call');
      assert.equal(parsePromql(`${name}(up)`).kind, 'call');
    }
    assert.equal(parsePromql('round(up)').kind, 'call');
    assert.equal(parsePromql('round(up, 0.5)').kind, 'call');
  });

  it('repeats the last argument type of label_join and sort_by_label', () => {
    const e = parsePromql('label_join(up, "dst", "-", "a", "b", "c", "d")');
    assert.ok(e.kind === 'call' && e.args.length === 7);
    assert.throws(() => parsePromql('label_join(up, "dst", "-", "a", 1)'), /1:33: parse error: expected type string/);
    assert.equal(parsePromql('sort_by_label_desc(up)').kind, 'call');
  });

  it('takes expressions of the right type, not only literals', () => {
    assert.equal(parsePromql('clamp(up, scalar(min(up)), time() - 1)').type, 'vector');
    assert.equal(parsePromql('quantile_over_time(scalar(x), rate(y[5m])[1h:])').type, 'vector');
    assert.equal(parsePromql('histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))').type, 'vector');
    assert.equal(parsePromql('vector(time())').type, 'vector');
    assert.equal(parsePromql('label_replace(up, "a", "$1", "b", `(.+)`)').type, 'vector');
  });
});

describe('aggregations', () => {
  const SAMPLE_PARAM: Readonly<Record<string, string>> = { scalar: '3', string: '"value"' };
  for (const a of AGGREGATORS.values()) {
    const param = a.paramType === null ? '' : `${SAMPLE_PARAM[a.paramType]}, `;
    for (const form of [`${a.op}(${param}up)`, `${a.op} by (job) (${param}up)`, `${a.op}(${param}up) without (job)`]) {
      it(`accepts ${form}`, () => {
        const e = parsePromql(form);
        assert.equal(e.kind, 'aggregate');
        assert.equal(e.type, 'vector');
        if (e.kind === 'aggregate') {
          assert.equal(e.op, a.op);
          assert.equal(e.param === null, a.paramType === null);
        }
      });
    }
    if (a.paramType !== null) {
      it(`rejects ${a.op}(up) without its parameter`, () => {
        assert.throws(() => parsePromql(`${a.op}(up)`), /wrong number of arguments for aggregate expression provided, expected 2, got 1/);
      });
      const wrong = a.paramType === 'scalar' ? '"x"' : '1';
      it(`rejects ${a.op}(${wrong}, up): the parameter must be a ${a.paramType}`, () => {
        assert.throws(() => parsePromql(`${a.op}(${wrong}, up)`), new RegExp(`expected type ${a.paramType} in aggregation parameter`));
      });
    } else {
      it(`rejects ${a.op}(1, up): it takes no parameter`, () => {
        assert.throws(() => parsePromql(`${a.op}(1, up)`), /expected 1, got 2/);
      });
    }
    it(`rejects ${a.op} over a range vector`, () => {
      assert.throws(() => parsePromql(`${a.op}(${param}up[5m])`), /expected type instant vector in aggregation expression, got range vector/);
    });
  }
});
