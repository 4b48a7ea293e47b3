import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { concatenateParquet } from './parquet/concatenate.js';
import { queryRows, seededRandom, sqlString, withDuckDB, withTempDir } from './parquet/testing.js';
import { ParquetColumnFileWriter, type ParquetColumn } from './parquet/writer.js';
import { LOG_TIME_COLUMN } from './log-columns.js';
import { LOG_TIME_US_COLUMN, logicalLogColumns, wholeMicros, withLogTimeSql } from './log-time-micros.js';

describe('wholeMicros', () => {
  it('divides times that are all whole µs by 1000 exactly, up to 2^62 ns', () => {
    const r = seededRandom(4);
    const us = [0n, 1n, 1_795_000_000_123_456n, 2n ** 62n / 1000n - 1n, ...Array.from({ length: 1000 }, () => BigInt(Math.floor(r() * 2 ** 52)))];
    const ns = BigInt64Array.from(us, (u) => u * 1000n);
    assert.deepEqual([...wholeMicros(ns, ns.length)!], us);
  });

  it('refuses a time with a sub-µs part, a negative one, and one from 2^62 ns on; skips null rows', () => {
    assert.equal(wholeMicros(BigInt64Array.of(1_000n, 1_795_000_000_123_456_001n), 2), undefined);
    assert.equal(wholeMicros(BigInt64Array.of(-1_000n), 1), undefined);
    assert.equal(wholeMicros(BigInt64Array.of(2n ** 62n), 1), undefined);
    // only the first `rows` count; a null row's value is not looked at
    assert.deepEqual([...wholeMicros(BigInt64Array.of(5_000n, 7n, 3n), 2, Uint8Array.of(0, 1))!], [5n, 0n]);
  });
});

describe('the ns time column over parts holding µs', () => {
  const options = { rowGroupRows: 100, codec: { codec: 'gzip', level: 6 } as const, tryDeltaInt64: true, allOptional: true };
  function write(path: string, columns: ParquetColumn[], rows: number): void {
    const writer = new ParquetColumnFileWriter(path, rows, options);
    for (const c of columns) writer.add(c);
    writer.finish();
  }
  const nsTimes = BigInt64Array.from({ length: 150 }, (_, i) => 1_795_000_000_000_000_000n + BigInt(i) * 10_000_123n);
  const usTimes = BigInt64Array.from({ length: 120 }, (_, i) => 1_795_000_001_000_000_000n + BigInt(i) * 10_000_000n);
  const msg = (n: number, tag: string): ParquetColumn => ({ name: 'msg', kind: 'string', values: Array.from({ length: n }, (_, i) => `${tag} ${i}`) });

  it('reads the same ns times from a µs part, an ns part, their union and their concatenation', async () => {
    await withTempDir((dir) =>
      withDuckDB(async (connection) => {
        const nsPart = join(dir, 'ns.parquet');
        const usPart = join(dir, 'us.parquet');
        write(nsPart, [{ name: LOG_TIME_COLUMN, kind: 'int64', values: nsTimes }, msg(150, 'ns')], 150);
        write(usPart, [{ name: LOG_TIME_US_COLUMN, kind: 'int64', values: wholeMicros(usTimes, 120)! }, msg(120, 'us')], 120);
        const merged = join(dir, 'merged.parquet');
        assert.equal(concatenateParquet([nsPart, usPart], merged, options.codec), true);
        const expected = [...nsTimes, ...usTimes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const read = async (relation: string, where = ''): Promise<bigint[]> =>
          (await queryRows(connection, `SELECT ${LOG_TIME_COLUMN} AS t FROM ${relation} ${where} ORDER BY t`)).map((r) => r['t'] as bigint);
        assert.deepEqual(await read(withLogTimeSql(`read_parquet(${sqlString(usPart)})`, [LOG_TIME_US_COLUMN, 'msg'])), [...usTimes]);
        assert.deepEqual(await read(withLogTimeSql(`read_parquet(${sqlString(nsPart)})`, [LOG_TIME_COLUMN, 'msg'])), [...nsTimes]);
        const both = [LOG_TIME_COLUMN, LOG_TIME_US_COLUMN, 'msg'];
        assert.deepEqual(await read(withLogTimeSql(`read_parquet([${sqlString(nsPart)}, ${sqlString(usPart)}], union_by_name = true)`, both)), expected);
        assert.deepEqual(await read(withLogTimeSql(`read_parquet(${sqlString(merged)})`, both)), expected);
        // a time condition and the µs column out of sight
        const at = usTimes[7]!;
        assert.deepEqual(await read(withLogTimeSql(`read_parquet(${sqlString(merged)})`, both), `WHERE ${LOG_TIME_COLUMN} = ${at}`), [at]);
        const [row] = await queryRows(connection, `SELECT * FROM ${withLogTimeSql(`read_parquet(${sqlString(usPart)})`, [LOG_TIME_US_COLUMN, 'msg'])} LIMIT 1`);
        assert.deepEqual(Object.keys(row!), [LOG_TIME_COLUMN, 'msg']);
      }),
    );
  });

  it('names the µs column as the ns one for queries', () => {
    assert.deepEqual(logicalLogColumns(['msg', LOG_TIME_US_COLUMN]), ['msg', LOG_TIME_COLUMN]);
    assert.deepEqual(logicalLogColumns([LOG_TIME_COLUMN, LOG_TIME_US_COLUMN, 'msg']), ['msg', LOG_TIME_COLUMN]);
    assert.deepEqual(logicalLogColumns([LOG_TIME_COLUMN, 'msg']), [LOG_TIME_COLUMN, 'msg']);
  });
});
