// Span rows (as DuckDB returns them) back into OTLP JSON: ResourceSpans →
// ScopeSpans → Span, the shape Tempo answers trace lookups with. Resource and
// scope fields were copied onto every row at write time; here rows with equal
// resource (and scope) fields are grouped again.

import { hexOf } from '../model/hex.js';
import { ValueType } from '../model/span-batch.js';
import { parseAttributeColumnName, type AttributeScope } from '../parts/schema.js';
import type { Row } from '../engine/duckdb.js';
import { EVENTS_COMPACT_COLUMN, EVENTS_JSON_COLUMN, expandEvents } from '../parts/events-compact.js';

export interface OtlpKeyValue {
  key: string;
  value: unknown;
}

export interface OtlpResourceSpans {
  resource: { attributes: OtlpKeyValue[]; droppedAttributesCount: number };
  scopeSpans: {
    scope: { name: string; version: string; attributes: OtlpKeyValue[]; droppedAttributesCount: number };
    spans: Record<string, unknown>[];
    schemaUrl: string;
  }[];
  schemaUrl: string;
}

function jsonDouble(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

function anyValue(type: ValueType, v: unknown): unknown {
  switch (type) {
    case ValueType.String:
      return { stringValue: String(v) };
    case ValueType.Int:
      return { intValue: String(v) };
    case ValueType.Double:
      return { doubleValue: jsonDouble(Number(v)) };
    case ValueType.Bool:
      return { boolValue: Boolean(v) };
    case ValueType.Bytes:
      return { bytesValue: String(v) };
    case ValueType.Array:
    case ValueType.KvList:
      return JSON.parse(String(v));
    default:
      return {};
  }
}

function bytesHex(v: unknown): string {
  if (v instanceof Uint8Array) return hexOf(v, 0, v.length);
  return '';
}

function num(v: unknown): number {
  return v === null || v === undefined ? 0 : Number(v);
}

function str(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

interface ColumnPlan {
  name: string;
  scope: AttributeScope;
  key: string;
  type: ValueType;
}

/**
 * Attribute columns of a result, by scope, computed once per result; in
 * name order, so attributes come in the same order however the rows were
 * read (the page reader's rows have no null columns, DuckDB's column
 * groups come in weight order).
 */
function planColumns(columns: readonly string[]): Record<AttributeScope, ColumnPlan[]> {
  const plan: Record<AttributeScope, ColumnPlan[]> = { span: [], resource: [], scope: [] };
  for (const name of [...columns].sort()) {
    const ref = parseAttributeColumnName(name);
    if (ref) plan[ref.scope].push({ name, ...ref });
  }
  return plan;
}

function attributesOf(row: Row, cols: readonly ColumnPlan[]): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  for (const c of cols) {
    const v = row[c.name];
    if (v === null || v === undefined) continue;
    out.push({ key: c.key, value: anyValue(c.type, v) });
  }
  return out;
}

/** Groups span rows into OTLP ResourceSpans, spans ordered by start time. */
export function assembleResourceSpans(rows: readonly Row[]): OtlpResourceSpans[] {
  if (rows.length === 0) return [];
  // Rows of different parts carry different attribute columns: plan over all of them.
  const columns = new Set<string>();
  for (const r of rows) for (const k in r) columns.add(k);
  const plan = planColumns([...columns]);
  const sorted = [...rows].sort((a, b) => (BigInt(a['start_time_unix_nano'] as bigint) < BigInt(b['start_time_unix_nano'] as bigint) ? -1 : 1));
  const resources = new Map<string, OtlpResourceSpans>();
  const scopes = new Map<string, OtlpResourceSpans['scopeSpans'][number]>();
  for (const row of sorted) {
    const resourceAttrs = attributesOf(row, plan.resource);
    const service = str(row['service_name']);
    if (service !== '') resourceAttrs.unshift({ key: 'service.name', value: { stringValue: service } });
    const resourceDropped = num(row['resource_dropped_attributes_count']);
    const resourceSchema = str(row['resource_schema_url']);
    const resourceKey = JSON.stringify([resourceAttrs, resourceDropped, resourceSchema]);
    let rs = resources.get(resourceKey);
    if (!rs) {
      rs = { resource: { attributes: resourceAttrs, droppedAttributesCount: resourceDropped }, scopeSpans: [], schemaUrl: resourceSchema };
      resources.set(resourceKey, rs);
    }
    const scope = {
      name: str(row['scope_name']),
      version: str(row['scope_version']),
      attributes: attributesOf(row, plan.scope),
      droppedAttributesCount: num(row['scope_dropped_attributes_count']),
    };
    const scopeSchema = str(row['scope_schema_url']);
    const scopeKey = `${resourceKey}\u0000${JSON.stringify([scope, scopeSchema])}`;
    let ss = scopes.get(scopeKey);
    if (!ss) {
      ss = { scope, spans: [], schemaUrl: scopeSchema };
      scopes.set(scopeKey, ss);
      rs.scopeSpans.push(ss);
    }
    ss.spans.push(spanOf(row, plan.span));
  }
  return [...resources.values()];
}

/** The span's events from whichever column its file holds them in (parts: compact; staging files, older parts: OTLP JSON). */
function spanEvents(row: Row, start: bigint): unknown[] {
  const compact = row[EVENTS_COMPACT_COLUMN];
  if (compact !== null && compact !== undefined) return expandEvents(String(compact), start);
  const json = row[EVENTS_JSON_COLUMN];
  return json ? (JSON.parse(String(json)) as unknown[]) : [];
}

function spanOf(row: Row, spanCols: readonly ColumnPlan[]): Record<string, unknown> {
  const start = BigInt(row['start_time_unix_nano'] as bigint);
  const end = start + BigInt(row['duration_nano'] as bigint);
  const statusMessage = str(row['status_message']);
  const status: Record<string, unknown> = { code: num(row['status_code']) };
  if (statusMessage !== '') status['message'] = statusMessage;
  return {
    traceId: bytesHex(row['trace_id']),
    spanId: bytesHex(row['span_id']),
    traceState: str(row['trace_state']),
    parentSpanId: bytesHex(row['parent_span_id']),
    flags: num(row['flags']),
    name: str(row['name']),
    kind: num(row['kind']),
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(end),
    attributes: attributesOf(row, spanCols),
    droppedAttributesCount: num(row['dropped_attributes_count']),
    events: spanEvents(row, start),
    droppedEventsCount: num(row['dropped_events_count']),
    links: row['links'] ? JSON.parse(String(row['links'])) : [],
    droppedLinksCount: num(row['dropped_links_count']),
    status,
  };
}
