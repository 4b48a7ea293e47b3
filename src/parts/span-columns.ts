// SpanBatch(es) → the flat span-row columns of schema.ts, ready for the Parquet
// writer. Resource and scope fields are copied onto each span row (seed 000);
// Parquet's dictionary/RLE encodings make the repetition cheap. Every
// attribute key/type pair becomes its own column.

import { SPAN_ID_BYTES, TRACE_ID_BYTES, ValueType, type AttributeColumns, type SpanBatch } from '../model/span-batch.js';
import { isAllZero } from '../model/hex.js';
import type { ParquetColumn } from './parquet/writer.js';
import type { StagingSchema } from '../head/head.js';
import { eventsJsonPerSpan, linksJsonPerSpan, ownerOffsets } from './otlp-json-text.js';
import {
  attributeColumnKind,
  attributeColumnName,
  type AttributeColumnRef,
  type AttributeScope,
} from './schema.js';

type DynamicColumn =
  | { kind: 'string'; values: (string | undefined)[] }
  | { kind: 'int64'; values: BigInt64Array; nulls: Uint8Array }
  | { kind: 'double'; values: Float64Array; nulls: Uint8Array }
  | { kind: 'boolean'; values: Uint8Array; nulls: Uint8Array };

function newDynamicColumn(type: ValueType, rows: number): DynamicColumn {
  switch (attributeColumnKind(type)) {
    case 'int64':
      return { kind: 'int64', values: new BigInt64Array(rows), nulls: new Uint8Array(rows).fill(1) };
    case 'double':
      return { kind: 'double', values: new Float64Array(rows), nulls: new Uint8Array(rows).fill(1) };
    case 'boolean':
      return { kind: 'boolean', values: new Uint8Array(rows), nulls: new Uint8Array(rows).fill(1) };
    default:
      return { kind: 'string', values: new Array<string | undefined>(rows).fill(undefined) };
  }
}

function setValue(col: DynamicColumn, row: number, a: AttributeColumns, i: number): void {
  switch (col.kind) {
    case 'string':
      col.values[row] = a.str[i];
      return;
    case 'int64':
      col.values[row] = a.int[i]!;
      col.nulls[row] = 0;
      return;
    case 'double':
      col.values[row] = a.num[i]!;
      col.nulls[row] = 0;
      return;
    case 'boolean':
      // Empty values are stored as `true` in their ::empty column: "present, no value".
      col.values[row] = a.type[i] === ValueType.Empty ? 1 : a.num[i]! ? 1 : 0;
      col.nulls[row] = 0;
      return;
  }
}

class DynamicColumns {
  private readonly columns = new Map<string, DynamicColumn>();
  constructor(private readonly rows: number) {}

  column(scope: AttributeScope, key: string, type: ValueType): DynamicColumn {
    const name = attributeColumnName(scope, key, type);
    let col = this.columns.get(name);
    if (!col) {
      col = newDynamicColumn(type, this.rows);
      this.columns.set(name, col);
    }
    return col;
  }

  ensure(ref: AttributeColumnRef): void {
    this.column(ref.scope, ref.key, ref.type);
  }

  toParquet(): ParquetColumn[] {
    const out: ParquetColumn[] = [];
    for (const name of [...this.columns.keys()].sort()) {
      const c = this.columns.get(name)!;
      out.push(c.kind === 'string' ? { name, kind: 'string', values: c.values } : { name, ...c });
    }
    return out;
  }
}

/** Total rows across batches. */
export function countSpans(batches: readonly SpanBatch[]): number {
  let n = 0;
  for (const b of batches) n += b.length;
  return n;
}

/**
 * Flattens batches into span-row columns. `dedicated` columns are emitted even
 * when no span carries them, so every file has them.
 */
