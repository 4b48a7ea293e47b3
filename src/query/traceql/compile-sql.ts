// TraceQL → SQL for the search executor's single scan (seed 000: conditional
// aggregation, never a UNION of scans):
//
//   SELECT trace_id, bool_or(<spansets[0]>) AS m0, bool_or(<spansets[1]>) AS m1, …
//   FROM spans WHERE <time range> AND (<anySpanset>)
//   GROUP BY trace_id HAVING <traceCondition>
//
// Each spanset filter becomes one boolean over a span row; spanset `&&` / `||`
// become AND / OR over the per-trace m0, m1, …. Columns come from the catalog,
// so an attribute nobody ever sent compiles to FALSE instead of a SQL error.

import { BadQueryError, UnsupportedQueryError } from '../../model/errors.js';
import { everyFieldLeaf, everySpansetFilter, isLiteral, type Comparison, type FieldLeaf, type ComparisonOp, type FieldExpr, type Intrinsic, type SpansetExpr } from './ast.js';
import {
  checkOperator,
  compileAttributeComparison,
  compileIntrinsicComparison,
  compileLiteralComparison,
  describeLiteral,
  TRACE_LEVEL_COLUMNS,
} from './compile-comparison.js';
import { formatPosition } from './lexer.js';
import { parseTraceQL } from './parser.js';
import { SQL_FALSE, sqlAnd, sqlAnyOf, sqlAtom, sqlBool, sqlNot, sqlOr, type Sql } from './sql-text.js';

export interface ColumnCatalog {
  /** every column name present in at least one part/staging file, with its DuckDB type */
  has(column: string): boolean;
  /**
   * Span rows carry the trace-level columns (TRACE_LEVEL_COLUMNS), so
   * trace:duration, trace:rootService and trace:rootName compile; otherwise
   * they are unsupported.
   */
  traceLevel?: boolean;
}

export interface CompiledTraceQL {
  /** one SQL boolean expression per spanset, over a row of the spans table; safe to inline (literals escaped) */
  spansets: string[];
  /** how the spansets combine at trace level, as SQL over the per-trace booleans m0, m1, … (e.g. "m0 AND (m1 OR m2)") */
  traceCondition: string;
  /** OR of all spanset expressions: a row filter to apply before grouping by trace */
  anySpanset: string;
}

/**
 * Does some spanset read a trace-level column (compiled with
 * ColumnCatalog.traceLevel)? The names cannot be attribute columns (those
 * carry a scope prefix); a string literal spelling one only costs a join.
 */
export function usesTraceLevel(plan: CompiledTraceQL): boolean {
  return readsTraceLevel(plan.anySpanset);
}

/** Does this compiled SQL (a spanset's condition) read a trace-level column? */
export function readsTraceLevel(sql: string): boolean {
  return Object.values(TRACE_LEVEL_COLUMNS).some((c) => sql.includes(c));
}

/**
 * Compiles a TraceQL search query. Spanset expressions may evaluate to NULL
 * where attributes are missing; NULL means "no match" (WHERE, bool_or and
 * HAVING all read it so). A spanset that can never match compiles to FALSE,
 * and so does the trace condition when it cannot hold.
 * Throws BadQueryError (syntax, type errors) or UnsupportedQueryError.
 */
export function compileTraceQL(query: string, columns: ColumnCatalog): CompiledTraceQL {
  const ast = parseTraceQL(query);
  const spansets: Sql[] = [];
  const combine = (e: SpansetExpr): Sql => {
    if (e.kind === 'spansetFilter') {
      const index = spansets.length;
      const condition = compileCondition(e.expr, columns);
      spansets.push(condition);
      return condition.shape === 'false' ? SQL_FALSE : sqlAtom(`m${index}`, true);
    }
    const left = combine(e.left);
    const right = combine(e.right);
    return e.op === 'and' ? sqlAnd(left, right) : sqlOr(left, right);
  };
  const traceCondition = combine(ast);
  return {
    spansets: spansets.map((s) => s.text),
    traceCondition: traceCondition.text,
    anySpanset: sqlAnyOf(spansets).text,
  };
}

const WHOLE_TRACE_INTRINSICS: ReadonlySet<Intrinsic> = new Set<Intrinsic>(['trace:duration', 'trace:rootService', 'trace:rootName']);

/**
 * Does no spanset of the query look at a single span (`{}`, or trace-level
 * intrinsics only)? Then every span of a trace matches or none does, and a
 * search can find traces from trace summaries instead of spans.
 */
export function isSpanFree(query: string): boolean {
  const leafFree = (leaf: FieldLeaf): boolean => (leaf.kind === 'attribute' ? false : leaf.kind === 'intrinsic' ? WHOLE_TRACE_INTRINSICS.has(leaf.name) : true);
  return everySpansetFilter(parseTraceQL(query), (expr) => everyFieldLeaf(expr, leafFree));
}

/** A field expression in boolean position: the body of `{ … }`, an operand of `&&`, `||`, `!`. */
function compileCondition(e: FieldExpr, columns: ColumnCatalog): Sql {
  switch (e.kind) {
    case 'bool':
      return sqlBool(e.value);
    case 'logical': {
      const left = compileCondition(e.left, columns);
      const right = compileCondition(e.right, columns);
      return e.op === 'and' ? sqlAnd(left, right) : sqlOr(left, right);
    }
    case 'not':
      return sqlNot(compileCondition(e.operand, columns));
    case 'comparison':
      return compileComparison(e, columns);
    case 'attribute':
      // a bare attribute is a comparison with true (Tempo: boolean attributes as operands)
      return compileAttributeComparison(e, '=', { kind: 'bool', value: true, pos: e.pos }, columns);
    case 'intrinsic':
      throw new BadQueryError(`traceql: ${e.text} at ${formatPosition(e.pos)} is not a condition; compare it with a value`);
    default:
      throw new BadQueryError(`traceql: ${describeLiteral(e)} at ${formatPosition(e.pos)} is not a condition`);
  }
}

/** `5 < x` is `x > 5` */
const MIRRORED: Readonly<Record<ComparisonOp, ComparisonOp>> = {
  '=': '=',
  '!=': '!=',
  '>': '<',
  '>=': '<=',
  '<': '>',
  '<=': '>=',
  '=~': '=~',
  '!~': '!~',
};

function compileComparison(c: Comparison, columns: ColumnCatalog): Sql {
  const where = formatPosition(c.pos);
  let { left, right, op } = c;
  if (isLiteral(left) && isLiteral(right)) {
    checkOperator(op, left, c.pos);
    checkOperator(op, right, c.pos);
    return compileLiteralComparison(op, left, right, c.pos);
  }
  if (isLiteral(left)) {
    if (op === '=~' || op === '!~') {
      throw new BadQueryError(`traceql: the pattern of "${op}" at ${where} must be on its right`);
    }
    [left, right, op] = [right, left, MIRRORED[op]];
  }
  if (!isLiteral(right)) {
    throw new UnsupportedQueryError(`traceql: comparison between two fields at ${where} is not supported yet`);
  }
  checkOperator(op, right, c.pos);
  switch (left.kind) {
    case 'attribute':
      return compileAttributeComparison(left, op, right, columns);
    case 'intrinsic':
      return compileIntrinsicComparison(left, op, right, c.pos, columns);
    default: {
      // a condition compared with a boolean: `(span.a = 1) = false`
      if (right.kind !== 'bool') {
        throw new BadQueryError(`traceql: cannot compare a condition with ${describeLiteral(right)} at ${where}`);
      }
      const condition = compileCondition(left, columns);
      return (op === '=') === right.value ? condition : sqlNot(condition);
    }
  }
}
