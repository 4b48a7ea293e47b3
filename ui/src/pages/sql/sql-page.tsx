// SQL: a read-only query over the spans views (docs/sql.md), its result as a
// table, and the same result as CSV. The query lives in the URL (?q=), so a
// result can be shared as a link; Ctrl/Cmd-Enter runs it.

import { useEffect, useRef, useState } from 'preact/hooks';
import { runSql, sqlCsv } from '../../api/endpoints.js';
import { ApiError } from '../../api/client.js';
import type { SqlResult } from '../../api/types.js';
import { useApi } from '../../api/use-api.js';
import { EmptyState, ErrorState, Loading } from '../../components/states.js';
import { setQuery, useQueryParams } from '../../navigation.js';
import { cellText } from './sql-cells.js';
import { ColumnList } from './column-list.js';

const EXAMPLE = `SELECT service_name, name, count(*) AS spans,
       round(quantile_cont(duration_nano, 0.99) / 1e6, 1) AS p99_ms
FROM spans
GROUP BY ALL
ORDER BY spans DESC
LIMIT 20`;

const ROW_LIMIT = 1000;

export function SqlPage() {
  const q = useQueryParams();
  const ran = q.get('q') ?? '';
  const [text, setText] = useState(ran || EXAMPLE);
  const [csvError, setCsvError] = useState<Error | undefined>(undefined);
  const box = useRef<HTMLTextAreaElement>(null);
  // `run` counts explicit runs so the same SQL can be run again.
  const run = q.get('run') ?? '';
  const result = useApi<SqlResult>(ran ? `sql:${run}:${ran}` : undefined, (signal) => runSql(ran, ROW_LIMIT, signal));

  useEffect(() => {
    if (ran) setText(ran);
  }, [ran]);

  const submit = (): void => {
    setQuery({ q: text, run: String(Date.now() % 1e6) });
  };

  const downloadCsv = async (): Promise<void> => {
    setCsvError(undefined);
    try {
      const blob = await sqlCsv(ran, 1_000_000);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = 'marquetry-query.csv';
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setCsvError(err instanceof Error ? err : new ApiError(0, String(err)));
    }
  };

  return (
    <section>
      <div class="page-header">
        <h1>SQL</h1>
        <span class="muted">
          Read-only DuckDB SQL over <code>spans</code>, <code>span_events</code>, <code>span_links</code>
        </span>
      </div>
      <form
        class="panel sql-editor"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <textarea
          ref={box}
          class="code"
          data-shortcut="search"
          data-testid="sql-input"
          aria-label="SQL query"
          spellcheck={false}
          rows={Math.min(20, Math.max(6, text.split('\n').length + 1))}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <div class="toolbar">
          <button type="submit" class="primary" data-testid="sql-run">
            Run <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
          </button>
          <button type="button" disabled={!result.data} onClick={() => void downloadCsv()} data-testid="sql-csv">
            Export CSV
          </button>
          {result.loading && result.slow && <Loading what="Running" />}
          {result.data && (
            <span class="muted" data-testid="sql-summary">
              {result.data.rows.length} rows{result.data.truncated ? ` (first ${ROW_LIMIT}; export CSV for up to a million)` : ''}
            </span>
          )}
        </div>
      </form>
      <ColumnList
        onPick={(name) => {
          const el = box.current;
          const at = el?.selectionStart ?? text.length;
          const end = el?.selectionEnd ?? at;
          const next = text.slice(0, at) + name + text.slice(end);
          setText(next);
          requestAnimationFrame(() => {
            el?.focus();
            el?.setSelectionRange(at + name.length, at + name.length);
          });
        }}
      />
      {csvError && <ErrorState error={csvError} title="The CSV export failed" />}
      {result.error && <ErrorState error={result.error} title="The query failed" />}
      {!ran && (
        <EmptyState title="Write a query and run it">
          <p>
            Each span is a row of <code>spans</code> with its service, name, times and attributes as columns. See docs/sql.md for the views and the
            limits (read-only, time-limited).
          </p>
        </EmptyState>
      )}
      {result.data && result.data.rows.length === 0 && <EmptyState title="The query returned no rows" />}
      {result.data && result.data.rows.length > 0 && (
        <div class={'panel' + (result.stale ? ' stale' : '')}>
          <div class="table-wrap sql-result">
            <table class="data-table" data-testid="sql-result">
              <thead>
                <tr>
                  {result.data.columns.map((c) => (
                    <th key={c.name} title={c.type}>
                      {c.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {result.data.rows.map((row, i) => (
                  <tr key={i}>
                    {row.map((v, j) => (
                      <td key={j} class={typeof v === 'number' ? 'num' : undefined}>
                        {cellText(v)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}
