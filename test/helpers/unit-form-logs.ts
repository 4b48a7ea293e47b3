// Synthetic log rows written as a part in line form and in the units form
// (src/parts/log-unit-columns.ts): the same lines either way, so a reader of
// stored rows must answer alike for both. Units of 1–4 lines cut at row
// groups, per-unit values of every kind (some null), and the variants a
// reader must not depend on: unit rows placed anywhere in their row group,
// a merged file with line-form row groups, lines with their own value of a
// unit column.

import type { ParquetColumn } from '../../src/parts/parquet/columns.js';
import { ParquetColumnFileWriter, type ColumnFileOptions } from '../../src/parts/parquet/writer.js';
import { lineColumnOf, UNIT_ROW_COLUMN, unitColumnName } from '../../src/parts/log-unit-columns.js';
import { LOG_PART_ENCODING } from '../../src/store/log-store.js';
import { seededRandom } from '../../src/model/seeded-random.js';

export type Value = string | bigint | number | boolean | Uint8Array | undefined;
export type ValueKind = 'string' | 'int64' | 'int32' | 'double' | 'boolean' | 'fixed16';

export interface UnitColumn {
  /** its line-form name */
  name: string;
  kind: ValueKind;
  /** per unit (undefined: null) */
  perUnit: Value[];
  /** per row, a line's own value (undefined: none): the line's value where set */
  own?: Value[];
}

export interface LogTable {
  rows: number;
  groupRows: number;
  /** per row, its unit (units cut at row groups), ascending */
  unitOf: Int32Array;
  /** columns stored one value a line in either form */
  lineColumns: ParquetColumn[];
  unitColumns: UnitColumn[];
  /** the line-form names in file order (a flushed part's); else line columns first */
  order?: string[];
}

const HOSTS = ['web-1', 'web-2', 'db-timeout-3', 'cart-7', 'Checkout-Main'];
const MESSAGES = ['GET /cart done', 'upstream TIMEOUT after 30s', 'cache miss', 'checkout ok', ''];

/** The lines' value of a unit column at `row`. */
export function lineValue(c: UnitColumn, unitOf: Int32Array, row: number): Value {
  return c.own?.[row] ?? c.perUnit[unitOf[row]!];
}

/** A 16-byte id of `n`. */
function id16(n: number): Uint8Array {
  const out = new Uint8Array(16);
  new DataView(out.buffer).setUint32(12, n);
  out[0] = 0xab;
  return out;
}

/**
 * Rows in units of 1–4 lines (a unit crossing a row group boundary is two
 * units with the same values); `extraLineColumns` more text columns of
 * ~40-byte messages (a bench's wider part).
 */
