// LogBatch(es) → the flat log-row columns, ready for the Parquet writer: one
// row per log record (docs/logs.md). Hot fields are fixed columns; resource
// and scope fields are copied onto each row as for spans; every attribute
// key/type pair and every flattened body field gets its own column:
//
//   log.<key>[::type]        record attributes
//   resource.<key>[::type]   resource attributes (service.name is service_name)
//   scope.<key>[::type]      scope attributes
//   body                     a string body
//   body::<type>             any other body (kvlist/array as canonical OTLP JSON)
//   body.<path>[::type]      the fields of a map body (receive/log-body-fields.ts)

import { SPAN_ID_BYTES, TRACE_ID_BYTES, ValueType } from '../model/span-batch.js';
import type { LogBatch } from '../model/log-batch.js';
import { isAllZero } from '../model/hex.js';
import type { ParquetColumn } from './parquet/writer.js';
import type { RowStagingSchema } from '../head/head.js';
import type { HotColumn } from './schema.js';
import { bodyColumnName, bodyFieldColumnName, logAttributeColumnName } from './log-column-names.js';

export { bodyFieldColumnName, logAttributeColumnName };
import { DynamicColumns, OwnerStringColumn, RowStringColumn, fillOwnerAttributes, fillRowAttributes } from './attribute-columns.js';
import { type ColumnArrays, ColumnArrayPool, FRESH_ARRAYS } from './column-array-pool.js';
import { logTokensOf } from './log-token-chunks.js';
import { TIME_TEXT_SUFFIX } from './log-time-text.js';
import type { FieldColumn } from '../model/field-columns.js';
import type { StringEntries } from './parquet/strings.js';
import { int64Halves } from '../model/int64-halves.js';

/** The row time: when the event happened, else when it was observed. */
export const LOG_TIME_COLUMN = 'time_unix_nano';

/** Fixed columns of every log file, in file order (`body` among them, though written as a dynamic column). */
export const LOG_HOT_COLUMNS: readonly HotColumn[] = [
  { name: 'time_unix_nano', kind: 'int64', nullable: false },
  { name: 'observed_time_unix_nano', kind: 'int64', nullable: false },
  { name: 'severity_number', kind: 'int32', nullable: false },
  { name: 'severity_text', kind: 'string', nullable: true },
  { name: 'service_name', kind: 'string', nullable: false },
  { name: 'stream', kind: 'string', nullable: false },
  { name: 'trace_id', kind: 'fixed16', nullable: true },
  { name: 'span_id', kind: 'fixed8', nullable: true },
  { name: 'flags', kind: 'int64', nullable: false },
  { name: 'event_name', kind: 'string', nullable: true },
  { name: 'scope_name', kind: 'string', nullable: true },
  { name: 'scope_version', kind: 'string', nullable: true },
  { name: 'scope_schema_url', kind: 'string', nullable: true },
  { name: 'resource_schema_url', kind: 'string', nullable: true },
  { name: 'dropped_attributes_count', kind: 'int64', nullable: false },
  { name: 'resource_dropped_attributes_count', kind: 'int64', nullable: false },
  { name: 'scope_dropped_attributes_count', kind: 'int64', nullable: false },
  { name: 'body', kind: 'string', nullable: true },
];

export function countLogs(batches: readonly LogBatch[]): number {
  let n = 0;
  for (const b of batches) n += b.length;
  return n;
}

/**
 * `arrays`: where the staging columns' typed arrays come from (the staging
 * schema's pool: fresh ArrayBuffers for every seal set off V8's external
 * memory GCs). The time and trace id columns are always fresh: the head keeps
 * them past the file.
 */
