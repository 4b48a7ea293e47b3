// A log part leaves out the columns that hold no value in any of its rows:
// the nullable hot columns a source never fills (the bench's trace and span
// ids, event name, scope and schema columns, `body`) and the counters at
// OTLP's default 0 in every row (flags, dropped attribute counts) cost a
// chunk, its page headers and footer entries in every row group for
// nothing. Readers give them back as typed NULLs and zeros (the log
// projection: log-part-projection.ts); rows read without DuckDB leave null
// columns out anyway (src/query/part-pages.ts; the API reads a missing flags
// as 0), and a merge writes all-null chunks for a column one input lacks
// (src/parts/parquet/concatenate.ts), which the projection reads as 0 for
// the counters (never null as ingested).

import type { ParquetColumn } from './parquet/columns.js';
import { DUCKDB_TYPE } from './schema.js';
import { LOG_HOT_COLUMNS } from './log-columns.js';
import { SEVERITY_TEXT_COLUMN } from './log-severity-text.js';

/** Hot columns a part may leave out: the nullable ones but `severity_text`, which the severity markers' rebuilds read. */
const OMITTABLE_HOT_COLUMNS: ReadonlySet<string> = new Set(LOG_HOT_COLUMNS.filter((c) => c.nullable && c.name !== SEVERITY_TEXT_COLUMN).map((c) => c.name));

/** Whether a column of a log part's run holds no value in any row. */
export function isEmptyColumn(column: ParquetColumn): boolean {
  if (column.kind === 'string') return column.values.every((v) => v === undefined);
  return column.nulls !== undefined && column.nulls.indexOf(0) < 0;
}

/** Hot counters whose 0 is OTLP's default ("none"): never null as ingested. */
const ZERO_DEFAULT_COLUMNS: readonly string[] = ['flags', 'dropped_attributes_count', 'resource_dropped_attributes_count', 'scope_dropped_attributes_count'];

/** Whether every row of an int64 column holds 0 (none null). */
function isAllZero(column: ParquetColumn): boolean {
  if (column.kind !== 'int64' || (column.nulls !== undefined && column.nulls.indexOf(1) >= 0)) return false;
  const words = new Int32Array(column.values.buffer, column.values.byteOffset, column.values.length * 2);
  for (let k = 0; k < words.length; k++) if (words[k] !== 0) return false;
  return true;
}

/** Whether the flush leaves `column` out of a log part: an omittable hot column with no value, a counter at 0 in every row. */
export function isOmittedEmptyColumn(column: ParquetColumn): boolean {
  if (OMITTABLE_HOT_COLUMNS.has(column.name)) return isEmptyColumn(column);
  return ZERO_DEFAULT_COLUMNS.includes(column.name) && isAllZero(column);
}

/**
 * What the projection of a relation holding `columns` adds for the hot
 * columns a part may leave out: select list items for those it lacks
 * (typed NULLs, zeros), REPLACE items reading a merged counter's nulls as 0.
 */
export function omittedHotColumnsSql(columns: ReadonlySet<string>, ident: (c: string) => string): { trailing: string[]; replace: string[] } {
  const trailing: string[] = [];
  const replace: string[] = [];
  for (const c of LOG_HOT_COLUMNS) {
    if (OMITTABLE_HOT_COLUMNS.has(c.name) && !columns.has(c.name)) trailing.push(`CAST(NULL AS ${DUCKDB_TYPE[c.kind]}) AS ${ident(c.name)}`);
    if (!ZERO_DEFAULT_COLUMNS.includes(c.name)) continue;
    if (columns.has(c.name)) replace.push(`coalesce(${ident(c.name)}, 0) AS ${ident(c.name)}`);
    else trailing.push(`CAST(0 AS ${DUCKDB_TYPE[c.kind]}) AS ${ident(c.name)}`);
  }
  return { trailing, replace };
}
