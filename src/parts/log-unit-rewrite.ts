// Log parts that DuckDB rewrites (a merge concatenation refused, or a run
// DuckDB only re-encodes) leave the units form (src/parts/log-unit-columns.ts):
// DuckDB writes row groups of its own sizes, so a unit's lines and its unit
// row may land in different row groups, and it would copy `__unit_row` —
// file row numbers of the input — unchanged. Each input holding unit columns
// is read in line form instead, its unit values joined back onto its lines
// as every DuckDB query reads them (log-unit-join.ts), and the rows come out
// input after input, row by row, as DuckDB's plain concatenation gives them.

import { readParquetSql, type Engine } from '../engine/duckdb.js';
import { hasUnitColumns } from './log-unit-columns.js';
import { lineFormRelation } from './log-unit-join.js';

export interface FileColumns {
  path: string;
  /** the file's top-level columns, in its order */
  columns: readonly string[];
}

/** The top-level columns of each file, as DuckDB reads them (no `date` of the part's folder name). */
export async function fileColumnsOf(engine: Engine, paths: readonly string[]): Promise<FileColumns[]> {
  return Promise.all(
    paths.map(async (path) => ({
      path,
      columns: (await engine.all(`DESCRIBE SELECT * FROM ${readParquetSql([path])}`)).map((r) => String(r['column_name'])),
    })),
  );
}

const INPUT = '__merge_input';
const ROW = '__merge_row';

/**
 * The SELECT of the rows of `files`, each in line form (lineFormRelation),
 * file after file and in file row order (an ORDER BY: a join keeps no
 * order), under the names a line-form part has; undefined when no file
 * holds unit columns (then any plain read of them is already line form).
 */
export function lineFormRowsSql(files: readonly FileColumns[]): string | undefined {
  if (!files.some((f) => hasUnitColumns(f.columns))) return undefined;
  const union = files
    .map((f, i) => `(SELECT * EXCLUDE (file_row_number), ${i} AS ${INPUT}, file_row_number AS ${ROW} FROM ${lineFormRelation(f.path, f.columns).sql})`)
    .join(' UNION ALL BY NAME ');
  return `SELECT * EXCLUDE (${INPUT}, ${ROW}) FROM (${union}) ORDER BY ${INPUT}, ${ROW}`;
}
