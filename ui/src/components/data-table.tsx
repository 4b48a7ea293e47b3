// A sortable table. Columns say how to render a cell and what to sort by; the
// sort order is kept by the page (usually in the URL).

import type { ComponentChildren } from 'preact';
import { sortRows, type SortState } from './table-sort.js';

export type { SortState };

export interface Column<Row> {
  key: string;
  header: string;
  render: (row: Row) => ComponentChildren;
  /** value to sort by; columns without it are not sortable */
  sortValue?: (row: Row) => number | string | null;
  align?: 'left' | 'right';
  /** CSS width, e.g. '8rem' */
  width?: string;
}

export interface DataTableProps<Row> {
  rows: readonly Row[];
  columns: readonly Column<Row>[];
  rowKey: (row: Row) => string;
  sort?: SortState | undefined;
  onSort?: (sort: SortState) => void;
  caption?: string;
  /** marks rows, e.g. erroneous ones */
  rowClass?: (row: Row) => string | undefined;
  testId?: string;
}

export function DataTable<Row>({ rows, columns, rowKey, sort, onSort, caption, rowClass, testId }: DataTableProps<Row>) {
  const sorted = sortRows(rows, columns, sort);
  return (
    <div class="table-wrap">
      <table class="data-table" data-testid={testId}>
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            {columns.map((c) => {
              const active = sort?.key === c.key;
              const ariaSort = active ? (sort!.descending ? 'descending' : 'ascending') : undefined;
              return (
                <th key={c.key} class={c.align === 'right' ? 'num' : undefined} style={c.width ? { width: c.width } : undefined} aria-sort={ariaSort}>
                  {c.sortValue && onSort ? (
                    <button type="button" class="sort" onClick={() => onSort({ key: c.key, descending: active ? !sort!.descending : true })}>
                      {c.header}
                      <span aria-hidden="true">{active ? (sort!.descending ? ' ▾' : ' ▴') : ''}</span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr key={rowKey(r)} class={rowClass?.(r)}>
              {columns.map((c) => (
                <td key={c.key} class={c.align === 'right' ? 'num' : undefined}>
                  {c.render(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