export function spanRowColumns(batches: readonly SpanBatch[], dedicated: readonly AttributeColumnRef[]): ParquetColumn[] {
  const rows = countSpans(batches);
  const traceId = new Uint8Array(rows * TRACE_ID_BYTES);
  const spanId = new Uint8Array(rows * SPAN_ID_BYTES);
  const parentSpanId = new Uint8Array(rows * SPAN_ID_BYTES);
  const parentNull = new Uint8Array(rows);
  const serviceName: string[] = new Array(rows);
  const name: string[] = new Array(rows);
  const kind = new Int32Array(rows);
  const start = new BigInt64Array(rows);
  const duration = new BigInt64Array(rows);
  const statusCode = new Int32Array(rows);
  const statusMessage: (string | undefined)[] = new Array(rows);
  const hasException = new Uint8Array(rows);
  const traceState: (string | undefined)[] = new Array(rows);
  const flags = new BigInt64Array(rows);
  const scopeName: (string | undefined)[] = new Array(rows);
  const scopeVersion: (string | undefined)[] = new Array(rows);
  const scopeSchemaUrl: (string | undefined)[] = new Array(rows);
  const resourceSchemaUrl: (string | undefined)[] = new Array(rows);
  const droppedAttributes = new BigInt64Array(rows);
  const droppedEvents = new BigInt64Array(rows);
  const droppedLinks = new BigInt64Array(rows);
  const resourceDropped = new BigInt64Array(rows);
  const scopeDropped = new BigInt64Array(rows);
  const events: (string | undefined)[] = new Array(rows);
  const links: (string | undefined)[] = new Array(rows);
  const dyn = new DynamicColumns(rows);
  for (const ref of dedicated) dyn.ensure(ref);

  let row0 = 0;
  for (const b of batches) {
    traceId.set(b.traceId.subarray(0, b.length * TRACE_ID_BYTES), row0 * TRACE_ID_BYTES);
    spanId.set(b.spanId.subarray(0, b.length * SPAN_ID_BYTES), row0 * SPAN_ID_BYTES);
    parentSpanId.set(b.parentSpanId.subarray(0, b.length * SPAN_ID_BYTES), row0 * SPAN_ID_BYTES);
    const ev = eventsJsonPerSpan(b);
    const ln = linksJsonPerSpan(b);
    const resources = b.resources;
    const scopes = b.scopes;
    for (let i = 0; i < b.length; i++) {
      const r = row0 + i;
      parentNull[r] = isAllZero(b.parentSpanId, i * SPAN_ID_BYTES, SPAN_ID_BYTES) ? 1 : 0;
      const res = b.resource[i]!;
      const sc = b.scope[i]!;
      serviceName[r] = resources.serviceName[res]!;
      name[r] = b.name[i]!;
      kind[r] = b.kind[i]!;
      start[r] = b.startTimeUnixNano[i]!;
      duration[r] = b.endTimeUnixNano[i]! - b.startTimeUnixNano[i]!;
      statusCode[r] = b.statusCode[i]!;
      statusMessage[r] = b.statusMessage[i] || undefined;
      hasException[r] = b.hasException[i]!;
      traceState[r] = b.traceState[i] || undefined;
      flags[r] = BigInt(b.flags[i]!);
      scopeName[r] = scopes.name[sc] || undefined;
      scopeVersion[r] = scopes.version[sc] || undefined;
      scopeSchemaUrl[r] = scopes.schemaUrl[sc] || undefined;
      resourceSchemaUrl[r] = resources.schemaUrl[res] || undefined;
      droppedAttributes[r] = BigInt(b.droppedAttributesCount[i]!);
      droppedEvents[r] = BigInt(b.droppedEventsCount[i]!);
      droppedLinks[r] = BigInt(b.droppedLinksCount[i]!);
      resourceDropped[r] = BigInt(resources.droppedAttributesCount[res]!);
      scopeDropped[r] = BigInt(scopes.droppedAttributesCount[sc]!);
      events[r] = ev[i];
      links[r] = ln[i];
    }
    fillSpanAttributes(dyn, b.attributes, row0);
    fillOwnerAttributes(dyn, 'resource', resources.attributes, resources.length, b.resource, b.length, row0, true);
    fillOwnerAttributes(dyn, 'scope', scopes.attributes, scopes.length, b.scope, b.length, row0, false);
    row0 += b.length;
  }

  const hot: ParquetColumn[] = [
    { name: 'trace_id', kind: 'fixed16', values: traceId },
    { name: 'span_id', kind: 'fixed8', values: spanId },
    { name: 'parent_span_id', kind: 'fixed8', values: parentSpanId, nulls: parentNull },
    { name: 'service_name', kind: 'string', values: serviceName },
    { name: 'name', kind: 'string', values: name },
    { name: 'kind', kind: 'int32', values: kind },
    { name: 'start_time_unix_nano', kind: 'int64', values: start },
    { name: 'duration_nano', kind: 'int64', values: duration },
    { name: 'status_code', kind: 'int32', values: statusCode },
    { name: 'status_message', kind: 'string', values: statusMessage },
    { name: 'has_exception', kind: 'boolean', values: hasException },
    { name: 'trace_state', kind: 'string', values: traceState },
    { name: 'flags', kind: 'int64', values: flags },
    { name: 'scope_name', kind: 'string', values: scopeName },
    { name: 'scope_version', kind: 'string', values: scopeVersion },
    { name: 'scope_schema_url', kind: 'string', values: scopeSchemaUrl },
    { name: 'resource_schema_url', kind: 'string', values: resourceSchemaUrl },
    { name: 'dropped_attributes_count', kind: 'int64', values: droppedAttributes },
    { name: 'dropped_events_count', kind: 'int64', values: droppedEvents },
    { name: 'dropped_links_count', kind: 'int64', values: droppedLinks },
    { name: 'resource_dropped_attributes_count', kind: 'int64', values: resourceDropped },
    { name: 'scope_dropped_attributes_count', kind: 'int64', values: scopeDropped },
    { name: 'events', kind: 'string', values: events },
    { name: 'links', kind: 'string', values: links },
  ];
  return [...hot, ...dyn.toParquet()];
}

