// Quoting for SQL text built by marquetry: pure, so planners that never run
// SQL themselves (TraceQL, comparison) share it without loading DuckDB.

/** `'it''s'`: DuckDB string literals have no backslash escapes, so doubling the quote is all it takes. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Double-quoted SQL identifier (column names contain dots and colons). */
export function sqlIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}
