// Trace-level TraceQL intrinsics in search (trace:duration, trace:rootService,
// trace:rootName, and their old names traceDuration, rootServiceName,
// rootName): a span row alone does not know them, so the search joins each
// span row with its trace's values (TRACE_LEVEL_COLUMNS), computed from the
// trace summaries of every part (docs/format/trace-summary.md) and from the
// spans of staging files and of parts without a summary.
//
// Step 1 joins the relation over every trace of the store; step 2, which
// already holds the summaries of its few traces, joins them as a VALUES list.

import { join } from 'node:path';
import { readParquetSql, sqlString } from '../engine/duckdb.js';
import { summaryFromSpansSql, summaryReadSql, SUMMARY_SPAN_COLUMNS, type TraceSummary } from '../parts/trace-summary.js';
import { TRACE_LEVEL_COLUMNS } from './traceql/compile-comparison.js';
import type { TraceLookupInput } from './trace-lookup.js';

const ROW_COLUMNS = 'trace_id, start_time_unix_nano, duration_nano, root_offset_nano, root_service_name, root_span_name';

/** Per trace of the store: duration, root service and root span name, as TRACE_LEVEL_COLUMNS (a FROM item). */
export function traceLevelRelationSql(input: TraceLookupInput): string {
  const summaries = input.parts.filter((p) => p.summaryPath).map((p) => join(input.dataDir, p.summaryPath!));
  const spanFiles = [...input.parts.filter((p) => !p.summaryPath).map((p) => join(input.dataDir, p.path)), ...input.staged.map((f) => f.path)];
  const rows: string[] = [];
  if (summaries.length > 0) rows.push(`SELECT ${ROW_COLUMNS} FROM ${summaryReadSql(summaries)}`);
  if (spanFiles.length > 0) rows.push(`SELECT ${ROW_COLUMNS} FROM (${summaryFromSpansSql(`(SELECT ${SUMMARY_SPAN_COLUMNS} FROM ${readParquetSql(spanFiles)})`)})`);
  if (rows.length === 0) rows.push(`SELECT ${ROW_COLUMNS} FROM (SELECT NULL::BLOB AS trace_id, 0::BIGINT AS start_time_unix_nano, 0::BIGINT AS duration_nano, NULL::BIGINT AS root_offset_nano, NULL::VARCHAR AS root_service_name, NULL::VARCHAR AS root_span_name) WHERE false`);
  const rootStart = 'start_time_unix_nano + root_offset_nano';
  return (
    `(SELECT trace_id, max(start_time_unix_nano + duration_nano) - min(start_time_unix_nano) AS ${TRACE_LEVEL_COLUMNS.duration}, ` +
    `arg_min(root_service_name, ${rootStart}) AS ${TRACE_LEVEL_COLUMNS.rootService}, ` +
    `arg_min(root_span_name, ${rootStart}) AS ${TRACE_LEVEL_COLUMNS.rootName} ` +
    `FROM (${rows.join(' UNION ALL ')}) GROUP BY trace_id)`
  );
}

function nullableString(v: string | undefined): string {
  return v === undefined ? 'NULL::VARCHAR' : `${sqlString(v)}::VARCHAR`;
}

/** The same values for a few traces whose summaries are merged already (a FROM item). */
export function traceLevelValuesSql(summaries: ReadonlyMap<string, TraceSummary>): string {
  const rows = [...summaries].map(
    ([id, s]) => `(from_hex('${id}'), ${s.endNs - s.startNs}::BIGINT, ${nullableString(s.rootServiceName)}, ${nullableString(s.rootSpanName)})`,
  );
  if (rows.length === 0) rows.push(`(NULL::BLOB, 0::BIGINT, NULL::VARCHAR, NULL::VARCHAR)`);
  return `(VALUES ${rows.join(', ')}) AS trace_level(trace_id, ${Object.values(TRACE_LEVEL_COLUMNS).join(', ')})`;
}

/** Span rows of `sourceSql` (a FROM item) with their trace's trace-level columns. */
export function withTraceLevelSql(sourceSql: string, relationSql: string): string {
  return `(SELECT * FROM ${sourceSql} JOIN ${relationSql} USING (trace_id))`;
}
