// `<field> <op> <literal>` → SQL over one span row. TraceQL semantics that
// shape the SQL (Tempo's engine, checked against its docs and source):
// - a comparison whose operand types do not match is false, for every
//   operator including `!=` and `!~`: a span without the attribute, or with an
//   attribute of another type, is neither `= "a"` nor `!= "a"`;
// - numbers compare across int and float (and durations as nanoseconds);
// - regexes are fully anchored (regexp_full_match);
// - an unscoped `.foo` is the span's attribute if the span has one, else the
//   resource's;
// - `= nil` / `!= nil` test absence / presence with any type.

import { BadQueryError, UnsupportedQueryError } from '../../model/errors.js';
import type { AttributeScope as StorageScope } from '../../parts/schema.js';
import {
  SPAN_KIND_CODE,
  STATUS_CODE,
  type AttributeRef,
  type ComparisonOp,
  type Intrinsic,
  type IntrinsicRef,
  type Literal,
  type LiteralKind,
  type SourcePosition,
} from './ast.js';
import { attributeColumns, attributeExists, columnValue, type TypedColumn, type ValueFamily } from './attribute-columns.js';
import type { ColumnCatalog } from './compile-sql.js';
import { formatPosition } from './lexer.js';
import { SQL_FALSE, SQL_TRUE, quoteString, sqlAnyOf, sqlAtom, sqlCase, sqlNot, type Sql } from './sql-text.js';

const SQL_OPERATOR: Readonly<Record<ComparisonOp, string>> = {
  '=': '=',
  '!=': '<>',
  '>': '>',
  '>=': '>=',
  '<': '<',
  '<=': '<=',
  '=~': '=~',
  '!~': '!~',
};

/** Stored value families a literal can equal, most likely first. */
const FAMILIES_FOR_LITERAL: Readonly<Record<LiteralKind, readonly ValueFamily[]>> = {
  string: ['string'],
  int: ['int', 'double'],
  float: ['double', 'int'],
  duration: ['int', 'double'],
  bool: ['bool'],
  nil: [],
  status: [], // no attribute holds a status: never equal
  spanKind: [],
};

const STORAGE_SCOPE: Readonly<Record<Exclude<AttributeRef['scope'], 'none'>, StorageScope>> = {
  span: 'span',
  resource: 'resource',
  instrumentation: 'scope',
};

/** Rejects operator/literal pairs Tempo rejects (its binaryTypeValid), before any column is looked at. */
export function checkOperator(op: ComparisonOp, literal: Literal, pos: SourcePosition): void {
  const where = formatPosition(pos);
  if ((op === '=~' || op === '!~') && literal.kind !== 'string') {
    throw new BadQueryError(`traceql: operator "${op}" at ${where} needs a string pattern, not ${describeLiteral(literal)}`);
  }
  const ordered = op === '>' || op === '>=' || op === '<' || op === '<=';
  if (ordered && !['string', 'int', 'float', 'duration'].includes(literal.kind)) {
    throw new BadQueryError(`traceql: operator "${op}" at ${where} cannot order ${describeLiteral(literal)}`);
  }
}

export function compileAttributeComparison(attr: AttributeRef, op: ComparisonOp, literal: Literal, catalog: ColumnCatalog): Sql {
  if (attr.scope !== 'none') {
    const columns = attributeColumns(STORAGE_SCOPE[attr.scope], attr.name, catalog);
    return literal.kind === 'nil' ? presence(op, attributeExists(columns)) : compareColumns(columns, op, literal);
  }
  const spanColumns = attributeColumns('span', attr.name, catalog);
  const resourceColumns = attributeColumns('resource', attr.name, catalog);
  const spanHas = attributeExists(spanColumns);
  if (literal.kind === 'nil') {
    return presence(op, sqlAnyOf([spanHas, attributeExists(resourceColumns)]));
  }
  const spanMatch = compareColumns(spanColumns, op, literal);
  // without resource columns the span comparison alone is the answer: it is
  // NULL (no match) exactly where the span lacks the attribute
  if (resourceColumns.length === 0) return spanMatch;
  return sqlCase(spanHas, spanMatch, compareColumns(resourceColumns, op, literal));
}