export function syntheticLogTable(rows: number, groupRows: number, seed: number, extraLineColumns = 0): LogTable {
  const next = seededRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const unitOf = new Int32Array(rows);
  // per unit: the unit whose values it repeats (itself, or the unit it was cut from)
  const sourceOf: number[] = [];
  let unit = -1;
  for (let row = 0, left = 0; row < rows; row++) {
    if (left === 0) {
      left = 1 + Math.floor(next() * 4);
      sourceOf.push(++unit);
    } else if (row % groupRows === 0) {
      sourceOf.push(sourceOf[unit++]!);
    }
    unitOf[row] = unit;
    left--;
  }
  const units = unit + 1;
  const perUnit = (value: () => Value): Value[] => {
    const own = Array.from({ length: units }, value);
    return sourceOf.map((s) => own[s]);
  };
  const maybe = (p: number, value: () => Value): (() => Value) => () => (next() < p ? undefined : value());
  const unitColumns: UnitColumn[] = [
    { name: 'body.host', kind: 'string', perUnit: perUnit(maybe(0.2, () => pick(HOSTS))) },
    { name: 'body.user.id::template.0', kind: 'string', perUnit: perUnit(() => `u${Math.floor(next() * 40)}`) },
    { name: 'body.http.status::int', kind: 'int64', perUnit: perUnit(maybe(0.15, () => BigInt(pick([200, 404, 500, 42])))) },
    { name: 'body.http.duration_ms::double::decimal.2', kind: 'int32', perUnit: perUnit(maybe(0.1, () => Math.floor(next() * 5000) - 100)) },
    { name: 'body.ratio::double', kind: 'double', perUnit: perUnit(maybe(0.3, () => pick([0.5, -1.25, 1e300, 42]))) },
    { name: 'body.cached::bool', kind: 'boolean', perUnit: perUnit(maybe(0.25, () => next() < 0.5)) },
    { name: 'trace_id', kind: 'fixed16', perUnit: perUnit(maybe(0.1, () => id16(Math.floor(next() * 30)))) },
  ];
  const lineColumns: ParquetColumn[] = [
    column('time_unix_nano', 'int64', rows, (row) => 1_700_000_000_000_000_000n + BigInt(row) * 1000n),
    column('body.msg', 'string', rows, () => (next() < 0.1 ? undefined : `${pick(MESSAGES)} #${Math.floor(next() * 100)}`)),
    column('body.n::int', 'int64', rows, () => (next() < 0.3 ? undefined : BigInt(Math.floor(next() * 50)))),
    // a key of a few lines at a time (as a trace id), to pick rows by
    column('line_key', 'fixed16', rows, (row) => id16(row >>> 2)),
    ...Array.from({ length: extraLineColumns }, (_, c) =>
      column(`body.field${c}`, 'string', rows, () => (next() < 0.2 ? undefined : `${pick(MESSAGES)} ${Math.floor(next() * 1e9).toString(36)} ${Math.floor(next() * 1e9).toString(36)}`)),
    ),
  ];
  return { rows, groupRows, unitOf, lineColumns, unitColumns };
}

/** The table with some lines holding their own value of every unit column (other than their unit's). */
export function withOwnValues(t: LogTable, isOwn: (row: number) => boolean): LogTable {
  const ownValue = (c: UnitColumn, row: number): Value => {
    switch (c.kind) {
      case 'string':
        return `own ${row}`;
      case 'int64':
        return 9000n + BigInt(row);
      case 'int32':
        return -row;
      case 'double':
        return row + 0.25;
      case 'boolean':
        return row % 2 === 0;
      case 'fixed16':
        return id16(1000 + row);
    }
  };
  const unitColumns = t.unitColumns.map((c) => ({ ...c, own: Array.from({ length: t.rows }, (_, row) => (isOwn(row) ? ownValue(c, row) : undefined)) }));
  return { ...t, unitColumns };
}

/** The table as a part in line form stores it. */
export function lineFormColumnsOf(t: LogTable): ParquetColumn[] {
  return inOrder(t, [...t.lineColumns, ...t.unitColumns.map((c) => column(c.name, c.kind, t.rows, (row) => lineValue(c, t.unitOf, row)))]);
}

/** The columns in the table's order, a unit column (and S beside it) where its line-form column is; `__unit_row` last. */
function inOrder(t: LogTable, columns: ParquetColumn[]): ParquetColumn[] {
  if (!t.order) return columns;
  const at = new Map(t.order.map((name, i) => [name, i]));
  const place = (c: ParquetColumn): number => (c.name === UNIT_ROW_COLUMN ? Infinity : (at.get(lineColumnOf(c.name) ?? c.name) ?? Infinity));
  return [...columns].sort((a, b) => place(a) - place(b));
}

export interface UnitFormOptions {
  /** where a row group's unit rows lie: its first rows in unit order (the flush's way), or its last rows in reverse */
  placement?: 'first' | 'last-reversed';
  /**
   * Rows stored in line form: S holds their value, `__unit_row` is null. A
   * whole row group of them is a merge's row group from a part in line form
   * (`S::unit` null there too); a unit row among them still holds its
   * unit's values for the unit's other lines.
   */
  lineFormRow?: (row: number) => boolean;
}