/** How the head stages spans: span rows, by start time, with trace ids for the part blooms. */
export function spanStagingSchema(dedicated: readonly AttributeColumnRef[]): StagingSchema<SpanBatch> {
  return {
    rowColumns: (batches) => spanRowColumns(batches, dedicated),
    timeColumn: 'start_time_unix_nano',
    traceIdColumn: 'trace_id',
    services: function* (batches) {
      for (const b of batches) yield* b.resources.serviceName;
    },
  };
}

function fillSpanAttributes(dyn: DynamicColumns, a: AttributeColumns, row0: number): void {
  // Consecutive rows often share a key/type: cache the last column looked up.
  let lastKey = '';
  let lastType = -1;
  let col: DynamicColumn | undefined;
  for (let i = 0; i < a.length; i++) {
    const key = a.key[i]!;
    const type = a.type[i]!;
    if (col === undefined || key !== lastKey || type !== lastType) {
      col = dyn.column('span', key, type as ValueType);
      lastKey = key;
      lastType = type;
    }
    setValue(col, row0 + a.owner[i]!, a, i);
  }
}

/** Resource/scope attributes: resolved once per owner, then copied to each of its spans. */
function fillOwnerAttributes(
  dyn: DynamicColumns,
  scope: AttributeScope,
  a: AttributeColumns,
  owners: number,
  spanOwner: Uint32Array,
  spans: number,
  row0: number,
  skipServiceName: boolean,
): void {
  if (a.length === 0) return;
  const offsets = ownerOffsets(a.owner, a.length, owners);
  const cols: DynamicColumn[] = new Array(a.length);
  for (let i = 0; i < a.length; i++) {
    // service.name as a string lives in the hot service_name column only.
    if (skipServiceName && a.key[i] === 'service.name' && a.type[i] === ValueType.String) continue;
    cols[i] = dyn.column(scope, a.key[i]!, a.type[i] as ValueType);
  }
  for (let s = 0; s < spans; s++) {
    const o = spanOwner[s]!;
    for (let i = offsets[o]!; i < offsets[o + 1]!; i++) {
      const col = cols[i];
      if (col) setValue(col, row0 + s, a, i);
    }
  }
}
