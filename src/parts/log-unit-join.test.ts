import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadZstd } from './parquet/zstd.js';
import { queryRows, withDuckDB, withTempDir } from './parquet/testing.js';
import { ParquetColumnFileWriter, type ParquetColumn } from './parquet/writer.js';
import { LOG_PART_ENCODING } from '../store/log-store.js';
import { withLogPartSql } from './log-part-projection.js';
import { lineFormColumns, UNIT_ROW_COLUMN, unitColumnName } from './log-unit-columns.js';
import { lineFormRelation, logFileRelationSql } from './log-unit-join.js';

const ROWS = 48;
const GROUP_ROWS = 8;
/** rows 0–15 in line form (as a merge of a line-form part gives), the rest in units form */
const FIRST_UNITS_ROW = 16;
const HOSTS = ['cart-1', 'cart-2', 'checkout-api-7', 'search-3'];

/** Units of 1–3 lines, cut at row groups: each row's unit number. */
function unitOfRows(): Int32Array {
  const out = new Int32Array(ROWS);
  let unit = -1;
  let left = 0;
  for (let i = 0; i < ROWS; i++) {
    if (left === 0 || i % GROUP_ROWS === 0) {
      unit++;
      left = 1 + (unit % 3);
    }
    out[i] = unit;
    left--;
  }
  return out;
}

interface UnitValues {
  host: string;
  status: bigint | undefined;
}

const unitValues = (u: number): UnitValues => ({ host: HOSTS[u % HOSTS.length]!, status: u % 5 === 3 ? undefined : BigInt(200 + (u % 4) * 100) });

/** The line columns: seq, a message that differs on every line. */
function lineColumns(): ParquetColumn[] {
  return [
    { name: 'seq', kind: 'int64', values: BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(i)) },
    { name: 'body.msg', kind: 'string', values: Array.from({ length: ROWS }, (_, i) => `step ${i} of the request`) },
  ];
}

/** The per-unit fields as line columns of rows [from, to) (null outside), and the service as a dash-prefix marker of the host. */
function perLine(units: Int32Array, from: number, to: number): ParquetColumn[] {
  const inRange = (i: number): boolean => i >= from && i < to;
  const host = Array.from({ length: ROWS }, (_, i) => (inRange(i) ? unitValues(units[i]!).host : undefined));
  const status = Array.from({ length: ROWS }, (_, i) => (inRange(i) ? unitValues(units[i]!).status : undefined));
  return [
    { name: 'body.host', kind: 'string', values: host },
    { name: 'body.http.status::int', kind: 'int64', values: BigInt64Array.from(status, (s) => s ?? 0n), nulls: Uint8Array.from(status, (s) => (s === undefined ? 1 : 0)) },
    { name: 'body.service::dash-prefix.body.host', kind: 'boolean', values: Uint8Array.from(host, (h) => (h === undefined ? 0 : 1)), nulls: Uint8Array.from(host, (h) => (h === undefined ? 1 : 0)) },
  ];
}

/** The per-unit fields as unit columns of rows [from, ROWS): each row group's units on its first rows, and `__unit_row`. */
function perUnit(units: Int32Array, from: number): ParquetColumn[] {
  const unitRow = new BigInt64Array(ROWS);
  const rowNulls = new Uint8Array(ROWS).fill(1);
  const host: (string | undefined)[] = new Array<string | undefined>(ROWS).fill(undefined);
  const status = new BigInt64Array(ROWS);
  const statusNulls = new Uint8Array(ROWS).fill(1);
  let at = -1;
  for (let i = from; i < ROWS; i++) {
    if (i % GROUP_ROWS === 0) at = i - 1;
    if (i === from || i % GROUP_ROWS === 0 || units[i] !== units[i - 1]) {
      at++;
      const v = unitValues(units[i]!);
      host[at] = v.host;
      if (v.status !== undefined) {
        status[at] = v.status;
        statusNulls[at] = 0;
      }
    }
    unitRow[i] = BigInt(at);
    rowNulls[i] = 0;
  }
  const markers = host.map((h) => (h === undefined ? 1 : 0));
  return [
    { name: UNIT_ROW_COLUMN, kind: 'int64', values: unitRow, nulls: rowNulls },
    { name: unitColumnName('body.host'), kind: 'string', values: host },
    { name: unitColumnName('body.http.status::int'), kind: 'int64', values: status, nulls: statusNulls },
    { name: unitColumnName('body.service::dash-prefix.body.host'), kind: 'boolean', values: Uint8Array.from(markers, (n) => 1 - n), nulls: Uint8Array.from(markers) },
  ];
}

