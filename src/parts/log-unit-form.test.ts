import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LogUnitColumns, constancyOf, paysAsUnits, runUnits, unitColumn, unitRowColumn } from './log-unit-form.js';
import { stringEntriesColumn } from './parquet/testing.js';
import type { ParquetColumn } from './parquet/columns.js';

/** A column's rows as strings or numbers (undefined: null). */
function valuesOf(column: ParquetColumn): unknown[] {
  const decoder = new TextDecoder();
  const nulls = 'nulls' in column ? column.nulls : undefined;
  switch (column.kind) {
    case 'string-entries':
      return [...column.indices].map((e, r) => (nulls?.[r] ? undefined : decoder.decode(column.entries.subarray(column.entryStarts[e]! + 4, column.entryStarts[e + 1]!))));
    case 'int32':
    case 'double':
    case 'boolean':
      return [...column.values].map((v, r) => (nulls?.[r] ? undefined : v));
    case 'int64':
      return [...column.values].map((v, r) => (nulls?.[r] ? undefined : v));
    default:
      throw new Error(column.kind);
  }
}

function int32Column(name: string, values: (number | undefined)[]): ParquetColumn {
  return { name, kind: 'int32', values: Int32Array.from(values, (v) => v ?? 0), nulls: Uint8Array.from(values, (v) => (v === undefined ? 1 : 0)) };
}

describe('a run cut into units', () => {
  it('starts a unit at every row group, and puts each row group units on its first rows', () => {
    // units of 3, 4, 2 and 3 lines; row groups of 5
    const units = runUnits(Uint32Array.of(0, 3, 7, 9), 12, 5);
    assert.deepEqual([...units.starts], [0, 3, 5, 7, 9, 10, 12]);
    assert.deepEqual([...units.rows], [0, 1, 5, 6, 7, 10]);
    assert.deepEqual([...units.continues], [0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1]);
    assert.deepEqual(valuesOf(unitRowColumn(units)), [0n, 0n, 0n, 1n, 1n, 5n, 5n, 6n, 6n, 7n, 10n, 10n]);
  });

  it('pays from 1.5 lines a unit', () => {
    assert.equal(paysAsUnits(3, 2), true);
    assert.equal(paysAsUnits(5, 4), false);
    assert.equal(paysAsUnits(0, 0), false);
  });
});

describe('which columns are the same over every unit', () => {
  const units = runUnits(Uint32Array.of(0, 2, 5), 6, 100);

  it('tells per-line, per-unit and constant columns apart, a null equal to a null only', () => {
    assert.equal(constancyOf(int32Column('a', [1, 1, 2, 2, 2, 3]), units), 'per-unit');
    assert.equal(constancyOf(int32Column('a', [1, 1, 2, 2, 4, 3]), units), 'per-line');
    assert.equal(constancyOf(int32Column('a', [7, 7, 7, 7, 7, 7]), units), 'constant');
    assert.equal(constancyOf(int32Column('a', [undefined, undefined, 2, 2, 2, undefined]), units), 'per-unit');
    assert.equal(constancyOf(int32Column('a', [1, undefined, 2, 2, 2, 3]), units), 'per-line');
    assert.equal(constancyOf(int32Column('a', [undefined, undefined, undefined, undefined, undefined, undefined]), units), 'constant');
  });

  it('compares strings by their bytes where equal texts have entries of their own', () => {
    const column = stringEntriesColumn('body.host', ['a', 'a', 'b', 'b', 'b', 'c']);
    assert.equal(constancyOf(column, units), 'per-unit');
    // entries 0 and 1 both "a"
    const twice = { ...column, entries: new Uint8Array([1, 0, 0, 0, 97, 1, 0, 0, 0, 97]), entryStarts: Uint32Array.of(0, 5, 10), indices: Uint32Array.of(0, 1, 0, 1, 0, 1) };
    assert.equal(constancyOf(twice, units), 'constant');
  });

  it('moves each unit value to its unit row, nulls elsewhere', () => {
    const moved = unitColumn(int32Column('body.status::int', [1, 1, undefined, undefined, undefined, 3]), units);
    assert.equal(moved.name, 'body.status::int::unit');
    assert.deepEqual(valuesOf(moved), [1, undefined, 3, undefined, undefined, undefined]);
    const hosts = unitColumn(stringEntriesColumn('body.host', ['a', 'a', 'b', 'b', 'b', 'c']), units);
    assert.deepEqual(valuesOf(hosts), ['a', 'b', 'c', undefined, undefined, undefined]);
  });
});

describe('the unit columns of a run', () => {
  const units = runUnits(Uint32Array.of(0, 2, 5), 6, 100);

  it('takes a field whole, its pieces all per unit, and a dash-prefix marker of a unit source', () => {
    const forms = new LogUnitColumns([units]);
    const template = int32Column('body.user::template.0', [4, 4, 5, 5, 5, 6]);
    const templateText = stringEntriesColumn('body.user::template', ['u-\u0011', 'u-\u0011', 'u-\u0011', 'u-\u0011', 'u-\u0011', 'u-\u0011']);
    assert.deepEqual(forms.pieces(0, 'body.user', [templateText, template]).map((c) => c.name), ['body.user::template::unit', 'body.user::template.0::unit']);
    const host = stringEntriesColumn('body.host', ['a-1', 'a-1', 'b-2', 'b-2', 'b-2', 'c-3']);
    const marker: ParquetColumn = { name: 'body.service::dash-prefix.body.host', kind: 'boolean', values: new Uint8Array(6).fill(1) };
    assert.deepEqual(forms.pieces(0, 'body.host', [host, marker]).map((c) => c.name), ['body.host::unit', 'body.service::dash-prefix.body.host::unit']);
    assert.deepEqual(forms.finish(0).map((c) => c.name), ['__unit_row']);
  });

  it('leaves a field with one per-line piece, hot columns and markers of line sources as they are', () => {
    const forms = new LogUnitColumns([units]);
    const perLine = [int32Column('body.msg::template.0', [4, 4, 5, 5, 5, 6]), int32Column('body.msg::template.1', [1, 2, 3, 3, 3, 3])];
    assert.deepEqual(forms.pieces(0, 'body.msg', perLine), perLine);
    const severity = stringEntriesColumn('severity_text', ['a', 'a', 'b', 'b', 'b', 'c']);
    assert.deepEqual(forms.pieces(0, 'severity_text', [severity]), [severity]);
    const host = stringEntriesColumn('body.host', ['a-1', 'a-2', 'b-2', 'b-2', 'b-2', 'c-3']);
    const marker: ParquetColumn = { name: 'body.service::dash-prefix.body.host', kind: 'boolean', values: new Uint8Array(6).fill(1) };
    assert.deepEqual(forms.pieces(0, 'body.host', [host, marker]), [host, marker]);
    assert.deepEqual(forms.finish(0), []);
  });

  it('passes a run without units through', () => {
    const forms = new LogUnitColumns([undefined]);
    const status = int32Column('body.status::int', [1, 1, 2, 2, 2, 3]);
    assert.deepEqual(forms.pieces(0, 'body.status::int', [status]), [status]);
    assert.deepEqual(forms.finish(0), []);
  });
});