export function logRowColumns(batches: readonly LogBatch[], arrays: ColumnArrays = FRESH_ARRAYS): ParquetColumn[] {
  const rows = countLogs(batches);
  const time = new BigInt64Array(rows);
  const observed = arrays.bigint64(rows);
  const severityNumber = arrays.int32(rows);
  // text columns numbered as they are filled (entries, not a string per row for the writer to number)
  const severityText = new RowStringColumn('severity_text', rows, true, arrays);
  const serviceName = new OwnerStringColumn('service_name', rows, false, arrays);
  const stream = new RowStringColumn('stream', rows, false, arrays);
  const traceId = new Uint8Array(rows * TRACE_ID_BYTES);
  const traceNull = new Uint8Array(rows);
  const spanId = arrays.bytes(rows * SPAN_ID_BYTES).subarray(0, rows * SPAN_ID_BYTES);
  const spanNull = arrays.uint8(rows, 0);
  const flags = arrays.bigint64(rows);
  const eventName = new RowStringColumn('event_name', rows, true, arrays);
  const scopeName = new OwnerStringColumn('scope_name', rows, true, arrays);
  const scopeVersion = new OwnerStringColumn('scope_version', rows, true, arrays);
  const scopeSchemaUrl = new OwnerStringColumn('scope_schema_url', rows, true, arrays);
  const resourceSchemaUrl = new OwnerStringColumn('resource_schema_url', rows, true, arrays);
  const droppedAttributes = arrays.bigint64(rows);
  const resourceDropped = arrays.bigint64(rows);
  const scopeDropped = arrays.bigint64(rows);
  const dyn = new DynamicColumns(rows, arrays);
  // the string body is a hot column: present in every file, so queries can rely on it
  dyn.named('body', ValueType.String);
  const ownEntries = messageColumnsNow();

  let row0 = 0;
  for (const b of batches) {
    traceId.set(b.traceId.subarray(0, b.length * TRACE_ID_BYTES), row0 * TRACE_ID_BYTES);
    spanId.set(b.spanId.subarray(0, b.length * SPAN_ID_BYTES), row0 * SPAN_ID_BYTES);
    const resources = b.resources;
    const scopes = b.scopes;
    for (let i = 0; i < b.length; i++) {
      const r = row0 + i;
      const res = b.resource[i]!;
      const sc = b.scope[i]!;
      const t = b.timeUnixNano[i]!;
      observed[r] = b.observedTimeUnixNano[i]!;
      time[r] = t !== 0n ? t : observed[r]!;
      severityNumber[r] = b.severityNumber[i]!;
      severityText.set(r, b.severityText[i]!);
      stream.set(r, b.stream[i]!);
      traceNull[r] = isAllZero(b.traceId, i * TRACE_ID_BYTES, TRACE_ID_BYTES) ? 1 : 0;
      spanNull[r] = isAllZero(b.spanId, i * SPAN_ID_BYTES, SPAN_ID_BYTES) ? 1 : 0;
      // counts and flags are nearly always 0, which the new arrays hold already: no BigInt per row for them
      if (b.flags[i] !== 0) flags[r] = BigInt(b.flags[i]!);
      eventName.set(r, b.eventName[i]!);
      if (b.droppedAttributesCount[i] !== 0) droppedAttributes[r] = BigInt(b.droppedAttributesCount[i]!);
      if (resources.droppedAttributesCount[res] !== 0) resourceDropped[r] = BigInt(resources.droppedAttributesCount[res]!);
      if (scopes.droppedAttributesCount[sc] !== 0) scopeDropped[r] = BigInt(scopes.droppedAttributesCount[sc]!);
    }
    serviceName.fill(resources.serviceName, b.resource, b.length, row0);
    resourceSchemaUrl.fill(resources.schemaUrl, b.resource, b.length, row0);
    scopeName.fill(scopes.name, b.scope, b.length, row0);
    scopeVersion.fill(scopes.version, b.scope, b.length, row0);
    scopeSchemaUrl.fill(scopes.schemaUrl, b.scope, b.length, row0);
    fillRowAttributes(dyn, b.attributes, row0, logAttributeColumnName);
    fillRowAttributes(dyn, b.body, row0, bodyColumnName);
    fillFieldColumns(dyn, b.bodyFields, row0, ownEntries);
    fillOwnerAttributes(dyn, 'resource', resources.attributes, resources.length, b.resource, b.length, row0, true);
    fillOwnerAttributes(dyn, 'scope', scopes.attributes, scopes.length, b.scope, b.length, row0, false);
    row0 += b.length;
  }

  const hot: ParquetColumn[] = [
    { name: 'time_unix_nano', kind: 'int64', values: time },
    { name: 'observed_time_unix_nano', kind: 'int64', values: observed },
    { name: 'severity_number', kind: 'int32', values: severityNumber },
    severityText.toParquet(),
    serviceName.toParquet(),
    stream.toParquet(),
    { name: 'trace_id', kind: 'fixed16', values: traceId, nulls: traceNull },
    { name: 'span_id', kind: 'fixed8', values: spanId, nulls: spanNull },
    { name: 'flags', kind: 'int64', values: flags },
    eventName.toParquet(),
    scopeName.toParquet(),
    scopeVersion.toParquet(),
    scopeSchemaUrl.toParquet(),
    resourceSchemaUrl.toParquet(),
    { name: 'dropped_attributes_count', kind: 'int64', values: droppedAttributes },
    { name: 'resource_dropped_attributes_count', kind: 'int64', values: resourceDropped },
    { name: 'scope_dropped_attributes_count', kind: 'int64', values: scopeDropped },
  ];
  learnMessageColumns(ownEntries);
  return [...hot, ...dyn.toParquet()];
}

