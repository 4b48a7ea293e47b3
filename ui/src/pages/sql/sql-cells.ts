// How a SQL result value shows in a table cell. Pure.

/** null as `NULL`, nested values as compact JSON, long text cut at 500 characters. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const s = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return s.length > 500 ? `${s.slice(0, 500)}…` : s;
}
