// Double columns of log parts whose values are all short decimals (a
// duration of `123.45` ms, a price) as int32s: the value × 10^d, the column
// named `<column>::decimal.<d>`. A double's mantissa of a decimal fraction is
// 52 bits that no page codec finds a pattern in; the int32 of the same value
// is its ~17 bits in 4 bytes (docs/storage.md, "Log parts"). Readers divide
// by 10^d in floating point, which gives back the very double (IEEE division
// is correctly rounded, and a part is stored so only when it does, value by
// value). docs/format/log-decimal-double.md has the rules.

import type { ParquetColumn } from './parquet/columns.js';
import { splitTypedColumnName } from './schema.js';
import { ValueType } from '../model/span-batch.js';

/** `<column>::decimal.<d>`: `column`'s values × 10^d as int32. */
export const DECIMAL_SUFFIX = '::decimal.';
/** Most fraction digits tried: a value needing more stays a double. */
export const MAX_DECIMAL_DIGITS = 4;
const INT32_MAX = 0x7fffffff;

type DoubleColumn = Extract<ParquetColumn, { kind: 'double' }>;
type Int32Column = Extract<ParquetColumn, { kind: 'int32' }>;

export function decimalColumnName(column: string, digits: number): string {
  return `${column}${DECIMAL_SUFFIX}${digits}`;
}

/** `body.x::double::decimal.2` → { column: 'body.x::double', digits: 2 }; undefined for any other column. */
export function parseDecimalColumn(stored: string): { column: string; digits: number } | undefined {
  const at = stored.lastIndexOf(DECIMAL_SUFFIX);
  if (at <= 0) return undefined;
  const digits = stored.slice(at + DECIMAL_SUFFIX.length);
  if (!/^\d$/.test(digits)) return undefined;
  return { column: stored.slice(0, at), digits: Number(digits) };
}

/** Whether the flush tries decimals on a column: double bodies and body fields. */
export function isDecimalCandidate(column: string): boolean {
  const { base, type } = splitTypedColumnName(column);
  return type === ValueType.Double && (base === 'body' || base.startsWith('body.'));
}

/**
 * `column` as int32 decimals with the fewest fraction digits (0 to
 * MAX_DECIMAL_DIGITS) that hold every value exactly — n / 10^d is the very
 * double, -0, NaN and infinities never — or undefined.
 */
export function decimalDoubleColumn(column: DoubleColumn): Int32Column | undefined {
  const { values, nulls } = column;
  const rows = values.length;
  let digits = 0;
  let scale = 1;
  for (let r = 0; r < rows; r++) {
    if (nulls !== undefined && nulls[r] !== 0) continue;
    const x = values[r]!;
    for (;;) {
      const n = Math.round(x * scale);
      if (n / scale === x && Math.abs(n) <= INT32_MAX && !(x === 0 && 1 / x < 0)) break;
      if (digits === MAX_DECIMAL_DIGITS || !Number.isFinite(x)) return undefined;
      digits++;
      scale *= 10;
    }
  }
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) if (nulls === undefined || nulls[r] === 0) out[r] = Math.round(values[r]! * scale);
  return { name: decimalColumnName(column.name, digits), kind: 'int32', values: out, ...(nulls ? { nulls } : {}) };
}

/**
 * The SQL expression (DuckDB; ClickHouse the same with toFloat64) of the
 * doubles of `column` where `columns` hold it as decimals, else undefined:
 * the stored double where a merge joined both forms, else the decimal of
 * whichever digits the row's part used.
 */
export function decimalRebuildSql(column: string, columns: ReadonlySet<string>, ident: (c: string) => string): string | undefined {
  const forms: string[] = [];
  if (columns.has(column)) forms.push(ident(column));
  for (let d = 0; d <= MAX_DECIMAL_DIGITS; d++) {
    const stored = decimalColumnName(column, d);
    if (columns.has(stored)) forms.push(`CAST(${ident(stored)} AS DOUBLE) / ${10 ** d}`);
  }
  if (forms.length === (columns.has(column) ? 1 : 0)) return undefined;
  return forms.length === 1 ? forms[0]! : `coalesce(${forms.join(', ')})`;
}
