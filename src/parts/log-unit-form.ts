// The flush's side of a log part's unit columns (log-unit-columns.ts names
// them; docs/format/log-unit-columns.md has the layout): a per-request field
// — its value the same on every line of each unit of work — is written once
// per unit, on the unit's row, and every line names that row in
// `__unit_row`. Units are the flush's grouping by correlation key
// (groupedByKey in log-token-chunks.ts, positions in the part's order) cut
// at row groups, so a row group holds its lines' units; row group g's units
// sit on its first U_g rows. A 32-bit key hash collision makes a bigger unit,
// whose fields then differ: they stay line columns. Bytes depend on the
// units, answers never do.
//
// Which columns: decided per ingested column on the pieces the earlier
// steps stored it as (templates, decimals): all of them when every piece is
// the same (null = null) on every line of every unit and one varies over the
// run. A dash-prefix marker follows its source: a unit column where its
// source is one and it is the same over every unit, so a filter on the
// rebuilt field stays on the unit side of the readers' join. Severity
// markers follow their source too, `severity_text`, a line column.

import type { ParquetColumn } from './parquet/columns.js';
import { UNIT_ROW_COLUMN, unitColumnName } from './log-unit-columns.js';
import { dashPrefixFieldsOf } from './log-dash-prefix.js';
import { severityFieldOf } from './log-severity-text.js';

/**
 * A run whose units average fewer lines than this is written in line form:
 * `__unit_row` (~0.1 B a line) and the unit rows' null levels would cost
 * about what one value a unit instead of one a line saves (docs/storage.md,
 * "Session 16: the flush writes per-request fields once per unit").
 */
export const LEAST_LINES_PER_UNIT = 1.5;

/** Columns that may be unit columns: body fields and attributes (hot columns — time, severity, service, ids, body — stay per line). */
const UNIT_FIELD_PREFIXES = ['body.', 'log.', 'resource.', 'scope.'] as const;

function isUnitFieldColumn(name: string): boolean {
  return UNIT_FIELD_PREFIXES.some((p) => name.startsWith(p));
}

/** A run's units, cut at its row groups. */
export interface RunUnits {
  /** per unit: its first line; one more element, the run's lines */
  starts: Uint32Array;
  /** per unit: the row its values are written on (row group g's units on its first rows) */
  rows: Uint32Array;
  /** per line: 1 where it is in the unit of the line before */
  continues: Uint8Array;
  /** per line, 0: the null mask of a column without nulls */
  noNulls: Uint8Array;
}

/**
 * The units of a run of `lines` lines whose units start at `unitStarts`
 * (ascending, positions in the run), cut at every row group of `groupRows`.
 */
export function runUnits(unitStarts: Uint32Array, lines: number, groupRows: number): RunUnits {
  const starts = new Uint32Array(unitStarts.length + Math.ceil(lines / groupRows) + 1);
  const rows = new Uint32Array(starts.length - 1);
  let u = 0;
  let k = 0;
  for (let first = 0; first < lines; first += groupRows) {
    const end = Math.min(lines, first + groupRows);
    const firstUnit = u;
    // a row group's first line starts a unit, cut or not
    while (k < unitStarts.length && unitStarts[k]! <= first) k++;
    rows[u] = first;
    starts[u++] = first;
    while (k < unitStarts.length && unitStarts[k]! < end) {
      rows[u] = first + (u - firstUnit);
      starts[u++] = unitStarts[k++]!;
    }
  }
  starts[u] = lines;
  const continues = new Uint8Array(lines).fill(1);
  for (let v = 0; v < u; v++) continues[starts[v]!] = 0;
  return { starts: starts.slice(0, u + 1), rows: rows.slice(0, u), continues, noNulls: new Uint8Array(lines) };
}

/** Whether a run of `lines` lines in `units` units is worth the units form. */
export function paysAsUnits(lines: number, units: number): boolean {
  return units > 0 && lines >= LEAST_LINES_PER_UNIT * units;
}

/** `__unit_row` of a run: each line's unit row. */
export function unitRowColumn(units: RunUnits): ParquetColumn {
  const lines = units.continues.length;
  const values = new BigInt64Array(lines);
  // rows < 2^31: the low word of each little-endian int64, the high one stays 0
  const words = new Int32Array(values.buffer);
  fillUnitRows(units.starts, units.rows, words);
  return { name: UNIT_ROW_COLUMN, kind: 'int64', values };
}

function fillUnitRows(starts: Uint32Array, rows: Uint32Array, words: Int32Array): void {
  for (let u = 0; u < rows.length; u++) {
    const row = rows[u]!;
    for (let line = starts[u]!, end = starts[u + 1]!; line < end; line++) words[2 * line] = row;
  }
}

