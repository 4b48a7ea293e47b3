// Log parts that DuckDB rewrites (a merge concatenation refused, or a run
// DuckDB only re-encodes) leave the units form (src/parts/log-unit-columns.ts):
// DuckDB writes row groups of its own sizes, so a unit's lines and its unit
// row may land in different row groups, and it would copy `__unit_row` —
// file row numbers of the input — unchanged. Each input holding unit columns
// is read in line form instead, its unit values joined back onto its lines
// (a line's value of S: S where not null, else `S::unit` at its `__unit_row`),
// and the rows come out input after input, row by row, as DuckDB's plain
// concatenation gives them.

import { readParquetSql, sqlIdent, sqlString, type Engine } from '../engine/duckdb.js';
import { hasUnitColumns, lineColumnOf, lineFormColumns, unitColumnName, UNIT_ROW_COLUMN } from './log-unit-columns.js';

export interface FileColumns {
  path: string;
  /** the file's top-level columns, in its order */
  columns: readonly string[];
}

/** The top-level columns of each file, as DuckDB reads them. */
export async function fileColumnsOf(engine: Engine, paths: readonly string[]): Promise<FileColumns[]> {
  return Promise.all(
    paths.map(async (path) => ({
      path,
      columns: (await engine.all(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`)).map((r) => String(r['column_name'])),
    })),
  );
}

const INPUT = '__merge_input';
const ROW = '__merge_row';

/**
 * The SELECT of the rows of `files`, each in line form, file after file and
 * in file row order (an ORDER BY: a join keeps no order), under the names a
 * line-form part has; undefined when no file holds unit columns (then any
 * plain read of them is already line form).
 */
export function lineFormRowsSql(files: readonly FileColumns[]): string | undefined {
  if (!files.some((f) => hasUnitColumns(f.columns))) return undefined;
  const union = files
    .map((f, i) =>
      hasUnitColumns(f.columns)
        ? joinedRowsSql(f, i)
        : `SELECT * EXCLUDE (file_row_number), ${i} AS ${INPUT}, file_row_number AS ${ROW} FROM ${readParquetSql([f.path], { fileRowNumber: true })}`,
    )
    .map((sql) => `(${sql})`)
    .join(' UNION ALL BY NAME ');
  return `SELECT * EXCLUDE (${INPUT}, ${ROW}) FROM (${union}) ORDER BY ${INPUT}, ${ROW}`;
}

/** One units-form file's rows in line form, with its input number and file row. */
function joinedRowsSql(file: FileColumns, input: number): string {
  const has = new Set(file.columns);
  const units = file.columns.filter((c) => lineColumnOf(c) !== undefined);
  const select = lineFormColumns(file.columns).map((name) => {
    const unit = unitColumnName(name);
    const value = !has.has(unit) ? `l.${sqlIdent(name)}` : has.has(name) ? `coalesce(l.${sqlIdent(name)}, u.${sqlIdent(unit)})` : `u.${sqlIdent(unit)}`;
    return `${value} AS ${sqlIdent(name)}`;
  });
  const read = readParquetSql([file.path], { fileRowNumber: true });
  if (units.length === 0) return `SELECT ${select.join(', ')}, ${input} AS ${INPUT}, l.file_row_number AS ${ROW} FROM ${read} l`;
  const unitRows = `SELECT file_row_number, ${units.map(sqlIdent).join(', ')} FROM ${read}`;
  return (
    `SELECT ${select.join(', ')}, ${input} AS ${INPUT}, l.file_row_number AS ${ROW} ` +
    `FROM ${read} l LEFT JOIN (${unitRows}) u ON l.${sqlIdent(UNIT_ROW_COLUMN)} = u.file_row_number`
  );
}
