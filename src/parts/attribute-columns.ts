// Attribute columns of row files, one per key and type (schema.ts): built for
// every row at once from AttributeColumns, typed arrays with null masks for
// numbers and booleans. Shared by the span and log row layouts.

import { ValueType, type AttributeColumns } from '../model/span-batch.js';
import type { ParquetColumn } from './parquet/writer.js';
import { StringEntries } from './parquet/strings.js';
import { int64Halves } from '../model/int64-halves.js';
import { type ColumnArrays, FRESH_ARRAYS } from './column-array-pool.js';
import { ownerOffsets } from './otlp-json-bytes.js';
import { attributeColumnKind, attributeColumnName, type AttributeColumnRef, type AttributeScope } from './schema.js';

export type DynamicColumn =
  /** row r holds entry indices[r] of `entries` unless nulls[r] */
  | { kind: 'string'; entries: StringEntries; indices: Uint32Array; nulls: Uint8Array }
  /** `halves`: `values` as 32-bit halves, to copy a value without a BigInt */
  | { kind: 'int64'; values: BigInt64Array; halves: Int32Array<ArrayBufferLike>; nulls: Uint8Array }
  | { kind: 'double'; values: Float64Array; nulls: Uint8Array }
  | { kind: 'boolean'; values: Uint8Array; nulls: Uint8Array };

function newDynamicColumn(type: ValueType, rows: number, arrays: ColumnArrays, ownEntries: boolean): DynamicColumn {
  switch (attributeColumnKind(type)) {
    case 'int64': {
      const values = arrays.bigint64(rows);
      return { kind: 'int64', values, halves: int64Halves(values), nulls: arrays.uint8(rows, 1) };
    }
    case 'double':
      return { kind: 'double', values: arrays.float64(rows), nulls: arrays.uint8(rows, 1) };
    case 'boolean':
      return { kind: 'boolean', values: arrays.uint8(rows, 0), nulls: arrays.uint8(rows, 1) };
    default:
      return { kind: 'string', entries: new StringEntries(ownEntries), indices: arrays.uint32(rows), nulls: arrays.uint8(rows, 1) };
  }
}

/** A boolean column's value of row `i`. Empty values are stored as `true` in their ::empty column: "present, no value". */
function booleanValue(a: AttributeColumns, i: number): number {
  return a.type[i] === ValueType.Empty ? 1 : a.num[i]! ? 1 : 0;
}

/** Stores value `i` of `a` in row `row` of `col`; `intHalves` = int64Halves(a.int). */
function setValue(col: DynamicColumn, row: number, a: AttributeColumns, i: number, intHalves: Int32Array<ArrayBufferLike>): void {
  switch (col.kind) {
    case 'string':
      col.indices[row] = col.entries.entry(a.str[i]!);
      col.nulls[row] = 0;
      return;
    case 'int64':
      // halves, not a.int[i]: reading a BigInt64Array makes a BigInt
      col.halves[2 * row] = intHalves[2 * i]!;
      col.halves[2 * row + 1] = intHalves[2 * i + 1]!;
      col.nulls[row] = 0;
      return;
    case 'double':
      col.values[row] = a.num[i]!;
      col.nulls[row] = 0;
      return;
    case 'boolean':
      col.values[row] = booleanValue(a, i);
      col.nulls[row] = 0;
      return;
  }
}

/** Columns by key, then value type: found without building the column name, which cost more than filling the value. */
export type ColumnsByKey = Map<string, (DynamicColumn | undefined)[]>;

export class DynamicColumns {
  private readonly columns = new Map<string, DynamicColumn>();
  private readonly byScope: Record<AttributeScope, ColumnsByKey> = { span: new Map(), resource: new Map(), scope: new Map() };
  /** `arrays`: where the columns' typed arrays come from. */
  constructor(
    private readonly rows: number,
    private readonly arrays: ColumnArrays = FRESH_ARRAYS,
  ) {}

  column(scope: AttributeScope, key: string, type: ValueType): DynamicColumn {
    const byType = typesOf(this.byScope[scope], key);
    // no closure to create the column: this runs for every resource and scope attribute of every batch
    return (byType[type] ??= this.named(attributeColumnName(scope, key, type), type));
  }

  /**
   * The column `name` holding values of `type`, created (all null) on first
   * use. `ownEntries`: a text column whose caller gives it one value a row, in
   * row order, each its own entry (StringEntries' `own`), written PLAIN.
   */
  named(name: string, type: ValueType, ownEntries = false): DynamicColumn {
    let col = this.columns.get(name);
    if (!col) {
      col = newDynamicColumn(type, this.rows, this.arrays, ownEntries);
      this.columns.set(name, col);
    }
    return col;
  }

  ensure(ref: AttributeColumnRef): void {
    this.column(ref.scope, ref.key, ref.type);
  }

  toParquet(): ParquetColumn[] {
    const out: ParquetColumn[] = [];
    for (const name of [...this.columns.keys()].sort()) {
      const c = this.columns.get(name)!;
      if (c.kind === 'int64') {
        out.push({ name, kind: 'int64', values: c.values, nulls: c.nulls });
        continue;
      }
      if (c.kind !== 'string') {
        out.push({ name, ...c });
        continue;
      }
      const { entries, entryStarts } = c.entries.encoded();
      out.push({ name, kind: 'string-entries', entries, entryStarts, indices: c.indices, nulls: c.nulls, distinctEntries: c.entries.distinct, ownEntries: c.entries.own });
    }
    return out;
  }
}

/** The columns of `key` by value type. */
function typesOf(cache: ColumnsByKey, key: string): (DynamicColumn | undefined)[] {
  let byType = cache.get(key);
  if (!byType) {
    byType = [];
    cache.set(key, byType);
  }
  return byType;
}