/**
 * How a column's values run over a run's units: `per-line`, some unit has
 * two lines that differ; `per-unit`, the same on every line of each unit,
 * not over the run; `constant`, one value (or none) over the whole run.
 */
export type Constancy = 'per-line' | 'per-unit' | 'constant';

/**
 * One pass over the lines, each compared with the line before: a difference
 * inside a unit ends it; a unit's first line only tells whether the column
 * varies, so once it does those are skipped. Null masks are 0 (a value) or
 * 1 (null), as the flush makes them; two rows are equal where both are null
 * or both hold the same bits (NaN equals itself).
 */
export function constancyOf(column: ParquetColumn, units: RunUnits): Constancy {
  if (column.kind === 'string') return 'per-line';
  const nulls = column.nulls ?? units.noNulls;
  const { continues } = units;
  switch (column.kind) {
    case 'string-entries':
      return entriesConstancy(column.indices, column.entries, column.entryStarts, column.distinctEntries === true, nulls, continues);
    case 'boolean':
      return bytesConstancy(column.values, 1, nulls, continues);
    case 'fixed16':
    case 'fixed8':
      return bytesConstancy(column.values, column.kind === 'fixed16' ? 16 : 8, nulls, continues);
    case 'int32':
      return column.values instanceof Uint8Array ? bytesConstancy(column.values, 1, nulls, continues) : wordsConstancy(wordsOf(column.values), 1, nulls, continues);
    case 'int64':
    case 'double':
      return wordsConstancy(wordsOf(column.values), 2, nulls, continues);
  }
}

function wordsOf(values: Int32Array | Uint32Array | BigInt64Array | Float64Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.byteLength >>> 2);
}

/** Rows of one 32-bit word (int32) or two (int64, double). */
function wordsConstancy(words: Int32Array, width: 1 | 2, nulls: Uint8Array, continues: Uint8Array): Constancy {
  let varies = false;
  for (let line = 1; line < continues.length; line++) {
    const first = continues[line] === 0;
    if (varies && first) continue;
    const isNull = nulls[line]!;
    const at = line * width;
    if (isNull === nulls[line - 1] && (isNull !== 0 || (words[at] === words[at - width] && (width === 1 || words[at + 1] === words[at - 1])))) continue;
    if (!first) return 'per-line';
    varies = true;
  }
  return varies ? 'per-unit' : 'constant';
}

/** Rows of `width` bytes (booleans, fixed-width ids). */
function bytesConstancy(bytes: Uint8Array, width: number, nulls: Uint8Array, continues: Uint8Array): Constancy {
  let varies = false;
  for (let line = 1; line < continues.length; line++) {
    const first = continues[line] === 0;
    if (varies && first) continue;
    let same = nulls[line] === nulls[line - 1];
    for (let b = 0, at = line * width; same && nulls[line] === 0 && b < width; b++) same = bytes[at + b] === bytes[at - width + b];
    if (same) continue;
    if (!first) return 'per-line';
    varies = true;
  }
  return varies ? 'per-unit' : 'constant';
}

/** Rows compare entry numbers, and where those differ the entries' bytes, unless no two entries are equal (`distinct`). */
function entriesConstancy(indices: Uint32Array, entries: Uint8Array, entryStarts: Uint32Array, distinct: boolean, nulls: Uint8Array, continues: Uint8Array): Constancy {
  let varies = false;
  for (let line = 1; line < continues.length; line++) {
    const first = continues[line] === 0;
    if (varies && first) continue;
    const isNull = nulls[line]!;
    const a = indices[line - 1]!;
    const b = indices[line]!;
    if (isNull === nulls[line - 1] && (isNull !== 0 || a === b || (!distinct && sameEntryBytes(entries, entryStarts, a, b)))) continue;
    if (!first) return 'per-line';
    varies = true;
  }
  return varies ? 'per-unit' : 'constant';
}

function sameEntryBytes(entries: Uint8Array, entryStarts: Uint32Array, a: number, b: number): boolean {
  const as = entryStarts[a]!;
  const bs = entryStarts[b]!;
  const length = entryStarts[a + 1]! - as;
  if (entryStarts[b + 1]! - bs !== length) return false;
  for (let k = 0; k < length; k++) if (entries[as + k] !== entries[bs + k]) return false;
  return true;
}

/**
 * `column` as a unit column: unit u's value (its first line's) moved to row
 * rows[u], every other row null. The values move within the column's own
 * array (a unit's row is never after its first line, and both ascend); the
 * null mask is fresh, as the mostly-null column the writer compacts
 * (parquet/sparse-chunk.ts) reads it.
 */
