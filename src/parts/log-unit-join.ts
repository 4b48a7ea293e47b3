// DuckDB's reading of a log file whose per-request fields are stored once
// per unit (src/parts/log-unit-columns.ts): the unit values joined back on
// their lines, under the projection (log-part-projection.ts), so every query
// sees the file as if it were written in line form.
//
// The join costs (docs/storage.md, "Session 15: a log part's per-request
// fields once per unit — measured design") set how it is built:
// - only the unit columns the query reads are joined, and none when it
//   reads none (DuckDB cannot drop a join whose columns go unused);
// - an inner join on `coalesce(__unit_row, file_row_number)`: a line-form
//   row (a merge of both forms) joins its own row, whose unit columns are
//   null, so no row is lost and a filter on a unit column is pushed into
//   the unit side (a LEFT join with a coalesce'd filter would not be);
// - the unit side bounded by the same row range as the lines (a range of
//   whole row groups holds its units).

import { sqlIdent, sqlIdentifiersIn, sqlString } from '../engine/sql-quote.js';
import { searchLogColumns, storedColumnsReader, withLogPartSql, type LogPartProjectionOptions } from './log-part-projection.js';
import { UNIT_ROW_COLUMN, hasUnitColumns, lineColumnOf, lineFormColumns, unitColumnName } from './log-unit-columns.js';

export interface LogFileRelationOptions extends LogPartProjectionOptions {
  /** only rows [first, last] are read (whole row groups, as a search's chunks are) */
  rows?: { first: number; last: number };
  /**
   * The SQL the query evaluates over the relation (its select list,
   * conditions): only the unit columns it reads are joined back. Undefined:
   * every column.
   */
  reads?: readonly string[];
}

/** A log file's rows with their `file_row_number`, as stored. */
function fileRowsSql(path: string): string {
  return `read_parquet(${sqlString(path)}, file_row_number = true, hive_partitioning = false)`;
}

function rowsWhere(rows: LogFileRelationOptions['rows']): string {
  return rows ? ` WHERE file_row_number BETWEEN ${rows.first} AND ${rows.last}` : '';
}

/** The row of a line's unit: a line-form row (a merge of both forms) is its own, whose unit columns are null. */
const UNIT_KEY_SQL = `coalesce(${sqlIdent(UNIT_ROW_COLUMN)}, file_row_number)`;

/**
 * A file's lines without its unit columns and `__unit_row`, with `__unit_key`
 * (the row of their unit) when `key`, and `more` select items.
 */
function linesSql(path: string, fileColumns: readonly string[], rows: LogFileRelationOptions['rows'], key: boolean, more = ''): string {
  const unitsStored = fileColumns.filter((c) => c === UNIT_ROW_COLUMN || lineColumnOf(c) !== undefined);
  return `(SELECT * EXCLUDE (${unitsStored.map(sqlIdent).join(', ')})${key ? `, ${UNIT_KEY_SQL} AS __unit_key` : ''}${more} FROM ${fileRowsSql(path)}${rowsWhere(rows)})`;
}

/** A relation of one log file's stored rows in line form (`file_row_number` kept), and the line-form columns it gives. */
export interface LineFormRelation {
  sql: string;
  columns: string[];
}

/**
 * One log file (`fileColumns` as stored) with the unit columns the query
 * reads joined back on their lines, under their line-form names, and
 * `file_row_number`; below the projection.
 */
export function lineFormRelation(path: string, fileColumns: readonly string[], options: Omit<LogFileRelationOptions, 'keepStored'> = {}): LineFormRelation {
  if (!hasUnitColumns(fileColumns)) return { sql: fileRowsSql(path), columns: [...fileColumns] };
  const lineColumns = lineFormColumns(fileColumns);
  const stored = new Set(fileColumns);
  const unitBacked = lineColumns.filter((c) => stored.has(unitColumnName(c)));
  const read = options.reads === undefined ? undefined : storedColumnsReader(lineColumns)(namesRead(lineColumns, options.reads));
  const joined = read === undefined ? unitBacked : unitBacked.filter((c) => read.has(c));
  const joinedSet = new Set(joined);
  // a unit column not joined is left out, where the file has no line-form column of that name
  const columns = lineColumns.filter((c) => !stored.has(unitColumnName(c)) || joinedSet.has(c) || stored.has(c));
  const lines = linesSql(path, fileColumns, options.rows, joined.length > 0);
  if (joined.length === 0) return { sql: lines, columns };
  const unitSide = `(SELECT file_row_number AS __unit_at, ${joined.map((c) => sqlIdent(unitColumnName(c))).join(', ')} FROM ${fileRowsSql(path)}${rowsWhere(options.rows)})`;
  const back = joined.map((c) => {
    const unit = `__u.${sqlIdent(unitColumnName(c))}`;
    return stored.has(c) ? `coalesce(__l.${sqlIdent(c)}, ${unit}) AS ${sqlIdent(c)}` : `${unit} AS ${sqlIdent(c)}`;
  });
  const bothForms = joined.filter((c) => stored.has(c));
  const lineStar = `__l.* EXCLUDE (__unit_key${bothForms.map((c) => `, ${sqlIdent(c)}`).join('')})`;
  return { sql: `(SELECT ${lineStar}, ${back.join(', ')} FROM ${lines} __l JOIN ${unitSide} __u ON __l.__unit_key = __u.__unit_at)`, columns };
}

