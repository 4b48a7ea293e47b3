// SpanBatch(es) → the flat span-row columns of schema.ts, ready for the Parquet
// writer. Resource and scope fields are copied onto each span row (seed 000);
// Parquet's dictionary/RLE encodings make the repetition cheap. Every
// attribute key/type pair becomes its own column.

import { SPAN_ID_BYTES, TRACE_ID_BYTES, ValueType, type SpanBatch } from '../model/span-batch.js';
import { isAllZero } from '../model/hex.js';
import type { ParquetColumn } from './parquet/writer.js';
import type { RowStagingSchema } from '../head/head.js';
import { JsonEntriesColumn, writeEventsJson, writeLinksJson } from './otlp-json-bytes.js';
import { attributeColumnName, type AttributeColumnRef } from './schema.js';
import { type ColumnsByKey, DynamicColumns, OwnerStringColumn, fillOwnerAttributes, fillRowAttributes } from './attribute-columns.js';
import { type ColumnArrays, ColumnArrayPool, FRESH_ARRAYS } from './column-array-pool.js';
import { int64Halves, setInt64Halves, subtractInt64Halves } from '../model/int64-halves.js';

const spanAttributeColumnName = (key: string, type: ValueType): string => attributeColumnName('span', key, type);

/** Total rows across batches. */
export function countSpans(batches: readonly SpanBatch[]): number {
  let n = 0;
  for (const b of batches) n += b.length;
  return n;
}

/** Room to start the events column with: ~600 bytes an event of a loadgen batch (exception stack traces). */
function eventsBytesGuess(batches: readonly SpanBatch[]): number {
  let events = 0;
  for (const b of batches) events += b.events.length;
  return events * 600;
}

/**
 * Flattens batches into span-row columns. `dedicated` columns are emitted even
 * when no span carries them, so every file has them.
 */