export function unitColumn(column: ParquetColumn, units: RunUnits): ParquetColumn {
  if (column.kind === 'string') throw new Error(`log units: column "${column.name}" of JS strings`);
  const { starts, rows } = units;
  const lines = units.continues.length;
  const nulls = new Uint8Array(lines).fill(1);
  moveNulls(column.nulls, starts, rows, nulls);
  const name = unitColumnName(column.name);
  switch (column.kind) {
    case 'string-entries':
      moveValues(column.indices, 1, starts, rows);
      return { ...column, name, nulls };
    case 'boolean':
      moveValues(column.values, 1, starts, rows);
      return { ...column, name, nulls };
    case 'fixed16':
    case 'fixed8':
      moveValues(column.values, column.kind === 'fixed16' ? 16 : 8, starts, rows);
      return { ...column, name, nulls };
    case 'int32':
      moveValues(column.values instanceof Uint8Array ? column.values : wordsOf(column.values), 1, starts, rows);
      return { ...column, name, nulls };
    case 'int64':
    case 'double':
      moveValues(wordsOf(column.values), 2, starts, rows);
      return { ...column, name, nulls };
  }
}

function moveNulls(from: Uint8Array | undefined, starts: Uint32Array, rows: Uint32Array, to: Uint8Array): void {
  if (from === undefined) for (let u = 0; u < rows.length; u++) to[rows[u]!] = 0;
  else for (let u = 0; u < rows.length; u++) to[rows[u]!] = from[starts[u]!] === 0 ? 0 : 1;
}

/** Each unit's first line's `width` elements moved to its unit row (never after that line: ascending, nothing read is overwritten first). */
function moveValues(values: Int32Array | Uint32Array | Uint8Array, width: number, starts: Uint32Array, rows: Uint32Array): void {
  for (let u = 0; u < rows.length; u++) {
    for (let w = 0, a = starts[u]! * width, b = rows[u]! * width; w < width; w++) values[b + w] = values[a + w]!;
  }
}

/**
 * The flush's unit columns of each run (src/parts/sorted-run.ts): sees the
 * pieces each ingested column was stored as, in column order, and gives
 * them back as unit columns where they qualify; `__unit_row` at the end of
 * a run where any did. A run without units (line form) passes everything
 * through untouched: its file is byte for byte the line form's.
 */
export class LogUnitColumns {
  /** per run, the ingested columns (and marker sources) written as unit columns */
  private readonly unitFields: Set<string>[];

  constructor(private readonly units: readonly (RunUnits | undefined)[]) {
    this.unitFields = units.map(() => new Set());
  }

  /** Whether run r is written with units at all (else in line form). */
  hasUnits(r: number): boolean {
    return this.units[r] !== undefined;
  }

  /**
   * The pieces `stored` of ingested column `name` in run r, as written: a
   * held dash-prefix field written with them is a column of its own, and
   * markers are decided once their sources are.
   */
  pieces(r: number, name: string, stored: ParquetColumn[]): ParquetColumn[] {
    const units = this.units[r];
    if (units === undefined || stored.length === 0) return stored;
    const out = stored.slice();
    const fields = new Map<string, number[]>();
    const markers: number[] = [];
    stored.forEach((c, i) => {
      if (dashPrefixFieldsOf(c.name) !== undefined) {
        markers.push(i);
        return;
      }
      const field = c.name === name || c.name.startsWith(`${name}::`) ? name : c.name;
      const pieces = fields.get(field);
      if (pieces) pieces.push(i);
      else fields.set(field, [i]);
    });
    for (const [field, at] of fields) {
      if (!this.perUnit(field, at.map((i) => stored[i]!), units)) continue;
      for (const i of at) out[i] = unitColumn(stored[i]!, units);
      this.unitFields[r]!.add(field);
    }
    for (const i of markers) {
      const marker = stored[i]!;
      if (!this.unitFields[r]!.has(dashPrefixFieldsOf(marker.name)!.source) || constancyOf(marker, units) === 'per-line') continue;
      out[i] = unitColumn(marker, units);
    }
    return out;
  }

  /** What run r writes after its last column: `__unit_row` where a unit column was written. */
  finish(r: number): ParquetColumn[] {
    const units = this.units[r];
    return units !== undefined && this.unitFields[r]!.size > 0 ? [unitRowColumn(units)] : [];
  }

  /** Whether a field's pieces are unit columns: each the same over every unit, one varying over the run. */
  private perUnit(field: string, pieces: readonly ParquetColumn[], units: RunUnits): boolean {
    if (!isUnitFieldColumn(field) || pieces.some((c) => severityFieldOf(c.name) !== undefined)) return false;
    let varies = false;
    for (const c of pieces) {
      const constancy = constancyOf(c, units);
      if (constancy === 'per-line') return false;
      if (constancy === 'per-unit') varies = true;
    }
    return varies;
  }
}
