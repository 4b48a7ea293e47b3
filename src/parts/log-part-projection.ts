// How marquetry reads log parts: one projection puts back what a part stores
// in another form — the record time in ns from `time_unix_us`
// (log-time-micros.ts) and text columns from their templates and numbers
// (log-text-template.ts) — so every query, view and API sees the columns as
// they were ingested.

import { sqlIdent } from '../engine/sql-quote.js';
import { LOG_TIME_COLUMN } from './log-columns.js';
import { LOG_TIME_US_COLUMN, logicalLogColumns } from './log-time-micros.js';
import { TEMPLATE_SUFFIX, templateRebuildSql, templatedColumnOf } from './log-text-template.js';

/**
 * Where a file holds a text column both as text and as template + numbers
 * (a merge of parts written both ways), the search's projection also gives
 * the stored text under this name, so a cheap test reads it without
 * rebuilding the templated rows.
 */
export function storedTextColumn(column: string): string {
  return `${column}${TEMPLATE_SUFFIX}.text`;
}

/** Whether a column is one of the stored pieces of a templated text column (no field of a record). */
export function isTemplatePiece(column: string): boolean {
  return column.includes(TEMPLATE_SUFFIX);
}

/** The text columns `columns` hold as template + numbers. */
function templatedColumns(columns: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const c of columns) if (c.endsWith(TEMPLATE_SUFFIX)) out.push(templatedColumnOf(c)!);
  return out.sort();
}

export interface LogPartProjectionOptions {
  /**
   * Keep the stored template and number columns (and storedTextColumn where
   * a file has both forms) beside the rebuilt text: log search's cheap tests
   * read them (src/query/logs/log-sql.ts). Views and exports leave it off.
   */
  keepStored?: boolean;
}

/**
 * The select list that gives a relation holding `columns` (one file's, or a
 * union's) the ns time column and the text of templated columns; `*` when
 * it needs none.
 */
export function logPartProjectionSql(columns: Iterable<string>, options: LogPartProjectionOptions = {}): string {
  const has = new Set(columns);
  const leading: string[] = [];
  const exclude: string[] = [];
  const replace: string[] = [];
  const trailing: string[] = [];
  if (has.has(LOG_TIME_US_COLUMN)) {
    const fromUs = `${LOG_TIME_US_COLUMN} * 1000`;
    exclude.push(LOG_TIME_US_COLUMN);
    if (has.has(LOG_TIME_COLUMN)) replace.push(`coalesce(${LOG_TIME_COLUMN}, ${fromUs}) AS ${LOG_TIME_COLUMN}`);
    else leading.push(`${fromUs} AS ${LOG_TIME_COLUMN}`);
  }
  for (const column of templatedColumns(has)) {
    const rebuilt = templateRebuildSql(column, has, sqlIdent)!;
    if (has.has(column)) {
      replace.push(`${rebuilt} AS ${sqlIdent(column)}`);
      if (options.keepStored) trailing.push(`${sqlIdent(column)} AS ${sqlIdent(storedTextColumn(column))}`);
    } else {
      trailing.push(`${rebuilt} AS ${sqlIdent(column)}`);
    }
  }
  if (!options.keepStored) for (const c of has) if (isTemplatePiece(c)) exclude.push(c);
  if (leading.length === 0 && exclude.length === 0 && replace.length === 0 && trailing.length === 0) return '*';
  const star = `*${exclude.length ? ` EXCLUDE (${exclude.map(sqlIdent).join(', ')})` : ''}${replace.length ? ` REPLACE (${replace.join(', ')})` : ''}`;
  return [...leading, star, ...trailing].join(', ');
}

/** `relation` (a read_parquet(…) of log files holding `columns`) as queries see it; itself when it needs no projection. */
export function withLogPartSql(relation: string, columns: Iterable<string>, options: LogPartProjectionOptions = {}): string {
  const projection = logPartProjectionSql(columns, options);
  return projection === '*' ? relation : `(SELECT ${projection} FROM ${relation})`;
}

/**
 * A file's columns as log search sees them through withLogPartSql with
 * keepStored: the ns time column, the templated text columns by their
 * names, their stored pieces kept (and storedTextColumn where the file has
 * both forms).
 */
export function searchLogColumns(fileColumns: readonly string[]): Set<string> {
  const out = new Set(logicalLogColumns(fileColumns));
  for (const column of templatedColumns(out)) {
    if (out.has(column)) out.add(storedTextColumn(column));
    out.add(column);
  }
  return out;
}