/**
 * The text body field columns, by name, whose values were mostly new in the
 * last file staged (StringEntries.mostlyNew: log messages, 82 % new in the
 * bench). Such a column is staged without a dictionary (`ownEntries`,
 * PLAIN): no Map lookup and insert per value (0.28–0.35 µs a record at the
 * bench's seal), nor a merge of its entries by their bytes in the staging
 * writer (a dictionary dropped at the
 * seal only moved the hashing there); the flush merges equal values across
 * staging files as before, so part bytes stay the same (docs/storage.md,
 * session 14). Every RECHECK_SEALS-th file numbers them all again, to see
 * whether they still are mostly new.
 */
const messageColumns = new Set<string>();
const RECHECK_SEALS = 16;
const MAX_MESSAGE_COLUMNS = 1024;
let sealsSinceCheck = 0;

/** The text body field columns of the file being staged, by name, with their entries. */
type FieldTextColumns = Map<string, StringEntries>;

function messageColumnsNow(): { own: ReadonlySet<string>; seen: FieldTextColumns } {
  const recheck = ++sealsSinceCheck >= RECHECK_SEALS;
  if (recheck) sealsSinceCheck = 0;
  return { own: recheck ? new Set() : messageColumns, seen: new Map() };
}

function learnMessageColumns(columns: { own: ReadonlySet<string>; seen: FieldTextColumns }): void {
  for (const [name, entries] of columns.seen) {
    if (entries.own) continue;
    if (!entries.mostlyNew()) messageColumns.delete(name);
    else if (messageColumns.size < MAX_MESSAGE_COLUMNS) messageColumns.add(name);
  }
}

/**
 * The body fields of a batch into the row columns, a column at a time: one
 * name and one lookup per column and batch, then a copy per value.
 */
function fillFieldColumns(dyn: DynamicColumns, fields: readonly FieldColumn[], row0: number, text: { own: ReadonlySet<string>; seen: FieldTextColumns }): void {
  for (const f of fields) {
    const name = f.timeText ? `body.${f.key}${TIME_TEXT_SUFFIX}` : bodyFieldColumnName(f.key, f.type);
    const col = dyn.named(name, f.type, text.own.has(name));
    if (col.kind === 'string') text.seen.set(name, col.entries);
    const rows = f.rows;
    const n = f.length;
    switch (col.kind) {
      case 'string':
        for (let i = 0; i < n; i++) {
          const r = row0 + rows[i]!;
          col.indices[r] = col.entries.entry(f.str[i]!);
          col.nulls[r] = 0;
        }
        break;
      case 'int64': {
        // 32-bit halves: copied without a bigint per value
        const to = col.halves;
        const from = int64Halves(f.int);
        for (let i = 0; i < n; i++) {
          const r = row0 + rows[i]!;
          to[2 * r] = from[2 * i]!;
          to[2 * r + 1] = from[2 * i + 1]!;
          col.nulls[r] = 0;
        }
        break;
      }
      case 'double':
        for (let i = 0; i < n; i++) {
          const r = row0 + rows[i]!;
          col.values[r] = f.num[i]!;
          col.nulls[r] = 0;
        }
        break;
      case 'boolean': {
        // Empty values are stored as `true` in their ::empty column: "present, no value".
        const empty = f.type === ValueType.Empty;
        for (let i = 0; i < n; i++) {
          const r = row0 + rows[i]!;
          col.values[r] = empty || f.num[i] ? 1 : 0;
          col.nulls[r] = 0;
        }
        break;
      }
    }
  }
}

/** How the head stages log records: log rows, by record time, with trace ids for the part blooms. */
const stagingArrays = new ColumnArrayPool();

export const LOG_STAGING_SCHEMA: RowStagingSchema<LogBatch> = {
  rowColumns: (batches) => logRowColumns(batches, stagingArrays),
  // the written file's arrays serve the next seal's columns
  recycle: (columns) => stagingArrays.recycle(columns),
  timeColumn: LOG_TIME_COLUMN,
  traceIdColumn: 'trace_id',
  services: function* (batches) {
    for (const b of batches) yield* b.resources.serviceName;
  },
  // word hashes for the flush to build the parts' token indexes
  sidecar: logTokensOf,
};

