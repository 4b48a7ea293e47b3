import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { query } from 'chdb';
import type { ParquetColumn } from './columns.js';
import { withTempDir } from './testing.js';
import { writeParquetFile } from './writer.js';

function jsonRows(sql: string): Record<string, unknown>[] {
  return query(sql, 'JSONEachRow')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('ClickHouse (chdb) reading the writer output', () => {
  it('reads every kind, nulls, dictionary and PLAIN strings across row groups', async () => {
    const rowCount = 3000;
    const nulls = Uint8Array.from({ length: rowCount }, (_, i) => (i % 3 === 1 ? 1 : 0));
    const hex = (bytes: Uint8Array, i: number, width: number): string => Buffer.from(bytes.subarray(i * width, (i + 1) * width)).toString('hex').toUpperCase();
    const ids16 = Uint8Array.from({ length: rowCount * 16 }, (_, i) => (i * 7 + (i >> 4)) & 0xff);
    const ids8 = Uint8Array.from({ length: rowCount * 8 }, (_, i) => (i * 13) & 0xff);
    const columns: ParquetColumn[] = [
      { name: 'row', kind: 'int64', values: BigInt64Array.from({ length: rowCount }, (_, i) => BigInt(i)) },
      { name: 'big', kind: 'int64', values: BigInt64Array.from({ length: rowCount }, (_, i) => (i % 2 ? 2n ** 63n - 1n - BigInt(i) : -(2n ** 63n) + BigInt(i))), nulls },
      { name: 'small', kind: 'int32', values: Uint8Array.from({ length: rowCount }, (_, i) => i & 0xff) },
      { name: 'ratio', kind: 'double', values: Float64Array.from({ length: rowCount }, (_, i) => i * 0.25 - 100), nulls },
      { name: 'flag', kind: 'boolean', values: Uint8Array.from({ length: rowCount }, (_, i) => i % 5 & 1), nulls },
      { name: 'service.name', kind: 'string', values: Array.from({ length: rowCount }, (_, i) => (i % 7 === 0 ? undefined : `svc-${i % 4}`)) },
      { name: 'span.db.statement', kind: 'string', values: Array.from({ length: rowCount }, (_, i) => `select ${i} -- é😀`) },
      { name: 'trace_id', kind: 'fixed16', values: ids16 },
      { name: 'parent_span_id', kind: 'fixed8', values: ids8, nulls },
    ];
    await withTempDir(async (dir) => {
      const path = join(dir, 'chdb.parquet');
      await writeParquetFile(path, rowCount, columns, { rowGroupRows: 1000 });
      const rows = jsonRows(
        `SELECT row, toString(big) AS big, small, ratio, flag, \`service.name\` AS service, \`span.db.statement\` AS statement,
                hex(trace_id) AS trace_id, hex(parent_span_id) AS parent_span_id
           FROM file('${path}', Parquet) ORDER BY row`,
      );
      const bigs = (columns[1] as { values: BigInt64Array }).values;
      const services = (columns[5] as { values: ReadonlyArray<string | undefined> }).values;
      const expected = Array.from({ length: rowCount }, (_, i) => {
        const present = nulls[i] === 0;
        return {
          row: i,
          big: present ? String(bigs[i]) : null,
          small: i & 0xff,
          ratio: present ? i * 0.25 - 100 : null,
          flag: present ? (i % 5 & 1) === 1 : null,
          service: services[i] ?? null,
          statement: `select ${i} -- é😀`,
          trace_id: hex(ids16, i, 16),
          parent_span_id: present ? hex(ids8, i, 8) : null,
        };
      });
      assert.deepEqual(rows, expected);
    });
  });

  it('reads dictionary indices written as short RLE runs', async () => {
    // values repeated 1-6 times in a row (a log part's rows of one request): every run its own RLE run
    const rowCount = 3000;
    const hosts = Array.from({ length: rowCount }, (_, i) => `host-${Math.floor((i * 7) / 23) % 100}`);
    await withTempDir(async (dir) => {
      const path = join(dir, 'runs.parquet');
      await writeParquetFile(path, rowCount, [{ name: 'host', kind: 'string', values: hosts }], { rowGroupRows: 1000 });
      const rows = jsonRows(`SELECT host FROM file('${path}', Parquet)`);
      assert.deepEqual(
        rows.map((r) => r['host']),
        hosts,
      );
    });
  });
});
