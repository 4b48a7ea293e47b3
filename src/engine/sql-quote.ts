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

/**
 * The identifiers quoted in `sql` (as sqlIdent writes them), string literals
 * skipped: the columns a fragment built here reads.
 */
export function sqlIdentifiersIn(sql: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < sql.length; i++) {
    const quote = sql[i];
    if (quote !== '"' && quote !== "'") continue;
    let text = '';
    let j = i + 1;
    for (; j < sql.length; j++) {
      if (sql[j] !== quote) continue;
      if (sql[j + 1] === quote) {
        text += sql.slice(i + 1, j + 1);
        i = j + 1;
        continue;
      }
      break;
    }
    if (quote === '"') out.add(text + sql.slice(i + 1, j));
    i = j;
  }
  return out;
}
