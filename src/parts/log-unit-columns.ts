// A log part's per-request fields stored once per unit of work
// (docs/format/log-unit-columns.md; measured in docs/storage.md, "Session 15:
// a log part's per-request fields once per unit — measured design").
//
// A part's rows are ordered by unit of work (a request's lines together). A
// column whose value is the same on every line of each unit is stored as a
// unit column, `<stored name>::unit`: unit u's value on one row of the file
// (its unit row, in the same row group as u's lines), null on the others;
// each line names its unit row in `__unit_row` (INT64; null on a row stored
// in line form, as a merge of a part of each form gives). A line's value of
// a stored column S is then S's own value where the file has S and it is
// not null, else `S::unit` at the line's `__unit_row`.
//
// Everything above the two readers of stored rows (the DuckDB join of
// src/parts/log-unit-join.ts and the page reader, src/query/part-pages.ts)
// sees the file's columns as lineFormColumns gives them: the names the
// columns have in a part written in line form.

/** Per line: the file row (0-based, `file_row_number`) of the row holding its unit's values; null on a line-form row. */
export const UNIT_ROW_COLUMN = '__unit_row';

/** The suffix of a unit column's name, after the name the column has in line form. */
export const UNIT_SUFFIX = '::unit';

/** The name a column stored in line form as `stored` has as a unit column. */
export function unitColumnName(stored: string): string {
  return `${stored}${UNIT_SUFFIX}`;
}

/** The line-form name of a unit column; undefined for any other column. */
export function lineColumnOf(column: string): string | undefined {
  return column.endsWith(UNIT_SUFFIX) ? column.slice(0, -UNIT_SUFFIX.length) : undefined;
}

/** Whether a file holding `fileColumns` stores any column as a unit column. */
export function hasUnitColumns(fileColumns: Iterable<string>): boolean {
  for (const c of fileColumns) if (c === UNIT_ROW_COLUMN) return true;
  return false;
}

/**
 * The columns of a file as a part written in line form would list them:
 * unit columns by their line-form names (once, where a merged file has both
 * forms), `__unit_row` left out; first appearance kept.
 */
export function lineFormColumns(fileColumns: readonly string[]): string[] {
  if (!hasUnitColumns(fileColumns)) return [...fileColumns];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const c of fileColumns) {
    if (c === UNIT_ROW_COLUMN) continue;
    const name = lineColumnOf(c) ?? c;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push(name);
  }
  return out;
}

/** The line-form names of the unit columns of a file holding `fileColumns`. */
export function unitColumnsOf(fileColumns: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const c of fileColumns) {
    const line = lineColumnOf(c);
    if (line !== undefined) out.add(line);
  }
  return out;
}