/** `= nil` is absence, `!= nil` presence. */
function presence(op: ComparisonOp, exists: Sql): Sql {
  return op === '=' ? sqlNot(exists) : exists;
}

function compareColumns(columns: readonly TypedColumn[], op: ComparisonOp, literal: Literal): Sql {
  const value = literalSql(literal);
  const parts: Sql[] = [];
  for (const family of FAMILIES_FOR_LITERAL[literal.kind]) {
    for (const c of columns) {
      if (c.family === family) parts.push(compareValue(columnValue(c, op, value), op, value, true));
    }
  }
  return sqlAnyOf(parts);
}

function compareValue(left: string, op: ComparisonOp, right: string, nullable: boolean): Sql {
  if (op === '=~') return sqlAtom(`regexp_full_match(${left}, ${right})`, nullable);
  if (op === '!~') return sqlAtom(`NOT regexp_full_match(${left}, ${right})`, nullable);
  return sqlAtom(`${left} ${SQL_OPERATOR[op]} ${right}`, nullable);
}

// ---- intrinsics ----------------------------------------------------------------

type IntrinsicType = 'string' | 'hexId' | 'status' | 'spanKind' | 'duration';

interface IntrinsicColumn {
  type: IntrinsicType;
  /** never NULL: absent optional values read as '' as in Tempo */
  sql: string;
  /** hex digits of a full id, for left-padding short ids as Tempo does */
  idHexDigits?: number;
  /** the raw column, for `= nil` on the intrinsics that can be absent */
  absentWhenNull?: string;
}

/**
 * Trace-level values joined onto every span row where the caller can
 * (ColumnCatalog.traceLevel: search, from trace summaries); NULL root
 * columns: no root span received.
 */
export const TRACE_LEVEL_COLUMNS = {
  duration: '__trace_duration_nano',
  rootService: '__trace_root_service',
  rootName: '__trace_root_name',
} as const;

const TRACE_LEVEL_INTRINSICS: Readonly<Partial<Record<Intrinsic, IntrinsicColumn>>> = {
  'trace:duration': { type: 'duration', sql: TRACE_LEVEL_COLUMNS.duration },
  'trace:rootService': { type: 'string', sql: `coalesce(${TRACE_LEVEL_COLUMNS.rootService}, '')`, absentWhenNull: TRACE_LEVEL_COLUMNS.rootService },
  'trace:rootName': { type: 'string', sql: `coalesce(${TRACE_LEVEL_COLUMNS.rootName}, '')`, absentWhenNull: TRACE_LEVEL_COLUMNS.rootName },
};

const INTRINSIC_COLUMNS: Readonly<Partial<Record<Intrinsic, IntrinsicColumn>>> = {
  'span:name': { type: 'string', sql: 'name' },
  'span:statusMessage': { type: 'string', sql: "coalesce(status_message, '')" },
  'span:kind': { type: 'spanKind', sql: 'kind' },
  'span:status': { type: 'status', sql: 'status_code' },
  'span:duration': { type: 'duration', sql: 'duration_nano' },
  'span:id': { type: 'hexId', sql: 'lower(hex(span_id))', idHexDigits: 16 },
  'span:parentID': {
    type: 'hexId',
    sql: "coalesce(lower(hex(parent_span_id)), '')",
    idHexDigits: 16,
    absentWhenNull: 'parent_span_id',
  },
  'trace:id': { type: 'hexId', sql: 'lower(hex(trace_id))', idHexDigits: 32 },
  'instrumentation:name': { type: 'string', sql: "coalesce(scope_name, '')" },
  'instrumentation:version': { type: 'string', sql: "coalesce(scope_version, '')" },
};

const LITERALS_FOR_INTRINSIC: Readonly<Record<IntrinsicType, readonly LiteralKind[]>> = {
  string: ['string'],
  hexId: ['string'],
  status: ['status'],
  spanKind: ['spanKind'],
  duration: ['duration', 'int', 'float'],
};

