// The flattened fields of log bodies (log-body-fields.ts) in columnar form:
// one column per field path and value type, holding the records that have a
// value there and the values, in record order. JSON lines are decoded
// straight into these columns (no row per value with its key and type, no
// bigint per integer), and the head's row columns copy a column's values
// into the staging file's column in one tight loop (docs/logs.md, "Ingest
// cost").

import { ValueType } from './span-batch.js';
import { grow } from './span-batch-builder.js';
import { int64Halves, setSafeInt64 } from './int64-halves.js';

/** The values of one field path and type across a batch's records. */
export interface FieldColumn {
  /** the field path, escaped and dotted (`http.status`, `a^.b`) */
  key: string;
  type: ValueType;
  /**
   * The values are the record's own time written the canonical way
   * (src/parts/log-time-text.ts), stored as their number of fraction digits in
   * `int`; `type` is then Int.
   */
  timeText: boolean;
  length: number;
  /** the record of each value, ascending */
  rows: Uint32Array;
  /** String, Bytes (base64), Array and KvList (plain JSON text) values */
  str: string[];
  /** Int values (and time texts' digits) */
  int: BigInt64Array;
  /** Double values; Bool as 0/1 */
  num: Float64Array;
}

/** Which array of a FieldColumn holds values of `type`. */
function storageOf(type: ValueType): 'str' | 'int' | 'num' | 'none' {
  switch (type) {
    case ValueType.Int:
      return 'int';
    case ValueType.Double:
    case ValueType.Bool:
      return 'num';
    case ValueType.Empty:
      return 'none';
    default:
      return 'str';
  }
}

const INITIAL_VALUES = 64;

/** One column being filled; values are appended in record order. */
export class FieldColumnBuilder {
  length = 0;
  rows: Uint32Array;
  str: string[] = [];
  int = new BigInt64Array(0);
  num = new Float64Array(0);
  private halves: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private readonly storage: 'str' | 'int' | 'num' | 'none';

  /** `capacity`: the values expected (a JSON-lines field's count in the last body), so that the arrays need not grow step by step. */
  constructor(
    readonly key: string,
    readonly type: ValueType,
    readonly timeText: boolean,
    capacity = INITIAL_VALUES,
  ) {
    this.storage = storageOf(type);
    const values = Math.max(INITIAL_VALUES, capacity);
    this.rows = new Uint32Array(values);
    if (this.storage === 'int') {
      this.int = new BigInt64Array(values);
      this.halves = int64Halves(this.int);
    } else if (this.storage === 'num') this.num = new Float64Array(values);
  }

  /** Starts a value of record `row`; returns its index. */
  private next(row: number): number {
    const i = this.length++;
    if (i >= this.rows.length) {
      this.rows = grow(this.rows, i + 1);
      if (this.storage === 'int') {
        this.int = grow(this.int, i + 1);
        this.halves = int64Halves(this.int);
      } else if (this.storage === 'num') this.num = grow(this.num, i + 1);
    }
    this.rows[i] = row;
    return i;
  }

  addString(row: number, value: string): void {
    this.str[this.next(row)] = value;
  }
  /** a safe integer (|v| ≤ 2^53) */
  addSafeInt(row: number, value: number): void {
    const i = this.next(row);
    setSafeInt64(this.int, this.halves, i, value);
  }
  addInt(row: number, value: bigint): void {
    const i = this.next(row);
    this.int[i] = value;
  }
  /** a double, or a Bool as 0/1 */
  addNumber(row: number, value: number): void {
    const i = this.next(row);
    this.num[i] = value;
  }
  addEmpty(row: number): void {
    this.next(row);
  }

  /** Drops the values of records from `record` on. */
  rollback(record: number): void {
    while (this.length > 0 && this.rows[this.length - 1]! >= record) this.length--;
    if (this.str.length > this.length) this.str.length = this.length;
  }

