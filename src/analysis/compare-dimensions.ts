// Which columns a root-cause comparison groups by, how each is keyed in SQL
// and how its values read in the answer. Every hot column that describes a
// span (name, service, kind, status, scope…) and every attribute column is a
// dimension; numeric attributes are grouped twice, by exact value and by a
// 1-2-5 range bucket, so a low-cardinality code (http status 500) reads as a
// value and a measurement (amount 73.12) reads as a range ([50, 100)).
// Ids, timestamps and the events/links JSON are never dimensions.

import { HOT_COLUMNS, parseAttributeColumnName } from '../parts/schema.js';
import { ValueType } from '../model/span-batch.js';
import { sqlIdent } from '../engine/duckdb.js';

export type DimensionMode = 'value' | 'bucket';

export interface Dimension {
  /** physical column, or `duration_nano` for the duration bucket */
  column: string;
  /** how the answer names it: `name`, `resource.service.name`, `span.http.route` */
  label: string;
  mode: DimensionMode;
  /** SQL of the grouping key over a span row (NULL when the span has no value) */
  sql: string;
  /** values are OTLP codes shown by name (kind, status) */
  codes?: readonly string[];
  /** bucket values are in this unit (duration: ms) */
  unit?: 'ms';
}

const KIND_NAMES = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
const STATUS_NAMES = ['unset', 'ok', 'error'] as const;

/** Hot columns shown under TraceQL's names; those absent here are not dimensions. */
const HOT_LABELS: Readonly<Record<string, string>> = {
  service_name: 'resource.service.name',
  name: 'name',
  kind: 'kind',
  status_code: 'status',
  status_message: 'statusMessage',
  has_exception: 'hasException',
  trace_state: 'traceState',
  flags: 'flags',
  scope_name: 'instrumentation.name',
  scope_version: 'instrumentation.version',
  scope_schema_url: 'instrumentation.schemaUrl',
  resource_schema_url: 'resource.schemaUrl',
  dropped_attributes_count: 'droppedAttributesCount',
  dropped_events_count: 'droppedEventsCount',
  dropped_links_count: 'droppedLinksCount',
  resource_dropped_attributes_count: 'resource.droppedAttributesCount',
  scope_dropped_attributes_count: 'instrumentation.droppedAttributesCount',
};

/** Aliases of one row set are shown under the first of these that applies (see compare-result.ts). */
export const LABEL_PRIORITY: readonly string[] = [
  'name',
  'resource.service.name',
  'resource.service.version',
  'resource.service.instance.id',
  'resource.host.name',
  'resource.k8s.pod.name',
  'resource.k8s.deployment.name',
  'resource.k8s.node.name',
  'kind',
  'status',
  'statusMessage',
];

/**
 * Upper bound of a 1-2-5 bucket as SQL over a non-negative DOUBLE `a` (> 0):
 * 10^floor(log10 a) times 1, 2 or 5. The epsilon keeps exact powers of ten
 * (whose log10 may round just below an integer) in their own bucket.
 */
export function bucketLowerSql(x: string): string {
  const a = `abs(CAST(${x} AS DOUBLE))`;
  const e = `pow(10, floor(log10(${a}) + 1e-12))`;
  return (
    `CASE WHEN ${x} IS NULL THEN NULL WHEN ${x} = 0 THEN 0.0 ELSE sign(CAST(${x} AS DOUBLE)) * ${e} * ` +
    `CASE WHEN ${a} / ${e} < 2 THEN 1 WHEN ${a} / ${e} < 5 THEN 2 ELSE 5 END END`
  );
}

/** The duration's 1-2-5 range in ms (lower bound), over a span row. */
export const DURATION_RANGE_SQL = bucketLowerSql('(duration_nano / 1e6)');

const DURATION_BUCKET: Dimension = {
  column: 'duration_nano',
  label: 'duration',
  mode: 'bucket',
  sql: DURATION_RANGE_SQL,
  unit: 'ms',
};

function hotDimension(column: string, label: string): Dimension {
  const d: Dimension = { column, label, mode: 'value', sql: sqlIdent(column) };
  if (column === 'kind') d.codes = KIND_NAMES;
  if (column === 'status_code') d.codes = STATUS_NAMES;
  return d;
}

