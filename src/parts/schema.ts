// The span row layout shared by staging files, parts and queries. One row per
// span (seed 000: no OTLP nesting). Hot fields are fixed columns; every
// attribute key becomes a column of its own named `<scope>.<key>` with a type
// suffix for non-string types (seed 003/004: the same key with another type
// gets another column, so no value is ever rejected or coerced).

import { ValueType } from '../model/span-batch.js';

export type AttributeScope = 'span' | 'resource' | 'scope';

/** Physical column kinds used by the staging writer and mapped to DuckDB types. */
export type ColumnKind = 'string' | 'int64' | 'int32' | 'double' | 'boolean' | 'fixed16' | 'fixed8';

/** The DuckDB type each column kind reads as. */
export const DUCKDB_TYPE: Readonly<Record<ColumnKind, string>> = {
  string: 'VARCHAR',
  int64: 'BIGINT',
  int32: 'INTEGER',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  fixed16: 'BLOB',
  fixed8: 'BLOB',
};

export interface HotColumn {
  name: string;
  kind: ColumnKind;
  nullable: boolean;
}

/** Fixed columns, in file order. Times are unix nanoseconds. */
export const HOT_COLUMNS: readonly HotColumn[] = [
  { name: 'trace_id', kind: 'fixed16', nullable: false },
  { name: 'span_id', kind: 'fixed8', nullable: false },
  { name: 'parent_span_id', kind: 'fixed8', nullable: true }, // null for root spans
  { name: 'service_name', kind: 'string', nullable: false },
  { name: 'name', kind: 'string', nullable: false },
  { name: 'kind', kind: 'int32', nullable: false },
  { name: 'start_time_unix_nano', kind: 'int64', nullable: false },
  { name: 'duration_nano', kind: 'int64', nullable: false },
  { name: 'status_code', kind: 'int32', nullable: false },
  { name: 'status_message', kind: 'string', nullable: true },
  { name: 'has_exception', kind: 'boolean', nullable: false },
  { name: 'trace_state', kind: 'string', nullable: true },
  { name: 'flags', kind: 'int64', nullable: true },
  { name: 'scope_name', kind: 'string', nullable: true },
  { name: 'scope_version', kind: 'string', nullable: true },
  { name: 'scope_schema_url', kind: 'string', nullable: true },
  { name: 'resource_schema_url', kind: 'string', nullable: true },
  { name: 'dropped_attributes_count', kind: 'int64', nullable: true },
  { name: 'dropped_events_count', kind: 'int64', nullable: true },
  { name: 'dropped_links_count', kind: 'int64', nullable: true },
  { name: 'resource_dropped_attributes_count', kind: 'int64', nullable: true },
  { name: 'scope_dropped_attributes_count', kind: 'int64', nullable: true },
  // OTLP JSON arrays of the span's events / links, lossless; null when none.
  { name: 'events', kind: 'string', nullable: true },
  { name: 'links', kind: 'string', nullable: true },
];

export const HOT_COLUMN_NAMES: ReadonlySet<string> = new Set(HOT_COLUMNS.map((c) => c.name));

const TYPE_SUFFIX: Record<ValueType, string> = {
  [ValueType.Empty]: '::empty',
  [ValueType.String]: '',
  [ValueType.Bool]: '::bool',
  [ValueType.Int]: '::int',
  [ValueType.Double]: '::double',
  [ValueType.Bytes]: '::bytes',
  [ValueType.Array]: '::array',
  [ValueType.KvList]: '::kvlist',
};

const SUFFIX_TYPE = new Map<string, ValueType>(
  Object.entries(TYPE_SUFFIX).map(([t, s]) => [s, Number(t) as ValueType]),
);

/** Storage kind of an attribute column of a value type. */
export function attributeColumnKind(type: ValueType): ColumnKind {
  switch (type) {
    case ValueType.Int:
      return 'int64';
    case ValueType.Double:
      return 'double';
    case ValueType.Bool:
    case ValueType.Empty:
      return 'boolean';
    default:
      return 'string'; // string, base64 bytes, OTLP JSON of array/kvlist
  }
}