/**
 * One log file (`fileColumns` as stored) as queries see it, with
 * `file_row_number`: lineFormRelation under the projection. Where every
 * column is read, the columns it gives are searchLogColumns(lineFormColumns(fileColumns))'s.
 */
export function logFileRelationSql(path: string, fileColumns: readonly string[], options: LogFileRelationOptions = {}): string {
  const { keepStored, ...rest } = options;
  const relation = lineFormRelation(path, fileColumns, rest);
  return withLogPartSql(relation.sql, relation.columns, keepStored ? { keepStored: true } : {});
}

/**
 * The columns (of the projection over a file holding `lineColumns`) that
 * `reads` names, spelt as the projection does: DuckDB matches quoted names
 * whatever their case.
 */
function namesRead(lineColumns: readonly string[], reads: readonly string[]): Set<string> {
  const byLowerCase = new Map<string, string>();
  for (const c of searchLogColumns(lineColumns)) byLowerCase.set(c.toLowerCase(), c);
  const out = new Set<string>();
  for (const sql of reads) for (const name of sqlIdentifiersIn(sql)) out.add(byLowerCase.get(name.toLowerCase()) ?? name);
  return out;
}

/**
 * A units-form file read as two relations, for a text search that tests
 * each side by itself (src/query/logs/log-search.ts): its lines with their
 * line columns alone and `__unit_key` (the row of their unit), and its unit
 * rows with their unit columns alone, by line-form names, and `__unit_at`
 * (their row); each under the projection, stored pieces kept. `lineColumns`
 * and `unitColumns` are the columns each gives (as searchLogColumns names
 * them). Undefined where the file has no unit column, or where a column is
 * stored both ways (a merge of both forms) or rebuilt from both sides.
 */
export interface SplitLogFile {
  /**
   * The lines, with a boolean `__unit_match_<k>` for each of `unitTests`
   * (SQL over the unit rows): whether the line's unit passes it. Tested on
   * the stored rows, below the projection, so a filter on it and the line
   * columns runs before any column is rebuilt.
   */
  lines(unitTests: readonly string[]): string;
  units: string;
  lineColumns: Set<string>;
  unitColumns: Set<string>;
}

export function splitLogFile(path: string, fileColumns: readonly string[], rows?: { first: number; last: number }): SplitLogFile | undefined {
  if (!hasUnitColumns(fileColumns)) return undefined;
  const stored = new Set(fileColumns);
  const lineColumns = lineFormColumns(fileColumns);
  const unitStored = lineColumns.filter((c) => stored.has(unitColumnName(c)));
  if (unitStored.some((c) => stored.has(c))) return undefined;
  const unitSet = new Set(unitStored);
  const lineStored = lineColumns.filter((c) => !unitSet.has(c));
  const lineSide = searchLogColumns(lineStored);
  const unitSide = searchLogColumns(unitStored);
  // each column rebuilt from one side only (a dash-prefix field and its source, a template and its pieces)
  const readOf = storedColumnsReader(lineColumns);
  const fromUnits = (c: string): number => [...readOf([c])].filter((r) => unitSet.has(r)).length;
  for (const c of lineSide) if (fromUnits(c) > 0) return undefined;
  const unitColumns = new Set<string>();
  for (const c of unitSide) {
    const n = fromUnits(c);
    if (n === 0) continue;
    if (n < readOf([c]).size) return undefined;
    unitColumns.add(c);
  }
  const units = withLogPartSql(
    `(SELECT file_row_number AS __unit_at, ${unitStored.map((c) => `${sqlIdent(unitColumnName(c))} AS ${sqlIdent(c)}`).join(', ')} FROM ${fileRowsSql(path)}${rowsWhere(rows)})`,
    unitStored,
    { keepStored: true },
  );
  const lines = (unitTests: readonly string[]): string => {
    const matches = unitTests.map((test, k) => `, ${UNIT_KEY_SQL} IN (SELECT __unit_at FROM ${units} WHERE ${test}) AS __unit_match_${k}`).join('');
    return withLogPartSql(linesSql(path, fileColumns, rows, true, matches), lineStored, { keepStored: true });
  };
  return {
    lines,
    units,
    lineColumns: lineSide,
    unitColumns,
  };
}