/**
 * The table in the units form: each unit column as `S::unit`, its units'
 * values on their unit rows; S too where the file is merged or lines have
 * their own values (null elsewhere); `__unit_row` per line.
 */
export function unitsFormColumnsOf(t: LogTable, options: UnitFormOptions = {}): ParquetColumn[] {
  const { rows, groupRows, unitOf } = t;
  const inLineForm = (row: number): boolean => options.lineFormRow?.(row) ?? false;
  // the unit row of each unit, and the unit whose values each row holds as a unit row (a unit some line names)
  const units = rows === 0 ? 0 : unitOf[rows - 1]! + 1;
  const named = new Uint8Array(units);
  for (let row = 0; row < rows; row++) if (!inLineForm(row)) named[unitOf[row]!] = 1;
  const unitRow = new Float64Array(units);
  const unitAtRow = new Int32Array(rows).fill(-1);
  for (let g = 0; g * groupRows < rows; g++) {
    const first = g * groupRows;
    const end = Math.min(rows, first + groupRows);
    const firstUnit = unitOf[first]!;
    const count = unitOf[end - 1]! - firstUnit + 1;
    for (let k = 0; k < count; k++) {
      const row = options.placement === 'last-reversed' ? end - 1 - k : first + k;
      unitRow[firstUnit + k] = row;
      if (named[firstUnit + k]) unitAtRow[row] = firstUnit + k;
    }
  }
  const out = [...t.lineColumns];
  for (const c of t.unitColumns) {
    if (c.own || options.lineFormRow) out.push(column(c.name, c.kind, rows, (row) => (inLineForm(row) ? lineValue(c, unitOf, row) : c.own?.[row])));
    out.push(column(unitColumnName(c.name), c.kind, rows, (row) => (unitAtRow[row]! < 0 ? undefined : c.perUnit[unitAtRow[row]!])));
  }
  out.push(column(UNIT_ROW_COLUMN, 'int64', rows, (row) => (inLineForm(row) ? undefined : BigInt(unitRow[unitOf[row]!]!))));
  return inOrder(t, out);
}

/** Writes the columns as the flush writes a log part (LOG_PART_ENCODING, `options` over it), in row groups of `groupRows`. */
export function writeLogColumns(path: string, rows: number, groupRows: number, columns: readonly ParquetColumn[], options: ColumnFileOptions = {}): void {
  const writer = new ParquetColumnFileWriter(path, rows, { ...LOG_PART_ENCODING, ...options, rowGroupRows: groupRows });
  try {
    for (const c of columns) writer.add(c);
    writer.finish();
  } catch (err) {
    writer.abort();
    throw err;
  }
}

/** A column of `rows` rows from each row's value (undefined: null). */
export function column(name: string, kind: ValueKind, rows: number, at: (row: number) => Value): ParquetColumn {
  const nulls = new Uint8Array(rows);
  const values = Array.from({ length: rows }, (_, row) => {
    const v = at(row);
    if (v === undefined) nulls[row] = 1;
    return v;
  });
  switch (kind) {
    case 'string':
      return { name, kind, values: values as (string | undefined)[] };
    case 'int64':
      return { name, kind, values: BigInt64Array.from(values, (v) => (v as bigint | undefined) ?? 0n), nulls };
    case 'int32':
      return { name, kind, values: Int32Array.from(values, (v) => (v as number | undefined) ?? 0), nulls };
    case 'double':
      return { name, kind, values: Float64Array.from(values, (v) => (v as number | undefined) ?? 0), nulls };
    case 'boolean':
      return { name, kind, values: Uint8Array.from(values, (v) => (v === true ? 1 : 0)), nulls };
    case 'fixed16': {
      const bytes = new Uint8Array(rows * 16);
      values.forEach((v, row) => {
        if (v instanceof Uint8Array) bytes.set(v, row * 16);
      });
      return { name, kind, values: bytes, nulls };
    }
  }
}