export function spanRowColumns(batches: readonly SpanBatch[], dedicated: readonly AttributeColumnRef[], arrays: ColumnArrays = FRESH_ARRAYS): ParquetColumn[] {
  const rows = countSpans(batches);
  const traceId = new Uint8Array(rows * TRACE_ID_BYTES);
  const spanId = new Uint8Array(rows * SPAN_ID_BYTES);
  const parentSpanId = new Uint8Array(rows * SPAN_ID_BYTES);
  const parentNull = new Uint8Array(rows);
  const serviceName = new OwnerStringColumn('service_name', rows, false, arrays);
  const name: string[] = new Array(rows);
  const kind = new Int32Array(rows);
  const start = new BigInt64Array(rows);
  const duration = new BigInt64Array(rows);
  const statusCode = new Int32Array(rows);
  const statusMessage: (string | undefined)[] = new Array(rows);
  const hasException = new Uint8Array(rows);
  const traceState: (string | undefined)[] = new Array(rows);
  const flags = new BigInt64Array(rows);
  // times, durations and flags go through 32-bit halves: reading or writing a BigInt64Array element makes a bigint
  const durationHalves = int64Halves(duration);
  const flagHalves = int64Halves(flags);
  const scopeName = new OwnerStringColumn('scope_name', rows, true, arrays);
  const scopeVersion = new OwnerStringColumn('scope_version', rows, true, arrays);
  const scopeSchemaUrl = new OwnerStringColumn('scope_schema_url', rows, true, arrays);
  const resourceSchemaUrl = new OwnerStringColumn('resource_schema_url', rows, true, arrays);
  const droppedAttributes = new BigInt64Array(rows);
  const droppedEvents = new BigInt64Array(rows);
  const droppedLinks = new BigInt64Array(rows);
  const resourceDropped = new BigInt64Array(rows);
  const scopeDropped = new BigInt64Array(rows);
  const events = new JsonEntriesColumn('events', rows, arrays, eventsBytesGuess(batches));
  const links = new JsonEntriesColumn('links', rows, arrays, 0);
  const dyn = new DynamicColumns(rows, arrays);
  for (const ref of dedicated) dyn.ensure(ref);
  const spanColumns: ColumnsByKey = new Map();

  let row0 = 0;
  for (const b of batches) {
    traceId.set(b.traceId.subarray(0, b.length * TRACE_ID_BYTES), row0 * TRACE_ID_BYTES);
    spanId.set(b.spanId.subarray(0, b.length * SPAN_ID_BYTES), row0 * SPAN_ID_BYTES);
    parentSpanId.set(b.parentSpanId.subarray(0, b.length * SPAN_ID_BYTES), row0 * SPAN_ID_BYTES);
    writeEventsJson(events, b.events, b.length, row0);
    writeLinksJson(links, b.links, b.length, row0);
    start.set(b.startTimeUnixNano.subarray(0, b.length), row0);
    subtractInt64Halves(durationHalves, row0, int64Halves(b.endTimeUnixNano), int64Halves(b.startTimeUnixNano), b.length);
    const resources = b.resources;
    const scopes = b.scopes;
    for (let i = 0; i < b.length; i++) {
      const r = row0 + i;
      parentNull[r] = isAllZero(b.parentSpanId, i * SPAN_ID_BYTES, SPAN_ID_BYTES) ? 1 : 0;
      const res = b.resource[i]!;
      const sc = b.scope[i]!;
      name[r] = b.name[i]!;
      kind[r] = b.kind[i]!;
      statusCode[r] = b.statusCode[i]!;
      statusMessage[r] = b.statusMessage[i] || undefined;
      hasException[r] = b.hasException[i]!;
      traceState[r] = b.traceState[i] || undefined;
      // flags as a uint32's halves (high 0); counts are nearly always 0, which the new arrays hold already
      if (b.flags[i] !== 0) setInt64Halves(flagHalves, r, b.flags[i]!, 0);
      if (b.droppedAttributesCount[i] !== 0) droppedAttributes[r] = BigInt(b.droppedAttributesCount[i]!);
      if (b.droppedEventsCount[i] !== 0) droppedEvents[r] = BigInt(b.droppedEventsCount[i]!);
      if (b.droppedLinksCount[i] !== 0) droppedLinks[r] = BigInt(b.droppedLinksCount[i]!);
      if (resources.droppedAttributesCount[res] !== 0) resourceDropped[r] = BigInt(resources.droppedAttributesCount[res]!);
      if (scopes.droppedAttributesCount[sc] !== 0) scopeDropped[r] = BigInt(scopes.droppedAttributesCount[sc]!);
    }
    serviceName.fill(resources.serviceName, b.resource, b.length, row0);
    resourceSchemaUrl.fill(resources.schemaUrl, b.resource, b.length, row0);
    scopeName.fill(scopes.name, b.scope, b.length, row0);
    scopeVersion.fill(scopes.version, b.scope, b.length, row0);
    scopeSchemaUrl.fill(scopes.schemaUrl, b.scope, b.length, row0);
    fillRowAttributes(dyn, b.attributes, row0, spanAttributeColumnName, undefined, spanColumns);
    fillOwnerAttributes(dyn, 'resource', resources.attributes, resources.length, b.resource, b.length, row0, true);
    fillOwnerAttributes(dyn, 'scope', scopes.attributes, scopes.length, b.scope, b.length, row0, false);
    row0 += b.length;
  }

  const hot: ParquetColumn[] = [
    { name: 'trace_id', kind: 'fixed16', values: traceId },
    { name: 'span_id', kind: 'fixed8', values: spanId },
    { name: 'parent_span_id', kind: 'fixed8', values: parentSpanId, nulls: parentNull },
    serviceName.toParquet(),
    { name: 'name', kind: 'string', values: name },
    { name: 'kind', kind: 'int32', values: kind },
    { name: 'start_time_unix_nano', kind: 'int64', values: start },
    { name: 'duration_nano', kind: 'int64', values: duration },
    { name: 'status_code', kind: 'int32', values: statusCode },
    { name: 'status_message', kind: 'string', values: statusMessage },
    { name: 'has_exception', kind: 'boolean', values: hasException },
    { name: 'trace_state', kind: 'string', values: traceState },
    { name: 'flags', kind: 'int64', values: flags },
    scopeName.toParquet(),
    scopeVersion.toParquet(),
    scopeSchemaUrl.toParquet(),
    resourceSchemaUrl.toParquet(),
    { name: 'dropped_attributes_count', kind: 'int64', values: droppedAttributes },
    { name: 'dropped_events_count', kind: 'int64', values: droppedEvents },
    { name: 'dropped_links_count', kind: 'int64', values: droppedLinks },
    { name: 'resource_dropped_attributes_count', kind: 'int64', values: resourceDropped },
    { name: 'scope_dropped_attributes_count', kind: 'int64', values: scopeDropped },
    events.toParquet(),
    links.toParquet(),
  ];
  return [...hot, ...dyn.toParquet()];
}

/** How the head stages spans: span rows, by start time, with trace ids for the part blooms. */
export function spanStagingSchema(dedicated: readonly AttributeColumnRef[]): RowStagingSchema<SpanBatch> {
  const pool = new ColumnArrayPool();
  return {
    rowColumns: (batches) => spanRowColumns(batches, dedicated, pool),
    recycle: (columns) => pool.recycle(columns),
    timeColumn: 'start_time_unix_nano',
    traceIdColumn: 'trace_id',
    services: function* (batches) {
      for (const b of batches) yield* b.resources.serviceName;
    },
  };
}
