// The columns of a view (DESCRIBE), fetched when first opened; a click puts the
// quoted column name into the editor at the caret.

import { useState } from 'preact/hooks';
import { runSql } from '../../api/endpoints.js';
import { useApi } from '../../api/use-api.js';
import { ErrorState } from '../../components/states.js';

const VIEWS = ['spans', 'span_events', 'span_links'] as const;

/** `"span.http.route"` for names that need quoting, bare otherwise. */
export function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function ColumnList({ onPick }: { onPick: (text: string) => void }) {
  const [open, setOpen] = useState(false);
  const [view, setView] = useState<(typeof VIEWS)[number]>('spans');
  const [filter, setFilter] = useState('');
  const columns = useApi(open ? `describe:${view}` : undefined, (signal) => runSql(`DESCRIBE ${view}`, 5000, signal));
  const rows = (columns.data?.rows ?? []).map((r) => ({ name: String(r[0]), type: String(r[1]) }));
  const shown = rows.filter((r) => r.name.toLowerCase().includes(filter.toLowerCase()));
  return (
    <details class="panel column-list" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>Columns</summary>
      <div class="toolbar">
        <select aria-label="View" value={view} onChange={(e) => setView(e.currentTarget.value as (typeof VIEWS)[number])}>
          {VIEWS.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
        <input type="search" placeholder="filter columns" aria-label="Filter columns" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        {columns.data && <span class="muted">{rows.length} columns</span>}
      </div>
      {columns.error && <ErrorState error={columns.error} retry={columns.reload} />}
      <ul class="columns" data-testid="sql-columns">
        {shown.map((c) => (
          <li key={c.name}>
            <button type="button" class="link-button mono" title={`Insert ${quoteIdentifier(c.name)}`} onClick={() => onPick(quoteIdentifier(c.name))}>
              {c.name}
            </button>{' '}
            <span class="muted">{c.type}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}
