// The typed PromQL syntax tree the parser produces and the evaluator walks.
// Every node records its static type the way Prometheus does (`scalar`,
// `vector` = instant vector, `matrix` = range vector, `string`) and its
// position in the query (UTF-16 offsets, end exclusive) for error messages.
// Durations and offsets are integer milliseconds; `@` timestamps are integer
// milliseconds since the epoch, rounded like Prometheus (half away from zero).

import type { FunctionDef } from './functions.js';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export interface PositionRange {
  readonly start: number;
  readonly end: number;
}

export type MatchOp = '=' | '!=' | '=~' | '!~';

/**
 * One `{name op "value"}` matcher. For `=~`/`!~`, `regex` is the value compiled
 * fully anchored (Prometheus semantics: `=~"a|b"` means `^(?:a|b)$`, and `.`
 * also matches a newline); it is null for `=` and `!=`.
 */
export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
  readonly regex: RegExp | null;
}

/** `@ <timestamp>`, `@ start()` or `@ end()` (start/end of the range query). */
export type AtModifier =
  | { readonly kind: 'timestamp'; readonly ms: number }
  | { readonly kind: 'start' }
  | { readonly kind: 'end' };

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'count'
  | 'min'
  | 'max'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'count_values'
  | 'quantile'
  | 'limitk'
  | 'limit_ratio';

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

/** How series on both sides of a vector/vector operation are paired. */
export type MatchCardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  readonly card: MatchCardinality;
  /** true for `on(labels)`, false for `ignoring(labels)` or no clause (= ignoring nothing). */
  readonly on: boolean;
  readonly labels: readonly string[];
  /** Extra labels copied from the "one" side: `group_left(include…)`. */
  readonly include: readonly string[];
}

export interface NumberLiteral {
  readonly kind: 'number';
  readonly type: 'scalar';
  readonly value: number;
  readonly pos: PositionRange;
}

export interface StringLiteral {
  readonly kind: 'string';
  readonly type: 'string';
  readonly value: string;
  readonly pos: PositionRange;
}

export interface VectorSelector {
  readonly kind: 'vectorSelector';
  readonly type: 'vector';
  /** The metric name written before the braces (`foo{…}`), or null (`{__name__="foo"}`, `{"foo"}`). */
  readonly name: string | null;
  /** All matchers; when `name` is set its `__name__="name"` matcher is the last one. */
  readonly matchers: readonly LabelMatcher[];
  /** `offset` in ms; positive looks back in time. */
  readonly offsetMs: number;
  readonly at: AtModifier | null;
  readonly pos: PositionRange;
}

/** `selector[range]`; its offset and `@` live on the inner selector, as in Prometheus. */
export interface MatrixSelector {
  readonly kind: 'matrixSelector';
  readonly type: 'matrix';
  readonly selector: VectorSelector;
  readonly rangeMs: number;
  readonly pos: PositionRange;
}

/** `expr[range:step]`; `stepMs` 0 means "the default evaluation interval". */
export interface SubqueryExpr {
  readonly kind: 'subquery';
  readonly type: 'matrix';
  readonly expr: Expr;
  readonly rangeMs: number;
  readonly stepMs: number;
  readonly offsetMs: number;
  readonly at: AtModifier | null;
  readonly pos: PositionRange;
}

export interface Call {
  readonly kind: 'call';
  readonly type: ValueType;
  readonly func: FunctionDef;
  readonly args: readonly Expr[];
  readonly pos: PositionRange;
}

export interface AggregateExpr {
  readonly kind: 'aggregate';
  readonly type: 'vector';
  readonly op: AggregateOp;
  readonly expr: Expr;
  /** k of topk/bottomk/limitk, φ of quantile, ratio of limit_ratio, label of count_values. */
  readonly param: Expr | null;
  readonly grouping: readonly string[];
  /** `without (…)` rather than `by (…)`. */
  readonly without: boolean;
  readonly pos: PositionRange;
}

export interface BinaryExpr {
  readonly kind: 'binary';
  readonly type: 'scalar' | 'vector';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  /** `bool` on a comparison: return 0/1 instead of filtering. */
  readonly returnBool: boolean;
  /** Set exactly when both operands are instant vectors. */
  readonly matching: VectorMatching | null;
  readonly pos: PositionRange;
}

export interface UnaryExpr {
  readonly kind: 'unary';
  readonly type: ValueType;
  readonly op: '-' | '+';
  readonly expr: Expr;
  readonly pos: PositionRange;
}

export interface ParenExpr {
  readonly kind: 'paren';
  readonly type: ValueType;
  readonly expr: Expr;
  readonly pos: PositionRange;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | Call
  | AggregateExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr;

export const METRIC_NAME_LABEL = '__name__';

/** Binding strength of binary operators, as in Prometheus; only `^` is right-associative. */
export const BINARY_PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '>': 3,
  '<': 3,
  '>=': 3,
  '<=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  atan2: 5,
  '^': 6,
};

/** The type names Prometheus uses in its messages. */
export function describeType(type: ValueType): string {
  switch (type) {
    case 'vector':
      return 'instant vector';
    case 'matrix':
      return 'range vector';
    default:
      return type;
  }
}

export function isComparisonOp(op: BinaryOp): op is ComparisonOp {
  return op === '==' || op === '!=' || op === '>' || op === '<' || op === '>=' || op === '<=';
}

export function isSetOp(op: BinaryOp): op is SetOp {
  return op === 'and' || op === 'or' || op === 'unless';
}

/** The direct sub-expressions of a node, left to right. */
export function childrenOf(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case 'matrixSelector':
      return [expr.selector];
    case 'subquery':
    case 'unary':
    case 'paren':
      return [expr.expr];
    case 'call':
      return expr.args;
    case 'aggregate':
      return expr.param === null ? [expr.expr] : [expr.param, expr.expr];
    case 'binary':
      return [expr.lhs, expr.rhs];
    default:
      return [];
  }
}
