// Grouping by an attribute or intrinsic written the TraceQL way
// (`span.http.route`, `resource.service.version`, `.region`, `name`,
// `status`): the SQL of its value as text, and of its value type, over a span
// row. An attribute key has one column per value type it was seen with
// (src/parts/schema.ts); a span has at most one non-NULL among them.

import { BadQueryError } from '../model/errors.js';
import { ValueType } from '../model/span-batch.js';
import { attributeColumns, type TypedColumn } from '../query/traceql/attribute-columns.js';
import type { ColumnCatalog } from '../query/traceql/compile-sql.js';
import { tokenize, type Token } from '../query/traceql/lexer.js';

export interface GroupingSql {
  /** as written, used as the label name */
  label: string;
  /** VARCHAR value; NULL when the span has none */
  valueSql: string;
  /** ValueType code of the value (String, Int, Double, Bool); NULL when missing */
  typeSql: string;
}

const FAMILY_TYPE: Record<TypedColumn['family'], number> = {
  string: ValueType.String,
  int: ValueType.Int,
  double: ValueType.Double,
  bool: ValueType.Bool,
  other: ValueType.String,
};

const KIND_SQL = "['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'][kind + 1]";
const STATUS_SQL = "['unset', 'ok', 'error'][status_code + 1]";

const INTRINSICS: Record<string, string> = {
  name: 'name',
  'span:name': 'name',
  kind: KIND_SQL,
  'span:kind': KIND_SQL,
  status: STATUS_SQL,
  'span:status': STATUS_SQL,
  statusMessage: "coalesce(status_message, '')",
  'span:statusMessage': "coalesce(status_message, '')",
  'instrumentation:name': "coalesce(scope_name, '')",
  'instrumentation:version': "coalesce(scope_version, '')",
};

function columnsValue(columns: readonly TypedColumn[]): { value: string[]; type: string[] } {
  const value: string[] = [];
  const type: string[] = [];
  for (const c of columns) {
    const v = c.emptyMeansMissing ? `nullif(${c.column}, '')` : c.column;
    value.push(`CAST(${v} AS VARCHAR)`);
    type.push(`CASE WHEN ${v} IS NOT NULL THEN ${FAMILY_TYPE[c.family]} END`);
  }
  return { value, type };
}

function coalesce(parts: readonly string[]): string {
  if (parts.length === 0) return 'NULL';
  return parts.length === 1 ? parts[0]! : `coalesce(${parts.join(', ')})`;
}

/** The grouping SQL of one attribute/intrinsic; throws BadQueryError for anything else. */
export function groupingSql(text: string, catalog: ColumnCatalog): GroupingSql {
  const what = text.trim();
  let tokens: Token[];
  try {
    tokens = tokenize(what);
  } catch {
    throw new BadQueryError(`group by: "${text}" is not an attribute`);
  }
  const t = tokens[0];
  if (!t || tokens.length !== 2 || tokens[1]!.kind !== 'eof') throw new BadQueryError(`group by: "${text}" is not one attribute`);
  const intrinsicName = t.kind === 'word' ? t.text : t.kind === 'scopedIntrinsic' ? `${t.scope}:${t.name}` : undefined;
  if (intrinsicName !== undefined) {
    const sql = INTRINSICS[intrinsicName];
    if (!sql) throw new BadQueryError(`group by: "${text}" is not an attribute or a supported intrinsic (name, kind, status, statusMessage)`);
    return { label: what, valueSql: sql, typeSql: String(ValueType.String) };
  }
  if (t.kind !== 'attribute') throw new BadQueryError(`group by: "${text}" is not an attribute`);
  let parts: { value: string[]; type: string[] };
  switch (t.scope) {
    case 'span':
    case 'resource':
      parts = columnsValue(attributeColumns(t.scope, t.name, catalog));
      break;
    case 'instrumentation':
      parts = columnsValue(attributeColumns('scope', t.name, catalog));
      break;
    case 'none': {
      // unscoped: the span's attribute when it has one, else the resource's
      const span = columnsValue(attributeColumns('span', t.name, catalog));
      const resource = columnsValue(attributeColumns('resource', t.name, catalog));
      parts = { value: [...span.value, ...resource.value], type: [...span.type, ...resource.type] };
      break;
    }
    default:
      throw new BadQueryError(`group by: ${t.scope}-scoped attributes are not supported`);
  }
  return { label: what, valueSql: coalesce(parts.value), typeSql: coalesce(parts.type) };
}

/**
 * SQL of a numeric attribute or of `duration` (in seconds, as Tempo's metrics
 * answer), as DOUBLE over a span row; NULL where the span has no number.
 */
export function numericSql(text: string, catalog: ColumnCatalog): string {
  const what = text.trim();
  if (what === 'duration' || what === 'span:duration') return 'duration_nano / 1e9';
  let tokens: Token[];
  try {
    tokens = tokenize(what);
  } catch {
    throw new BadQueryError(`traceql metrics: "${text}" is not an attribute`);
  }
  const t = tokens[0];
  if (!t || t.kind !== 'attribute' || tokens.length !== 2) throw new BadQueryError(`traceql metrics: "${text}" is not duration or a numeric attribute`);
  const scopes: ('span' | 'resource' | 'scope')[] =
    t.scope === 'none' ? ['span', 'resource'] : t.scope === 'span' || t.scope === 'resource' ? [t.scope] : t.scope === 'instrumentation' ? ['scope'] : [];
  if (scopes.length === 0) throw new BadQueryError(`traceql metrics: ${t.scope}-scoped attributes are not supported`);
  const parts: string[] = [];
  for (const scope of scopes) {
    for (const c of attributeColumns(scope, t.name, catalog)) {
      if (c.family === 'int' || c.family === 'double') parts.push(`CAST(${c.column} AS DOUBLE)`);
    }
  }
  return parts.length === 0 ? 'NULL::DOUBLE' : coalesce(parts);
}
