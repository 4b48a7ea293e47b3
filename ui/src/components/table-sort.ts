// Sorting rows by a column's value, nulls last. Pure.

export interface SortState {
  key: string;
  descending: boolean;
}

export interface Sortable<Row> {
  key: string;
  sortValue?: (row: Row) => number | string | null;
}

export function sortRows<Row>(rows: readonly Row[], columns: readonly Sortable<Row>[], sort: SortState | undefined): Row[] {
  const col = sort && columns.find((c) => c.key === sort.key);
  if (!col?.sortValue || !sort) return [...rows];
  const value = col.sortValue;
  const dir = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === y) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return (x < y ? -1 : 1) * dir;
  });
}

/** `name` or `-name` (descending), as kept in the URL. */
export function parseSort(value: string | null, fallback: SortState): SortState {
  if (!value) return fallback;
  return value.startsWith('-') ? { key: value.slice(1), descending: true } : { key: value, descending: false };
}

export function formatSort(sort: SortState): string {
  return sort.descending ? `-${sort.key}` : sort.key;
}
