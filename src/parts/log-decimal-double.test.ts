import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { query } from 'chdb';
import { concatenateParquet } from './parquet/concatenate.js';
import { queryRows, seededRandom, sqlString, withDuckDB, withTempDir } from './parquet/testing.js';
import { ParquetColumnFileWriter, type ParquetColumn } from './parquet/writer.js';
import { decimalDoubleColumn, isDecimalCandidate, parseDecimalColumn } from './log-decimal-double.js';
import { withLogPartSql } from './log-part-projection.js';

type Doubles = Extract<ParquetColumn, { kind: 'double' }>;
const doubles = (values: number[], nulls?: number[]): Doubles => ({ name: 'body.d::double', kind: 'double', values: Float64Array.from(values), ...(nulls ? { nulls: Uint8Array.from(nulls) } : {}) });

describe('doubles as decimals', () => {
  it('takes the fewest fraction digits that give back every value exactly', () => {
    assert.deepEqual(decimalDoubleColumn(doubles([1, 20, -3]))!, { name: 'body.d::double::decimal.0', kind: 'int32', values: Int32Array.of(1, 20, -3) });
    const cents = decimalDoubleColumn(doubles([1234.56, 0.1, 7, 1999.99], [0, 0, 1, 0]))!;
    assert.equal(cents.name, 'body.d::double::decimal.2');
    assert.deepEqual([...cents.values], [123456, 10, 0, 199999]);
    assert.equal(decimalDoubleColumn(doubles([0.0001]))!.name, 'body.d::double::decimal.4');
    for (const bad of [0.30000000000000004, 0.00001, -0, NaN, Infinity, 2 ** 31, 1e300]) assert.equal(decimalDoubleColumn(doubles([1.5, bad])), undefined, String(bad));
  });

  it('names its column so readers find the double again', () => {
    assert.deepEqual(parseDecimalColumn('body.http.duration_ms::double::decimal.2'), { column: 'body.http.duration_ms::double', digits: 2 });
    assert.equal(parseDecimalColumn('body.x::double'), undefined);
    assert.ok(isDecimalCandidate('body.http.duration_ms::double') && !isDecimalCandidate('log.x::double') && !isDecimalCandidate('body.n::int'));
  });

  it('reads back the very doubles through DuckDB and chdb, also merged with a part holding doubles', async () => {
    const r = seededRandom(3);
    const rows = 400;
    const values = Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? Math.round(r() * 200_000) / 100 : Math.round(r() * 2000) / 10));
    const nulls = Array.from({ length: rows }, (_, i) => (i % 11 === 4 ? 1 : 0));
    const column = doubles(values, nulls);
    const decimal = decimalDoubleColumn(column)!;
    const seq: ParquetColumn = { name: 'seq', kind: 'int64', values: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)) };
    const options = { rowGroupRows: 128, codec: { codec: 'gzip', level: 6 } as const, tryDeltaInt64: true, allOptional: true };
    const expected = values.map((v, i) => (nulls[i] ? null : v));
    await withTempDir((dir) =>
      withDuckDB(async (connection) => {
        const write = (path: string, columns: ParquetColumn[]): void => {
          const writer = new ParquetColumnFileWriter(path, rows, options);
          for (const c of columns) writer.add(c);
          writer.finish();
        };
        const asDecimals = join(dir, 'decimals.parquet');
        const asDoubles = join(dir, 'doubles.parquet');
        write(asDecimals, [seq, decimal]);
        write(asDoubles, [seq, column]);
        const read = async (path: string, columns: string[]): Promise<(number | null)[]> =>
          (await queryRows(connection, `SELECT "body.d::double" AS d FROM ${withLogPartSql(`read_parquet(${sqlString(path)})`, columns)} ORDER BY seq, d`)).map((x) => x['d'] as number | null);
        const got = await read(asDecimals, ['seq', decimal.name]);
        got.forEach((v, i) => assert.ok(Object.is(v, expected[i]), `row ${i}: ${v} against ${expected[i]}`));
        const merged = join(dir, 'merged.parquet');
        assert.equal(concatenateParquet([asDoubles, asDecimals], merged, options.codec), true);
        const both = await read(merged, ['seq', 'body.d::double', decimal.name]);
        assert.deepEqual(both, expected.flatMap((v) => [v, v]));
        const fromClickHouse = query(`SELECT toFloat64(\`${decimal.name}\`) / 100 AS d FROM file('${asDecimals}', Parquet) ORDER BY seq`, 'JSONEachRow')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => (JSON.parse(l) as { d: number | null }).d);
        assert.deepEqual(fromClickHouse, expected);
      }),
    );
  });
});