/**
 * Dimensions of the columns present, in a stable order (hot columns first,
 * then attributes by name). `withDuration` adds the duration range, which is
 * left out when the target itself is defined by duration.
 */
export function dimensionsOf(columns: Iterable<string>, withDuration: boolean): Dimension[] {
  const present = new Set(columns);
  const out: Dimension[] = [];
  for (const hot of HOT_COLUMNS) {
    const label = HOT_LABELS[hot.name];
    if (label !== undefined && present.has(hot.name)) out.push(hotDimension(hot.name, label));
  }
  if (withDuration && present.has('duration_nano')) out.push(DURATION_BUCKET);

  const attributes = [...present].filter((c) => parseAttributeColumnName(c) !== undefined).sort();
  const labelCount = new Map<string, number>();
  const baseLabel = (c: string): string => {
    const ref = parseAttributeColumnName(c)!;
    return `${ref.scope === 'scope' ? 'instrumentation' : ref.scope}.${ref.key}`;
  };
  for (const c of attributes) labelCount.set(baseLabel(c), (labelCount.get(baseLabel(c)) ?? 0) + 1);
  for (const c of attributes) {
    const ref = parseAttributeColumnName(c)!;
    if (ref.type === ValueType.Empty) continue; // no value to compare
    const base = baseLabel(c);
    // the same key with two types: keep them apart by the storage suffix
    const label = (labelCount.get(base) ?? 0) > 1 && ref.type !== ValueType.String ? `${base}::${c.slice(c.lastIndexOf('::') + 2)}` : base;
    out.push({ column: c, label, mode: 'value', sql: sqlIdent(c) });
    if (ref.type === ValueType.Int || ref.type === ValueType.Double) {
      out.push({ column: c, label, mode: 'bucket', sql: bucketLowerSql(sqlIdent(c)) });
    }
  }
  return out;
}

/** Hot columns with few values that describe the process, the instrumentation or the span's shape. */
const TUPLE_HOT_COLUMNS: ReadonlySet<string> = new Set([
  'service_name',
  'kind',
  'has_exception',
  'flags',
  'scope_name',
  'scope_version',
  'scope_schema_url',
  'resource_schema_url',
  'dropped_attributes_count',
  'dropped_events_count',
  'dropped_links_count',
  'resource_dropped_attributes_count',
  'scope_dropped_attributes_count',
]);

/**
 * Dimensions whose values, taken together, have few combinations: resource
 * and scope attributes (a resource is one process: a range holds as many
 * combinations as processes reported), the hot columns above, the duration
 * range. The span-level count keys them as one tuple (compare-sql.ts). Span
 * attributes, span names, status messages and trace state can hold ids or
 * literals and keep a grouping set each.
 */
export function sharesTuple(d: Dimension): boolean {
  if (d.column === 'duration_nano') return true;
  if (TUPLE_HOT_COLUMNS.has(d.column)) return true;
  const ref = parseAttributeColumnName(d.column);
  return ref !== undefined && (ref.scope === 'resource' || ref.scope === 'scope');
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

/** `[lower, upper)` of the 1-2-5 bucket whose lower bound is `lower` (negative buckets mirror). */
export function bucketLabel(lower: number, unit?: 'ms'): string {
  const u = unit ?? '';
  if (lower === 0) return `0${u}`;
  const a = Math.abs(lower);
  const e = 10 ** Math.floor(Math.log10(a) + 1e-12);
  const m = Math.round(a / e);
  const upper = (m === 1 ? 2 : m === 2 ? 5 : 10) * e;
  return lower > 0 ? `[${formatNumber(a)}${u}, ${formatNumber(upper)}${u})` : `(-${formatNumber(upper)}${u}, -${formatNumber(a)}${u}]`;
}

/** The answer's text for a grouped value (the SQL result cast to VARCHAR). */
export function formatDimensionValue(d: Dimension, raw: string): string {
  if (d.mode === 'bucket') return bucketLabel(Number(raw), d.unit);
  if (d.codes) return d.codes[Number(raw)] ?? raw;
  return raw;
}
