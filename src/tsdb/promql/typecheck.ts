// The second pass, run once the query parsed: Prometheus's type rules, in the
// order Prometheus checks them, so the first error reported is the one
// Prometheus would report. Binary-operator modifiers as written (which the AST
// drops when an operand is a scalar) come from the parser in `binaryInfo`.

import {
  describeType,
  isComparisonOp,
  isSetOp,
  METRIC_NAME_LABEL,
  type AggregateExpr,
  type BinaryExpr,
  type Call,
  type Expr,
  type MatchCardinality,
  type ValueType,
  type VectorSelector,
} from './ast.js';
import { PromqlParseError } from './errors.js';
import { AGGREGATORS } from './functions.js';
import { labelMatches } from './matchers.js';

/** A binary operator's modifiers as written, and where the operator is. */
export interface BinaryInfo {
  readonly opStart: number;
  readonly card: MatchCardinality;
  readonly on: boolean;
  readonly labels: readonly string[];
  readonly include: readonly string[];
}

export function typecheck(expr: Expr, query: string, binaryInfo: WeakMap<BinaryExpr, BinaryInfo>): void {
  new Checker(query, binaryInfo).check(expr);
}

class Checker {
  constructor(
    private readonly query: string,
    private readonly binaryInfo: WeakMap<BinaryExpr, BinaryInfo>,
  ) {}

  check(e: Expr): ValueType {
    switch (e.kind) {
      case 'number':
      case 'string':
        return e.type;
      case 'paren':
        this.check(e.expr);
        return e.type;
      case 'unary': {
        const t = this.check(e.expr);
        if (t !== 'scalar' && t !== 'vector') {
          this.fail(
            `unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(describeType(t))}`,
            e.pos.start,
          );
        }
        return e.type;
      }
      case 'subquery': {
        const t = this.check(e.expr);
        if (t !== 'vector') this.fail(`subquery is only allowed on instant vector, got ${t} instead`, e.pos.start);
        return e.type;
      }
      case 'matrixSelector':
        this.check(e.selector);
        return e.type;
      case 'vectorSelector':
        this.checkSelector(e);
        return e.type;
      case 'call':
        this.checkCall(e);
        return e.type;
      case 'aggregate':
        this.checkAggregate(e);
        return e.type;
      case 'binary':
        return this.checkBinaryChain(e);
    }
  }

  private checkSelector(e: VectorSelector): void {
    if (e.name !== null) {
      // The last matcher is the one for the name written before the braces.
      for (const m of e.matchers.slice(0, -1)) {
        if (m.name === METRIC_NAME_LABEL) {
          this.fail(`metric name must not be set twice: ${JSON.stringify(e.name)} or ${JSON.stringify(m.value)}`, e.pos.start);
        }
      }
      return;
    }
    // A selector that also matches series without any of its labels would
    // select everything, which is almost always a typo.
    if (!e.matchers.some((m) => !labelMatches(m, ''))) {
      this.fail('vector selector must contain at least one non-empty matcher', e.pos.start);
    }
  }

  private checkCall(e: Call): void {
    const { func, args } = e;
    const declared = func.argTypes.length;
    if (func.variadic === 0) {
      if (args.length !== declared) {
        this.fail(`expected ${declared} argument(s) in call to ${JSON.stringify(func.name)}, got ${args.length}`, e.pos.start);
      }
    } else {
      const min = declared - 1;
      if (args.length < min) {
        this.fail(`expected at least ${min} argument(s) in call to ${JSON.stringify(func.name)}, got ${args.length}`, e.pos.start);
      }
      if (func.variadic > 0 && args.length > min + func.variadic) {
        this.fail(
          `expected at most ${min + func.variadic} argument(s) in call to ${JSON.stringify(func.name)}, got ${args.length}`,
          e.pos.start,
        );
      }
    }
    args.forEach((arg, i) => {
      const want = func.argTypes[Math.min(i, declared - 1)]!;
      const got = this.check(arg);
      if (got !== want) {
        this.fail(
          `expected type ${describeType(want)} in call to function ${JSON.stringify(func.name)}, got ${describeType(got)}`,
          arg.pos.start,
        );
      }
    });
  }

  private checkAggregate(e: AggregateExpr): void {
    this.expectType(e.expr, 'vector', 'aggregation expression');
    const paramType = AGGREGATORS.get(e.op)!.paramType;
    if (paramType !== null && e.param !== null) this.expectType(e.param, paramType, 'aggregation parameter');
  }

  /**
   * `a + b + c + …` nests to the left as deep as the query is long, so walk
   * that spine in a loop rather than recursing once per operator.
   */
  private checkBinaryChain(top: BinaryExpr): ValueType {
    const spine: BinaryExpr[] = [];
    let node: Expr = top;
    while (node.kind === 'binary') {
      spine.push(node);
      node = node.lhs;
    }
    let lt = this.check(node);
    for (let i = spine.length - 1; i >= 0; i--) {
      const b = spine[i]!;
      this.checkBinary(b, lt, this.check(b.rhs));
      lt = b.type;
    }
    return top.type;
  }

  private checkBinary(e: BinaryExpr, lt: ValueType, rt: ValueType): void {
    const info = this.binaryInfo.get(e)!;
    if (e.returnBool && !isComparisonOp(e.op)) {
      this.fail('bool modifier can only be used on comparison operators', info.opStart);
    }
    if (isComparisonOp(e.op) && !e.returnBool && lt === 'scalar' && rt === 'scalar') {
      this.fail('comparisons between scalars must use BOOL modifier', info.opStart);
    }
    if (info.on) {
      const clash = info.labels.find((l) => info.include.includes(l));
      if (clash !== undefined) this.fail(`label ${JSON.stringify(clash)} must not occur in ON and GROUP clause at once`, info.opStart);
    }
    if (lt !== 'scalar' && lt !== 'vector') {
      this.fail('binary expression must contain only scalar and instant vector types', e.lhs.pos.start);
    }
    if (rt !== 'scalar' && rt !== 'vector') {
      this.fail('binary expression must contain only scalar and instant vector types', e.rhs.pos.start);
    }
    if (lt !== 'vector' || rt !== 'vector') {
      if (info.labels.length > 0) this.fail('vector matching only allowed between instant vectors', e.pos.start);
    } else if (isSetOp(e.op) && (info.card === 'one-to-many' || info.card === 'many-to-one')) {
      this.fail(`no grouping allowed for ${JSON.stringify(e.op)} operation`, e.pos.start);
    }
    if ((lt === 'scalar' || rt === 'scalar') && isSetOp(e.op)) {
      this.fail(`set operator ${JSON.stringify(e.op)} not allowed in binary scalar expression`, e.pos.start);
    }
  }

  private expectType(e: Expr, want: ValueType, context: string): void {
    const got = this.check(e);
    if (got !== want) this.fail(`expected type ${describeType(want)} in ${context}, got ${describeType(got)}`, e.pos.start);
  }

  private fail(detail: string, offset: number): never {
    throw new PromqlParseError(detail, this.query, offset);
  }
}