function write(path: string, columns: readonly ParquetColumn[]): string[] {
  const writer = new ParquetColumnFileWriter(path, ROWS, { ...LOG_PART_ENCODING, rowGroupRows: GROUP_ROWS });
  for (const c of columns) writer.add(c);
  writer.finish();
  return columns.map((c) => c.name);
}

const withFiles = (fn: (files: { line: string; lineColumns: string[]; units: string; unitsColumns: string[] }) => Promise<void>): Promise<void> =>
  withTempDir(async (dir) => {
    const units = unitOfRows();
    const line = join(dir, 'line.parquet');
    const mixed = join(dir, 'units.parquet');
    const lineColumnsWritten = write(line, [...lineColumns(), ...perLine(units, 0, ROWS)]);
    const unitsColumnsWritten = write(mixed, [...lineColumns(), ...perLine(units, 0, FIRST_UNITS_ROW), ...perUnit(units, FIRST_UNITS_ROW)]);
    await fn({ line, lineColumns: lineColumnsWritten, units: mixed, unitsColumns: unitsColumnsWritten });
  });

const readLineForm = (path: string, columns: string[]): string => withLogPartSql(`read_parquet('${path}', file_row_number = true)`, columns);

describe('log files with per-request fields once per unit, read by DuckDB', () => {
  before(() => loadZstd());

  it('lists the columns of a file by their line-form names', () => {
    assert.deepEqual(lineFormColumns(['seq', 'body.host', '__unit_row', 'body.host::unit', 'body.x::int::unit']), ['seq', 'body.host', 'body.x::int']);
    assert.deepEqual(lineFormColumns(['seq', 'body.host']), ['seq', 'body.host']);
  });

  it('gives every row as the line-form file does, the unit values back on their lines and the dash-prefix field rebuilt', () =>
    withFiles(({ line, lineColumns, units, unitsColumns }) =>
      withDuckDB(async (connection) => {
        const expected = await queryRows(connection, `SELECT * FROM ${readLineForm(line, lineColumns)} ORDER BY seq`);
        assert.ok(expected.some((r) => r['body.service'] === 'checkout-api') && expected.some((r) => r['body.http.status::int'] === null));
        assert.deepEqual(await queryRows(connection, `SELECT * FROM ${logFileRelationSql(units, unitsColumns)} ORDER BY seq`), expected);
      }),
    ));

  it('joins back only the unit columns a query reads, and answers filters on them and on line columns alike', () =>
    withFiles(({ line, lineColumns, units, unitsColumns }) =>
      withDuckDB(async (connection) => {
        const cases: { select: string; where: string }[] = [
          { select: 'seq', where: `"body.service" = 'cart'` },
          { select: 'seq, "body.host"', where: `coalesce("body.http.status::int" = 300, false)` },
          { select: 'seq', where: `"body.msg" LIKE '%1%'` },
          { select: 'seq, "body.http.status::int"', where: `"body.http.status::int" IS NULL` },
        ];
        for (const rows of [undefined, { first: 8, last: 23 }, { first: 24, last: 39 }]) {
          for (const { select, where } of cases) {
            const bound = rows ? ` AND file_row_number BETWEEN ${rows.first} AND ${rows.last}` : '';
            const want = await queryRows(connection, `SELECT ${select} FROM ${readLineForm(line, lineColumns)} WHERE ${where}${bound} ORDER BY seq`);
            const source = logFileRelationSql(units, unitsColumns, { reads: [select, where], ...(rows ? { rows } : {}) });
            assert.deepEqual(await queryRows(connection, `SELECT ${select} FROM ${source} WHERE ${where}${bound} ORDER BY seq`), want, `${select} where ${where} in ${JSON.stringify(rows)}`);
          }
        }
        // a query reading no unit column joins nothing
        assert.doesNotMatch(lineFormRelation(units, unitsColumns, { reads: ['seq', `"body.msg" LIKE '%1%'`] }).sql, /JOIN/);
        assert.match(lineFormRelation(units, unitsColumns, { reads: ['seq', `"body.service" = 'cart'`] }).sql, /JOIN/);
      }),
    ));
});
