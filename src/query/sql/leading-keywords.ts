// The first words of a SQL text, past whitespace and comments. Only used to
// name what a refused statement is and to peel `EXPLAIN [ANALYZE]` off; the
// decision itself rests on DuckDB's own parser (statement-guard.ts).

export interface LeadingKeyword {
  /** upper-cased word, or '(' for a parenthesized query, or '' at the end */
  word: string;
  /** offset just past the word */
  end: number;
}

function skipSpaceAndComments(sql: string, at: number): number {
  let i = at;
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i]!)) i++;
    if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (sql.startsWith('/*', i)) {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else {
      return i;
    }
  }
}

/** The word starting at or after `at`. */
export function keywordAt(sql: string, at = 0): LeadingKeyword {
  const start = skipSpaceAndComments(sql, at);
  if (start >= sql.length) return { word: '', end: start };
  if (sql[start] === '(') return { word: '(', end: start + 1 };
  let end = start;
  while (end < sql.length && /[A-Za-z_]/.test(sql[end]!)) end++;
  return { word: sql.slice(start, end).toUpperCase(), end };
}

/**
 * Splits `EXPLAIN [ANALYZE] <query>` into the prefix and the query; any other
 * text comes back whole as the query.
 */
export function peelExplain(sql: string): { explain: boolean; query: string } {
  const first = keywordAt(sql);
  if (first.word !== 'EXPLAIN') return { explain: false, query: sql };
  const second = keywordAt(sql, first.end);
  return { explain: true, query: sql.slice(second.word === 'ANALYZE' || second.word === 'ANALYSE' ? second.end : first.end) };
}
