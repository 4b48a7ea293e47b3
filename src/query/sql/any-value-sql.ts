// SQL over OTLP JSON attribute lists (`[{"key":…,"value":<AnyValue>},…]`, as
// stored in the `events` / `links` columns and inside `::kvlist` values; see
// src/receive/any-value-json.ts). Turns them into typed, dotted columns named
// like stored attribute columns: `<base>.<key>` for strings, `<base>.<key>::int`
// for ints, and so on (src/parts/schema.ts).

import { sqlString } from '../../engine/duckdb.js';
import { escapeAttributeKey } from '../../parts/schema.js';

/** The one field name of an AnyValue JSON object ('' for the empty value {}). */
export type AnyValueField = 'stringValue' | 'intValue' | 'doubleValue' | 'boolValue' | 'bytesValue' | 'arrayValue' | 'kvlistValue' | '';

interface FieldColumn {
  /** type suffix of the column name, as in src/parts/schema.ts */
  suffix: string;
  /** SQL of the typed value, given the AnyValue JSON expression */
  value(v: string): string;
}

const FIELD_COLUMNS: Record<AnyValueField, FieldColumn> = {
  stringValue: { suffix: '', value: (v) => `(${v} ->> 'stringValue')` },
  intValue: { suffix: '::int', value: (v) => `TRY_CAST(${v} ->> 'intValue' AS BIGINT)` },
  doubleValue: { suffix: '::double', value: (v) => `TRY_CAST(${v} ->> 'doubleValue' AS DOUBLE)` },
  boolValue: { suffix: '::bool', value: (v) => `TRY_CAST(${v} ->> 'boolValue' AS BOOLEAN)` },
  bytesValue: { suffix: '::bytes', value: (v) => `(${v} ->> 'bytesValue')` },
  // arrays and kvlists keep their whole AnyValue JSON, like stored columns do
  arrayValue: { suffix: '::array', value: (v) => `CAST(${v} AS VARCHAR)` },
  kvlistValue: { suffix: '::kvlist', value: (v) => `CAST(${v} AS VARCHAR)` },
  '': { suffix: '::empty', value: (v) => `CASE WHEN ${v} IS NULL THEN NULL ELSE true END` },
};

export function isAnyValueField(s: string): s is AnyValueField {
  return Object.hasOwn(FIELD_COLUMNS, s);
}

/** JSON structure that json_transform turns an attribute list into. */
export const ATTRIBUTE_LIST_STRUCTURE = '[{"key":"VARCHAR","value":"JSON"}]';

/** LIST(STRUCT(key, value JSON)) of a kvlist AnyValue JSON expression. */
export function kvlistEntriesSql(anyValue: string): string {
  return `json_transform(json_extract(${anyValue}, '$.kvlistValue.values'), ${sqlString(ATTRIBUTE_LIST_STRUCTURE)})`;
}

/** The AnyValue JSON of `key` in an attribute list expression (NULL when absent). */
export function attributeValueSql(list: string, key: string, depth: number): string {
  const x = `kv${depth}`;
  return `list_extract(list_filter(${list}, lambda ${x}: ${x}.key = ${sqlString(key)}), 1).value`;
}

/** One attribute found in the data: its key path below the list, and its type. */
export interface AttributeLeaf {
  path: readonly string[];
  field: AnyValueField;
}

export function leafId(leaf: AttributeLeaf): string {
  return `${leaf.path.join('\u0000')}\u0001${leaf.field}`;
}

/** `<base>.<k1>.<k2><suffix>`, each key escaped as stored column names are. */
export function leafColumnName(base: string, leaf: AttributeLeaf): string {
  return `${base}.${leaf.path.map(escapeAttributeKey).join('.')}${FIELD_COLUMNS[leaf.field].suffix}`;
}

/** SQL of a leaf's typed value, given the attribute list expression it lives in. */
export function leafValueSql(list: string, leaf: AttributeLeaf): string {
  let value = attributeValueSql(list, leaf.path[0]!, 0);
  for (let d = 1; d < leaf.path.length; d++) value = attributeValueSql(kvlistEntriesSql(value), leaf.path[d]!, d);
  return FIELD_COLUMNS[leaf.field].value(value);
}