/**
 * Attributes owned by rows (span or log record attributes): row = row0 + owner.
 * `storedOtherwise(i, row)`: true when value i was stored some other way by
 * the caller (and is to be left out). `cache`: the columns found so far by
 * key and type, for `columnName`; pass the same one for every batch of a file
 * (its batches repeat the same keys).
 */
export function fillRowAttributes(
  dyn: DynamicColumns,
  a: AttributeColumns,
  row0: number,
  columnName: (key: string, type: ValueType) => string,
  storedOtherwise?: (i: number, row: number) => boolean,
  cache: ColumnsByKey = new Map(),
): void {
  // A row's attributes have different keys, so look columns up by key, not by name
  // (and without a closure per value to create a column: it was most of what this allocated).
  const intHalves = int64Halves(a.int);
  for (let i = 0; i < a.length; i++) {
    if (storedOtherwise?.(i, row0 + a.owner[i]!)) continue;
    const key = a.key[i]!;
    const type = a.type[i]! as ValueType;
    const col = (typesOf(cache, key)[type] ??= dyn.named(columnName(key, type), type));
    setValue(col, row0 + a.owner[i]!, a, i, intHalves);
  }
}

/** Resource/scope attributes: resolved once per owner, then filled into each run of its rows. */
export function fillOwnerAttributes(
  dyn: DynamicColumns,
  scope: AttributeScope,
  a: AttributeColumns,
  owners: number,
  rowOwner: Uint32Array,
  rows: number,
  row0: number,
  skipServiceName: boolean,
): void {
  if (a.length === 0) return;
  const offsets = ownerOffsets(a.owner, a.length, owners);
  const cols: DynamicColumn[] = new Array(a.length);
  // a string value's entry, numbered once for all the rows of its owner
  const entryOf = new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    // service.name as a string lives in the hot service_name column only.
    if (skipServiceName && a.key[i] === 'service.name' && a.type[i] === ValueType.String) continue;
    const col = (cols[i] = dyn.column(scope, a.key[i]!, a.type[i] as ValueType));
    if (col.kind === 'string') entryOf[i] = col.entries.entry(a.str[i]!);
  }
  forEachOwnerRun(rowOwner, rows, (o, from, to) => {
    from += row0;
    to += row0;
    for (let i = offsets[o]!; i < offsets[o + 1]!; i++) {
      const col = cols[i];
      if (col === undefined) continue;
      col.nulls.fill(0, from, to);
      switch (col.kind) {
        case 'string':
          col.indices.fill(entryOf[i]!, from, to);
          break;
        case 'int64':
          col.values.fill(a.int[i]!, from, to);
          break;
        case 'double':
          col.values.fill(a.num[i]!, from, to);
          break;
        case 'boolean':
          col.values.fill(booleanValue(a, i), from, to);
          break;
      }
    }
  });
}

/**
 * Calls `run(owner, from, to)` for each run of rows [from, to) of one owner:
 * a batch's spans come resource by resource, so an owner's value is filled
 * into a run of rows at once.
 */
function forEachOwnerRun(rowOwner: Uint32Array, rows: number, run: (owner: number, from: number, to: number) => void): void {
  for (let from = 0; from < rows; ) {
    const owner = rowOwner[from]!;
    let to = from + 1;
    while (to < rows && rowOwner[to] === owner) to++;
    run(owner, from, to);
    from = to;
  }
}

/** A string column whose rows hold numbers of its distinct values (entries), numbered as the rows are filled. */
abstract class NumberedStringColumn {
  protected readonly entries = new StringEntries();
  protected readonly indices: Uint32Array;
  protected readonly nulls: Uint8Array;

  /** `emptyIsNull`: a value '' is a null row. */
  constructor(
    readonly name: string,
    rows: number,
    protected readonly emptyIsNull: boolean,
    arrays: ColumnArrays = FRESH_ARRAYS,
  ) {
    this.indices = arrays.uint32(rows);
    this.nulls = arrays.uint8(rows, 0);
  }

  toParquet(): ParquetColumn {
    const { entries, entryStarts } = this.entries.encoded();
    return { name: this.name, kind: 'string-entries', entries, entryStarts, indices: this.indices, nulls: this.nulls, distinctEntries: this.entries.distinct };
  }
}

/**
 * A string column whose rows take their owner's value (service_name and the
 * other resource and scope fields): each owner's value is numbered once per
 * batch and each row holds the number.
 */
export class OwnerStringColumn extends NumberedStringColumn {
  /** Rows row0.. of a batch of `rows` rows: row i takes `ownerValues[rowOwner[i]]`. */
  fill(ownerValues: readonly string[], rowOwner: Uint32Array, rows: number, row0: number): void {
    const entryOf = new Int32Array(ownerValues.length);
    for (let o = 0; o < ownerValues.length; o++) {
      const value = ownerValues[o]!;
      entryOf[o] = this.emptyIsNull && value === '' ? -1 : this.entries.entry(value);
    }
    forEachOwnerRun(rowOwner, rows, (o, from, to) => {
      const e = entryOf[o]!;
      if (e < 0) this.nulls.fill(1, row0 + from, row0 + to);
      else this.indices.fill(e, row0 + from, row0 + to);
    });
  }
}

/**
 * A string column with a value of its own on each row (a log record's
 * severity text, stream, event name), numbered as the rows are filled: a run
 * of one value (a stream, a level) costs a compare, not a lookup each
 * (StringEntries.entry), and the writer gets numbers, not a string per row.
 */
export class RowStringColumn extends NumberedStringColumn {
  set(row: number, value: string): void {
    if (this.emptyIsNull && value === '') this.nulls[row] = 1;
    else this.indices[row] = this.entries.entry(value);
  }
}
