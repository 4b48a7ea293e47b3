// Trace summary files (docs/format/trace-summary.md): one Parquet file beside
// each trace part, `<partId>.summary.parquet`, one row per trace of the part
// with what a search answer says of the whole trace — its extent, root span,
// span and error counts, per service. A search reads these rows for the
// traces it found instead of every span of them (src/query/search.ts).
//
// A trace whose spans are in several parts has a row in each; the rows of a
// trace merge (earliest start, latest end, earliest root, summed counts) in
// SQL when compaction merges parts and in JS when a search reads them.

import { readParquetSql, sqlString, type Engine, type Row } from '../engine/duckdb.js';
import { fsyncFile } from './fsync.js';

import { STATUS_ERROR, SUMMARY_FORMAT_VERSION, SUMMARY_ROW_GROUP_ROWS } from './trace-summary-builder.js';

export { SUMMARY_FILE_SUFFIX, SUMMARY_FORMAT_VERSION, SUMMARY_ROW_GROUP_ROWS } from './trace-summary-builder.js';

/** Span columns a summary is computed from. */
export const SUMMARY_SPAN_COLUMNS = 'trace_id, service_name, name, parent_span_id, start_time_unix_nano, duration_nano, status_code';

/**
 * The summary rows of the spans in `sourceSql` (a FROM item with
 * SUMMARY_SPAN_COLUMNS), one per trace. One GROUP BY over the spans:
 * per-service counts as histogram maps, written as JSON objects (3× cheaper
 * to build than a second grouping by service, and read by a search far
 * faster than a list of structs; docs/format/trace-summary.md).
 */
export function summaryFromSpansSql(sourceSql: string): string {
  const root = 'FILTER (WHERE parent_span_id IS NULL)';
  const service = `coalesce(service_name, '')`;
  return (
    `SELECT trace_id, min(start_time_unix_nano) AS start_time_unix_nano, ` +
    `max(start_time_unix_nano + duration_nano) - min(start_time_unix_nano) AS duration_nano, ` +
    `max(start_time_unix_nano) - min(start_time_unix_nano) AS last_start_offset_nano, ` +
    `min(start_time_unix_nano) ${root} - min(start_time_unix_nano) AS root_offset_nano, ` +
    `arg_min(${service}, start_time_unix_nano) ${root} AS root_service_name, ` +
    `arg_min(name, start_time_unix_nano) ${root} AS root_span_name, ` +
    `count(*)::INTEGER AS span_count, (count(*) FILTER (WHERE status_code = ${STATUS_ERROR}))::INTEGER AS error_count, ` +
    `to_json(histogram(${service}))::VARCHAR AS spans_by_service, ` +
    `to_json(histogram(${service}) FILTER (WHERE status_code = ${STATUS_ERROR}))::VARCHAR AS errors_by_service ` +
    `FROM ${sourceSql} GROUP BY trace_id`
  );
}

/** Sums the JSON service maps of a column over the rows of each trace. */
function mergedServiceMapSql(sourceSql: string, column: string): string {
  return (
    `SELECT trace_id, to_json(map_from_entries(list({k: k, v: v} ORDER BY k)))::VARCHAR AS ${column} FROM (` +
    `SELECT trace_id, e.key AS k, sum(e.value)::BIGINT AS v FROM (` +
    `SELECT trace_id, unnest(map_entries(${column}::JSON::MAP(VARCHAR, BIGINT))) AS e FROM ${sourceSql} WHERE ${column} IS NOT NULL` +
    `) GROUP BY ALL) GROUP BY trace_id`
  );
}

/** Summary rows of several summaries (the same trace in several of them) merged into one row per trace. */
function mergedSummarySql(sourceSql: string): string {
  const rootStart = 'start_time_unix_nano + root_offset_nano';
  return (
    `WITH s AS (SELECT * FROM ${sourceSql}), ` +
    `t AS (SELECT trace_id, min(start_time_unix_nano) AS start_time_unix_nano, ` +
    `max(start_time_unix_nano + duration_nano) - min(start_time_unix_nano) AS duration_nano, ` +
    `max(start_time_unix_nano + last_start_offset_nano) - min(start_time_unix_nano) AS last_start_offset_nano, ` +
    `min(${rootStart}) - min(start_time_unix_nano) AS root_offset_nano, ` +
    `arg_min(root_service_name, ${rootStart}) AS root_service_name, arg_min(root_span_name, ${rootStart}) AS root_span_name, ` +
    `sum(span_count)::INTEGER AS span_count, sum(error_count)::INTEGER AS error_count FROM s GROUP BY trace_id), ` +
    `sp AS (${mergedServiceMapSql('s', 'spans_by_service')}), ` +
    `er AS (${mergedServiceMapSql('s', 'errors_by_service')}) ` +
    `SELECT t.*, sp.spans_by_service, er.errors_by_service FROM t JOIN sp USING (trace_id) LEFT JOIN er USING (trace_id)`
  );
}