export function compileIntrinsicComparison(ref: IntrinsicRef, op: ComparisonOp, literal: Literal, pos: SourcePosition, catalog: ColumnCatalog): Sql {
  const column = INTRINSIC_COLUMNS[ref.name] ?? (catalog.traceLevel ? TRACE_LEVEL_INTRINSICS[ref.name] : undefined);
  if (column === undefined) {
    // rootName, rootServiceName, traceDuration need the whole trace, which a
    // span row carries only where the caller joins it (search)
    throw new UnsupportedQueryError(`traceql: trace-level intrinsic "${ref.text}" at ${formatPosition(ref.pos)} is not supported yet`);
  }
  if (literal.kind === 'nil') {
    if (column.absentWhenNull === undefined) return op === '=' ? SQL_FALSE : SQL_TRUE;
    return sqlAtom(`${column.absentWhenNull} ${op === '=' ? 'IS NULL' : 'IS NOT NULL'}`, false);
  }
  if (!LITERALS_FOR_INTRINSIC[column.type].includes(literal.kind)) {
    throw new BadQueryError(`traceql: cannot compare ${ref.text} with ${describeLiteral(literal)} at ${formatPosition(pos)}`);
  }
  let value = literalSql(literal);
  if (column.idHexDigits !== undefined && literal.kind === 'string' && op !== '=~' && op !== '!~') {
    value = quoteString(normalizeHexId(literal.value, column.idHexDigits));
  }
  return compareValue(column.sql, op, value, false);
}

/** Lower-case, and left-pad short all-hex ids with zeros (`"abc"` is trace 0…0abc). */
function normalizeHexId(text: string, digits: number): string {
  const lower = text.toLowerCase();
  return /^[0-9a-f]+$/.test(lower) && lower.length < digits ? lower.padStart(digits, '0') : lower;
}

// ---- literals -----------------------------------------------------------------

const COMPARABLE_GROUP: Readonly<Record<LiteralKind, string>> = {
  string: 'string',
  int: 'number',
  float: 'number',
  duration: 'number',
  bool: 'bool',
  nil: 'nil',
  status: 'status',
  spanKind: 'spanKind',
};

/** `"a" = "b"`, `1 < 2s`: evaluated by DuckDB; mismatched types are an error as in Tempo. */
export function compileLiteralComparison(op: ComparisonOp, left: Literal, right: Literal, pos: SourcePosition): Sql {
  if (COMPARABLE_GROUP[left.kind] !== COMPARABLE_GROUP[right.kind]) {
    throw new BadQueryError(
      `traceql: cannot compare ${describeLiteral(left)} with ${describeLiteral(right)} at ${formatPosition(pos)}`,
    );
  }
  if (left.kind === 'nil') return op === '=' ? SQL_TRUE : SQL_FALSE;
  return compareValue(literalSql(left), op, literalSql(right), false);
}

/** SQL text of a literal; durations are nanoseconds, status and kind their OTLP codes. */
export function literalSql(literal: Literal): string {
  switch (literal.kind) {
    case 'string':
      return quoteString(literal.value);
    case 'int':
      return literal.value.toString();
    case 'float': {
      const text = String(literal.value);
      return /[.eE]/.test(text) ? text : `${text}.0`;
    }
    case 'duration':
      return literal.nanos.toString();
    case 'bool':
      return literal.value ? 'true' : 'false';
    case 'nil':
      return 'NULL';
    case 'status':
      return String(STATUS_CODE[literal.value]);
    case 'spanKind':
      return String(SPAN_KIND_CODE[literal.value]);
  }
}

export function describeLiteral(literal: Literal): string {
  switch (literal.kind) {
    case 'string':
      return 'a string';
    case 'int':
      return 'an integer';
    case 'float':
      return 'a float';
    case 'duration':
      return 'a duration';
    case 'bool':
      return 'a boolean';
    case 'nil':
      return 'nil';
    case 'status':
      return 'a status';
    case 'spanKind':
      return 'a span kind';
  }
}