/**
 * Keys are escaped so that column names stay distinct where DuckDB would
 * merge them: identifiers are case-insensitive (`Foo` and `foo` must not meet)
 * and `::` starts the type suffix (a key `x::int` must not meet key `x` of
 * type int). `^` escapes: `^^` is `^`, `^:` is `:`, `^a`..`^z` are `A`..`Z`.
 * Lower-case keys without `:` or `^` — nearly all real ones — read as they are.
 */
export function escapeAttributeKey(key: string): string {
  if (!/[A-Z:^]/.test(key)) return key;
  return key.replace(/[A-Z:^]/g, (c) => (c === '^' ? '^^' : c === ':' ? '^:' : `^${c.toLowerCase()}`));
}

export function unescapeAttributeKey(escaped: string): string {
  if (!escaped.includes('^')) return escaped;
  return escaped.replace(/\^(.)/g, (_, c: string) => (c >= 'a' && c <= 'z' ? c.toUpperCase() : c));
}

/** `span.http.route`, `span.http.response.status_code::int`, `resource.host.name` */
export function attributeColumnName(scope: AttributeScope, key: string, type: ValueType): string {
  return typedColumnName(`${scope}.${escapeAttributeKey(key)}`, type);
}

/** A column name with the suffix of its value type: `x` (string), `x::int`, `x::kvlist`. */
export function typedColumnName(base: string, type: ValueType): string {
  return base + TYPE_SUFFIX[type];
}

/** Splits `x::int` into its base and value type; a name without a known suffix is a string column. */
export function splitTypedColumnName(column: string): { base: string; type: ValueType } {
  const sep = column.lastIndexOf('::');
  if (sep >= 0) {
    const type = SUFFIX_TYPE.get(column.slice(sep));
    if (type !== undefined) return { base: column.slice(0, sep), type };
  }
  return { base: column, type: ValueType.String };
}

export interface AttributeColumnRef {
  scope: AttributeScope;
  key: string;
  type: ValueType;
}

/** Inverse of attributeColumnName; undefined for hot columns and anything else. */
export function parseAttributeColumnName(column: string): AttributeColumnRef | undefined {
  const dot = column.indexOf('.');
  if (dot < 0) return undefined;
  const scope = column.slice(0, dot);
  if (scope !== 'span' && scope !== 'resource' && scope !== 'scope') return undefined;
  const { base, type } = splitTypedColumnName(column.slice(dot + 1));
  return { scope, key: unescapeAttributeKey(base), type };
}

/**
 * Attribute columns present in every part whatever the data, so queries and
 * external engines can rely on them (OpenTelemetry semantic conventions).
 */
export const DEFAULT_DEDICATED_COLUMNS: readonly AttributeColumnRef[] = [
  { scope: 'span', key: 'http.route', type: ValueType.String },
  { scope: 'span', key: 'http.request.method', type: ValueType.String },
  { scope: 'span', key: 'http.response.status_code', type: ValueType.Int },
  { scope: 'span', key: 'url.path', type: ValueType.String },
  { scope: 'span', key: 'db.system', type: ValueType.String },
  { scope: 'span', key: 'db.statement', type: ValueType.String },
  { scope: 'span', key: 'rpc.service', type: ValueType.String },
  { scope: 'span', key: 'rpc.method', type: ValueType.String },
  { scope: 'resource', key: 'host.name', type: ValueType.String },
  { scope: 'resource', key: 'service.instance.id', type: ValueType.String },
  { scope: 'resource', key: 'service.version', type: ValueType.String },
  { scope: 'resource', key: 'k8s.pod.name', type: ValueType.String },
];

/** Parses `scope.key[::type]` specs from configuration. */
export function parseDedicatedColumnSpec(spec: string): AttributeColumnRef {
  const ref = parseAttributeColumnName(spec.trim());
  if (!ref || ref.key === '') {
    throw new Error(`config: dedicated column "${spec}" must look like span.http.route or span.http.status_code::int`);
  }
  return ref;
}