  /** The column; its arrays are the builder's own when they are full (a builder sized right), so it is finished once and added to no more. */
  finish(): FieldColumn {
    const n = this.length;
    return {
      key: this.key,
      type: this.type,
      timeText: this.timeText,
      length: n,
      rows: exactly(this.rows, n),
      str: this.str.length > n ? this.str.slice(0, n) : this.str,
      int: exactly(this.int, this.storage === 'int' ? n : 0),
      num: exactly(this.num, this.storage === 'num' ? n : 0),
    };
  }
}

/** The first `n` elements of `a`: `a` itself when that is all of it, else a copy. */
function exactly<T extends Uint32Array | BigInt64Array | Float64Array>(a: T, n: number): T {
  return a.length === n ? a : (a.slice(0, n) as T);
}

/** Slot of a column in a path's list of columns: one per value type, then the time text. */
export const TIME_TEXT_SLOT = 8;

/** Builds a batch's FieldColumns; records are added in ascending order. */
export class FieldColumnsBuilder {
  private readonly byKey = new Map<string, (FieldColumnBuilder | undefined)[]>();
  private readonly columns: FieldColumnBuilder[] = [];

  /** The column of path `key` and `type` (or of its time texts), made on first use with room for `capacity` values. */
  column(key: string, type: ValueType, timeText = false, capacity = INITIAL_VALUES): FieldColumnBuilder {
    let slots = this.byKey.get(key);
    if (slots === undefined) {
      slots = [];
      this.byKey.set(key, slots);
    }
    const slot = timeText ? TIME_TEXT_SLOT : type;
    let col = slots[slot];
    if (col === undefined) {
      col = new FieldColumnBuilder(key, timeText ? ValueType.Int : type, timeText, capacity);
      slots[slot] = col;
      this.columns.push(col);
    }
    return col;
  }

  addString(row: number, key: string, value: string): void {
    this.column(key, ValueType.String).addString(row, value);
  }
  addInt(row: number, key: string, value: bigint): void {
    this.column(key, ValueType.Int).addInt(row, value);
  }
  addDouble(row: number, key: string, value: number): void {
    this.column(key, ValueType.Double).addNumber(row, value);
  }
  addBool(row: number, key: string, value: boolean): void {
    this.column(key, ValueType.Bool).addNumber(row, value ? 1 : 0);
  }
  addBytes(row: number, key: string, base64: string): void {
    this.column(key, ValueType.Bytes).addString(row, base64);
  }
  addComplex(row: number, key: string, type: typeof ValueType.Array | typeof ValueType.KvList, json: string): void {
    this.column(key, type).addString(row, json);
  }
  addEmpty(row: number, key: string): void {
    this.column(key, ValueType.Empty).addEmpty(row);
  }

  /** Drops every value of records from `record` on (a record refused half-way through). */
  rollback(record: number): void {
    for (const c of this.columns) c.rollback(record);
  }

  /** The columns holding values (a column whose values were all rolled back is left out). */
  finish(): FieldColumn[] {
    const out: FieldColumn[] = [];
    for (const c of this.columns) if (c.length > 0) out.push(c.finish());
    return out;
  }
}

/** Record `record`'s fields as [key, type, value] in column order (a time text's key ends in `::time`, its value the digits); for tests and tools. */
export function fieldsOfRecord(columns: readonly FieldColumn[], record: number): [string, ValueType, string | bigint | number | undefined][] {
  const out: [string, ValueType, string | bigint | number | undefined][] = [];
  for (const c of columns) {
    const storage = storageOf(c.type);
    for (let i = 0; i < c.length; i++) {
      if (c.rows[i] !== record) continue;
      out.push([c.timeText ? `${c.key}::time` : c.key, c.type, storage === 'str' ? c.str[i] : storage === 'int' ? c.int[i] : storage === 'num' ? c.num[i] : undefined]);
    }
  }
  return out;
}
