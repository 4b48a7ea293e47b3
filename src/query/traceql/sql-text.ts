// Building DuckDB boolean SQL safely: identifiers always double-quoted, string
// literals always single-quoted with quotes doubled, and a tiny expression type
// that folds TRUE/FALSE and parenthesises by shape instead of by guesswork.
//
// NULL convention: a condition may evaluate to NULL where an attribute is
// missing; every consumer (WHERE, bool_or, HAVING) treats NULL as "no match",
// which is TraceQL's answer for a missing attribute. Only negation would turn
// NULL into the wrong answer, so `sqlNot` coalesces nullable operands first.

import { BadQueryError } from '../../model/errors.js';
import { sqlIdent, sqlString } from '../../engine/sql-quote.js';

export interface Sql {
  readonly text: string;
  /** may evaluate to NULL (meaning: no match) */
  readonly nullable: boolean;
  readonly shape: 'true' | 'false' | 'atom' | 'and' | 'or' | 'not';
  /** for shape 'not': the operand, so double negation unwraps */
  readonly negated?: Sql;
}

export const SQL_TRUE: Sql = { text: 'TRUE', nullable: false, shape: 'true' };
export const SQL_FALSE: Sql = { text: 'FALSE', nullable: false, shape: 'false' };

/** A self-contained boolean expression (comparison, function call, CASE). */
export function sqlAtom(text: string, nullable: boolean): Sql {
  return { text, nullable, shape: 'atom' };
}

export function sqlBool(value: boolean): Sql {
  return value ? SQL_TRUE : SQL_FALSE;
}

export function sqlAnd(a: Sql, b: Sql): Sql {
  if (a.shape === 'false' || b.shape === 'false') return SQL_FALSE;
  if (a.shape === 'true') return b;
  if (b.shape === 'true') return a;
  return {
    text: `${operand(a, 'and')} AND ${operand(b, 'and')}`,
    nullable: a.nullable || b.nullable,
    shape: 'and',
  };
}

export function sqlOr(a: Sql, b: Sql): Sql {
  if (a.shape === 'true' || b.shape === 'true') return SQL_TRUE;
  if (a.shape === 'false') return b;
  if (b.shape === 'false') return a;
  return {
    text: `${operand(a, 'or')} OR ${operand(b, 'or')}`,
    nullable: a.nullable || b.nullable,
    shape: 'or',
  };
}

export function sqlAnyOf(items: readonly Sql[]): Sql {
  return items.reduce(sqlOr, SQL_FALSE);
}

/** Two-valued negation: a NULL (missing attribute) operand counts as false, so NOT gives true. */
export function sqlNot(a: Sql): Sql {
  if (a.shape === 'true') return SQL_FALSE;
  if (a.shape === 'false') return SQL_TRUE;
  if (a.negated) return a.negated;
  const text = a.nullable ? `NOT coalesce(${a.text}, false)` : `NOT (${a.text})`;
  return { text, nullable: false, shape: 'not', negated: a };
}

/** `CASE WHEN <when> THEN <then> ELSE <otherwise> END`, folded when `when` is constant. */
export function sqlCase(when: Sql, then: Sql, otherwise: Sql): Sql {
  if (when.shape === 'true') return then;
  if (when.shape === 'false') return otherwise;
  if (then.text === otherwise.text) return then;
  const text = `CASE WHEN ${grouped(when)} THEN ${grouped(then)} ELSE ${grouped(otherwise)} END`;
  return sqlAtom(text, then.nullable || otherwise.nullable);
}

function grouped(x: Sql): string {
  return x.shape === 'and' || x.shape === 'or' ? `(${x.text})` : x.text;
}

function operand(x: Sql, parent: 'and' | 'or'): string {
  return x.shape === parent || x.shape === 'atom' || x.shape === 'not' ? x.text : `(${x.text})`;
}

/** `"span.http.route"`: every column name goes through here (names contain dots and may contain quotes). */
export function quoteIdentifier(name: string): string {
  return sqlIdent(rejectNul(name));
}

export function quoteString(value: string): string {
  return sqlString(rejectNul(value));
}

function rejectNul(text: string): string {
  if (text.includes('\0')) throw new BadQueryError('traceql: NUL characters are not allowed in names or strings');
  return text;
}