function copySql(select: string, path: string): string {
  return (
    `COPY (${select} ORDER BY trace_id) TO ${sqlString(path)} ` +
    `(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${SUMMARY_ROW_GROUP_ROWS}, ` +
    `KV_METADATA {marquetry_trace_summary: '${SUMMARY_FORMAT_VERSION}'})`
  );
}

/** Writes the summary of the spans in `files` (a part) to `path` and fsyncs it. */
export async function writeSummaryFromSpans(engine: Engine, files: readonly string[], path: string): Promise<void> {
  await engine.run(copySql(summaryFromSpansSql(`(SELECT ${SUMMARY_SPAN_COLUMNS} FROM ${readParquetSql(files)})`), path));
  await fsyncFile(path);
}

/** Writes the merge of summary files (the inputs of a compaction) to `path` and fsyncs it. */
export async function writeMergedSummary(engine: Engine, inputs: readonly string[], path: string): Promise<void> {
  await engine.run(copySql(mergedSummarySql(summaryReadSql(inputs)), path));
  await fsyncFile(path);
}

/** `read_parquet` of summary files: one schema, so no union by name. */
export function summaryReadSql(paths: readonly string[]): string {
  return `read_parquet([${paths.map(sqlString).join(', ')}], hive_partitioning = false)`;
}

/** What a search answer says of a whole trace. */
export interface TraceSummary {
  startNs: bigint;
  endNs: bigint;
  /** start of the earliest root span (no parent); undefined: none received */
  rootStartNs: bigint | undefined;
  rootServiceName: string | undefined;
  rootSpanName: string | undefined;
  spanCount: number;
  errorCount: number;
  /** spans and spans with status error, per service (Tempo's serviceStats) */
  services: Map<string, { spanCount: number; errorCount: number }>;
}

function serviceCounts(json: unknown): [string, number][] {
  if (typeof json !== 'string') return [];
  return Object.entries(JSON.parse(json) as Record<string, number>).map(([k, v]) => [k, Number(v)]);
}

/**
 * Adds summary rows (columns as written, trace_id hex in `id`) to `into`,
 * merging rows of the same trace as compaction does.
 */
export function mergeSummaryRow(into: Map<string, TraceSummary>, id: string, r: Row): void {
  const startNs = BigInt(r['start_time_unix_nano'] as bigint);
  const endNs = startNs + BigInt(r['duration_nano'] as bigint);
  const rootStartNs = r['root_offset_nano'] === null ? undefined : startNs + BigInt(r['root_offset_nano'] as bigint);
  let s = into.get(id);
  if (!s) {
    s = { startNs, endNs, rootStartNs: undefined, rootServiceName: undefined, rootSpanName: undefined, spanCount: 0, errorCount: 0, services: new Map() };
    into.set(id, s);
  }
  if (startNs < s.startNs) s.startNs = startNs;
  if (endNs > s.endNs) s.endNs = endNs;
  if (rootStartNs !== undefined && (s.rootStartNs === undefined || rootStartNs < s.rootStartNs)) {
    s.rootStartNs = rootStartNs;
    s.rootServiceName = String(r['root_service_name'] ?? '');
    s.rootSpanName = String(r['root_span_name'] ?? '');
  }
  s.spanCount += Number(r['span_count']);
  s.errorCount += Number(r['error_count']);
  const service = (name: string) => {
    let c = s.services.get(name);
    if (!c) s.services.set(name, (c = { spanCount: 0, errorCount: 0 }));
    return c;
  };
  for (const [name, n] of serviceCounts(r['spans_by_service'])) service(name).spanCount += n;
  for (const [name, n] of serviceCounts(r['errors_by_service'])) service(name).errorCount += n;
}
