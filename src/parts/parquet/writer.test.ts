import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { DuckDBConnection } from '@duckdb/node-api';
import { expectedRows, ownEntriesColumn, queryRows, readParquetRows, seededRandom, sqlString, stringEntriesColumn, withDuckDB, withTempDir } from './testing.js';
import { CREATED_BY, type ParquetColumn, type ParquetWriteOptions, encodeParquet, encodeParquetWithLayout, writeParquetFile } from './writer.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Writes `columns` into a temp file and hands its path and a DuckDB connection to `fn`. */
async function withWrittenFile<T>(
  rowCount: number,
  columns: readonly ParquetColumn[],
  options: ParquetWriteOptions,
  fn: (path: string, connection: DuckDBConnection) => Promise<T>,
): Promise<T> {
  return withTempDir((dir) =>
    withDuckDB(async (connection) => {
      const path = join(dir, 'x.parquet');
      await writeParquetFile(path, rowCount, columns, options);
      return fn(path, connection);
    }),
  );
}

async function assertRoundTrip(rowCount: number, columns: readonly ParquetColumn[], options: ParquetWriteOptions = {}): Promise<void> {
  await withWrittenFile(rowCount, columns, options, async (path, connection) => {
    assert.deepEqual(await readParquetRows(connection, path), expectedRows(rowCount, columns));
  });
}

function metadataRows(connection: DuckDBConnection, path: string): Promise<Record<string, unknown>[]> {
  return queryRows(
    connection,
    `select row_group_id, path_in_schema, encodings, stats_min_value, stats_max_value, stats_null_count, dictionary_page_offset
       from parquet_metadata(${sqlString(path)}) order by row_group_id, column_id`,
  );
}

function fixedBytes(width: number, rows: number[][]): Uint8Array {
  const bytes = new Uint8Array(width * rows.length);
  rows.forEach((row, i) => bytes.set(row, i * width));
  return bytes;
}

const UNICODE = ['héllo', '日本語', '😀 emoji', 'e\u0301', '\u0000nul', 'tab\tnew\nline', '"quoted"'];

function everyKind(): { rowCount: number; columns: ParquetColumn[] } {
  const nulls = Uint8Array.from([0, 1, 0, 0, 1, 0, 0]);
  return {
    rowCount: 7,
    columns: [
      { name: 'i64', kind: 'int64', values: BigInt64Array.from([INT64_MIN, 5n, INT64_MAX, -1n, 0n, 0n, 42n]), nulls },
      { name: 'i32', kind: 'int32', values: Int32Array.from([-(2 ** 31), 1, 2 ** 31 - 1, -1, 0, 7, 8]), nulls },
      { name: 'u32', kind: 'int32', values: Uint32Array.from([0, 1, 2 ** 31 - 1, 3, 4, 5, 6]) },
      { name: 'u8', kind: 'int32', values: Uint8Array.from([0, 255, 1, 2, 3, 4, 5]), nulls },
      { name: 'f64', kind: 'double', values: Float64Array.from([-0, NaN, Infinity, -Infinity, 0, Number.MIN_VALUE, -Number.MAX_VALUE]), nulls },
      { name: 'bool', kind: 'boolean', values: Uint8Array.from([1, 0, 0, 1, 1, 0, 1]), nulls },
      { name: 'str', kind: 'string', values: ['', undefined, ...UNICODE.slice(0, 5)] },
      { name: 'str_required', kind: 'string', values: UNICODE },
      { name: 'id16', kind: 'fixed16', values: fixedBytes(16, [[0], [1], [255, 255], [2], [3], [], [9, 9, 9]]), nulls },
      { name: 'id8', kind: 'fixed8', values: fixedBytes(8, [[0xff], [1], [], [2], [3], [4], [5]]) },
    ],
  };
}

describe('encodeParquet / writeParquetFile read back by DuckDB', () => {
  it('round-trips every column kind with nulls, extremes, unicode and special doubles', async () => {
    const { rowCount, columns } = everyKind();
    await assertRoundTrip(rowCount, columns);
    await assertRoundTrip(rowCount, columns, { dictionary: 'never' });
  });

  it('maps each kind to its DuckDB type and makes columns without nulls REQUIRED', async () => {
    const { rowCount, columns } = everyKind();
    await withWrittenFile(rowCount, columns, {}, async (path, connection) => {
      const schema = await queryRows(connection, `select name, duckdb_type, repetition_type, type_length from parquet_schema(${sqlString(path)}) where num_children is null`);
      assert.deepEqual(schema, [
        { name: 'i64', duckdb_type: 'BIGINT', repetition_type: 'OPTIONAL', type_length: null },
        { name: 'i32', duckdb_type: 'INTEGER', repetition_type: 'OPTIONAL', type_length: null },
        { name: 'u32', duckdb_type: 'INTEGER', repetition_type: 'REQUIRED', type_length: null },
        { name: 'u8', duckdb_type: 'INTEGER', repetition_type: 'OPTIONAL', type_length: null },
        { name: 'f64', duckdb_type: 'DOUBLE', repetition_type: 'OPTIONAL', type_length: null },
        { name: 'bool', duckdb_type: 'BOOLEAN', repetition_type: 'OPTIONAL', type_length: null },
        { name: 'str', duckdb_type: 'VARCHAR', repetition_type: 'OPTIONAL', type_length: null },
        { name: 'str_required', duckdb_type: 'VARCHAR', repetition_type: 'REQUIRED', type_length: null },
        { name: 'id16', duckdb_type: 'BLOB', repetition_type: 'OPTIONAL', type_length: '16' },
        { name: 'id8', duckdb_type: 'BLOB', repetition_type: 'REQUIRED', type_length: '8' },
      ]);
    });
  });

  it('reads all-null columns of every kind as NULL', async () => {
    const allNull = new Uint8Array(5).fill(1);
    await assertRoundTrip(5, [
      { name: 'i64', kind: 'int64', values: new BigInt64Array(5), nulls: allNull },
      { name: 'i32', kind: 'int32', values: new Int32Array(5), nulls: allNull },
      { name: 'f64', kind: 'double', values: new Float64Array(5), nulls: allNull },
      { name: 'bool', kind: 'boolean', values: new Uint8Array(5), nulls: allNull },
      { name: 'str', kind: 'string', values: new Array<string | undefined>(5).fill(undefined) },
      { name: 'id16', kind: 'fixed16', values: new Uint8Array(80), nulls: allNull },
      { name: 'id8', kind: 'fixed8', values: new Uint8Array(40), nulls: allNull },
    ]);
  });

  it('writes a zero-row file that DuckDB reads with its full schema', async () => {
    const columns: ParquetColumn[] = [
      { name: 'a', kind: 'int64', values: new BigInt64Array(0) },
      { name: 'b', kind: 'string', values: [] },
      { name: 'c', kind: 'fixed16', values: new Uint8Array(0) },
    ];
    await withWrittenFile(0, columns, {}, async (path, connection) => {
      assert.deepEqual(await readParquetRows(connection, path), []);
      const described = await queryRows(connection, `describe select * from read_parquet(${sqlString(path)})`);
      assert.deepEqual(
        described.map((row) => [row['column_name'], row['column_type']]),
        [['a', 'BIGINT'], ['b', 'VARCHAR'], ['c', 'BLOB']],
      );
    });
  });

  it('writes a one-row file', async () => {
    await assertRoundTrip(1, [
      { name: 'a', kind: 'int64', values: BigInt64Array.of(-7n) },
      { name: 'b', kind: 'string', values: ['only'] },
      { name: 'c', kind: 'double', values: Float64Array.of(NaN), nulls: Uint8Array.of(1) },
    ]);
  });

  it('accepts arrays longer than the row count and writes only the first rows', async () => {
    const columns: ParquetColumn[] = [
      { name: 'a', kind: 'int64', values: BigInt64Array.from([1n, 2n, 3n, 4n]) },
      { name: 'b', kind: 'string', values: ['x', 'y', 'z', 'w'] },
    ];
    await withWrittenFile(2, columns, {}, async (path, connection) => {
      assert.deepEqual(await readParquetRows(connection, path), [
        { a: 1n, b: 'x' },
        { a: 2n, b: 'y' },
      ]);
    });
  });

  it('splits rows into row groups of rowGroupRows, each with its own statistics', async () => {
    const rowCount = 10;
    const columns: ParquetColumn[] = [
      { name: 'n', kind: 'int64', values: BigInt64Array.from({ length: rowCount }, (_, i) => BigInt(i * 10)) },
      { name: 's', kind: 'string', values: Array.from({ length: rowCount }, (_, i) => `v${i % 2}`) },
    ];
    await withWrittenFile(rowCount, columns, { rowGroupRows: 4 }, async (path, connection) => {
      assert.deepEqual(await readParquetRows(connection, path), expectedRows(rowCount, columns));
      const groups = await queryRows(
        connection,
        `select row_group_id, row_group_num_rows, stats_min_value, stats_max_value from parquet_metadata(${sqlString(path)}) where path_in_schema = 'n' order by row_group_id`,
      );
      assert.deepEqual(groups, [
        { row_group_id: 0n, row_group_num_rows: 4n, stats_min_value: '0', stats_max_value: '30' },
        { row_group_id: 1n, row_group_num_rows: 4n, stats_min_value: '40', stats_max_value: '70' },
        { row_group_id: 2n, row_group_num_rows: 2n, stats_min_value: '80', stats_max_value: '90' },
      ]);
    });
  });

  it('dictionary-encodes repetitive strings and keeps distinct or never-dictionary strings PLAIN', async () => {
    const rowCount = 1000;
    const columns: ParquetColumn[] = [
      { name: 'low', kind: 'string', values: Array.from({ length: rowCount }, (_, i) => (i % 7 === 0 ? undefined : `service-${i % 5}`)) },
      { name: 'one', kind: 'string', values: new Array<string>(rowCount).fill('same') },
      { name: 'high', kind: 'string', values: Array.from({ length: rowCount }, (_, i) => `trace-${i}`) },
    ];
    for (const dictionary of ['auto', 'never'] as const) {
      await withWrittenFile(rowCount, columns, { dictionary }, async (path, connection) => {
        assert.deepEqual(await readParquetRows(connection, path), expectedRows(rowCount, columns));
        const encodings = Object.fromEntries((await metadataRows(connection, path)).map((row) => [row['path_in_schema'], [row['encodings'], row['dictionary_page_offset'] !== null]]));
        const dictionaryColumn = dictionary === 'auto' ? ['PLAIN, RLE, RLE_DICTIONARY', true] : ['PLAIN, RLE', false];
        assert.deepEqual(encodings, {
          low: dictionaryColumn,
          one: dictionary === 'auto' ? ['PLAIN, RLE_DICTIONARY', true] : ['PLAIN', false],
          high: ['PLAIN', false],
        });
        const distinct = await queryRows(connection, `select count(distinct low) as n, count(low) as present from read_parquet(${sqlString(path)})`);
        assert.deepEqual(distinct, [{ n: 5n, present: 857n }]);
      });
    }
  });

  it('writes dictionary indices in short runs as RLE runs that DuckDB reads back', async () => {
    // hosts repeated 1-6 times in a row, as a log part's rows of one request are
    const rowCount = 5000;
    const random = seededRandom(3);
    const hosts: (string | undefined)[] = [];
    while (hosts.length < rowCount) {
      const host = random() < 0.1 ? undefined : `host-${Math.floor(random() * 100)}`;
      for (let k = 1 + Math.floor(random() * 6); k > 0 && hosts.length < rowCount; k--) hosts.push(host);
    }
    const columns: ParquetColumn[] = [{ name: 'host', kind: 'string', values: hosts }];
    await withWrittenFile(rowCount, columns, { rowGroupRows: 2000 }, async (path, connection) => {
      assert.deepEqual(await readParquetRows(connection, path), expectedRows(rowCount, columns));
      assert.ok((await metadataRows(connection, path)).every((row) => row['dictionary_page_offset'] !== null));
    });
  });

  it('reads column names with dots and colons back as single flat fields', async () => {
    const columns: ParquetColumn[] = [
      { name: 'span.http.route', kind: 'string', values: ['/a', '/b'] },
      { name: 'span.http.status_code::int', kind: 'int64', values: BigInt64Array.of(200n, 404n) },
      { name: 'resource.k8s.pod.name', kind: 'string', values: [undefined, 'pod-1'] },
    ];
    await withWrittenFile(2, columns, {}, async (path, connection) => {
      const rows = await queryRows(
        connection,
        `select "span.http.route", "span.http.status_code::int", "resource.k8s.pod.name" from read_parquet(${sqlString(path)}) order by 1`,
      );
      assert.deepEqual(rows, [
        { 'span.http.route': '/a', 'span.http.status_code::int': 200n, 'resource.k8s.pod.name': null },
        { 'span.http.route': '/b', 'span.http.status_code::int': 404n, 'resource.k8s.pod.name': 'pod-1' },
      ]);
      const paths = await queryRows(connection, `select path_in_schema from parquet_metadata(${sqlString(path)}) order by column_id`);
      assert.deepEqual(paths.map((row) => row['path_in_schema']), columns.map((column) => column.name));
    });
  });

  it('records min, max and null counts for every kind', async () => {
    const { rowCount, columns } = everyKind();
    await withWrittenFile(rowCount, columns, {}, async (path, connection) => {
      const stats = (await metadataRows(connection, path)).map((row) => [row['path_in_schema'], row['stats_min_value'], row['stats_max_value'], row['stats_null_count']]);
      assert.deepEqual(stats, [
        ['i64', '-9223372036854775808', '9223372036854775807', 2n],
        ['i32', '-2147483648', '2147483647', 2n],
        ['u32', '0', '2147483647', 0n],
        ['u8', '0', '5', 2n],
        // DuckDB shows non-finite double bounds as unknown; the finite ones are checked below
        ['f64', null, null, 2n],
        ['bool', 'false', 'true', 2n],
        ['str', '', '😀 emoji', 1n],
        ['str_required', '\u0000nul', '😀 emoji', 0n],
        ['id16', '\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00', '\\xFF\\xFF\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00', 2n],
        ['id8', '\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00', '\\xFF\\x00\\x00\\x00\\x00\\x00\\x00\\x00', 0n],
      ]);
    });
  });

  it('writes double bounds without NaN, with a zero min as -0 and a zero max as +0', async () => {
    const columns: ParquetColumn[] = [
      { name: 'zero_min', kind: 'double', values: Float64Array.of(NaN, 0, 2.5) },
      { name: 'zero_max', kind: 'double', values: Float64Array.of(-0, -3, NaN) },
      { name: 'all_nan', kind: 'double', values: Float64Array.of(NaN, NaN, NaN) },
    ];
    await withWrittenFile(3, columns, {}, async (path, connection) => {
      const stats = (await metadataRows(connection, path)).map((row) => [row['path_in_schema'], row['stats_min_value'], row['stats_max_value']]);
      assert.deepEqual(stats, [
        ['zero_min', '-0.0', '2.5'],
        ['zero_max', '-3.0', '0.0'],
        ['all_nan', null, null],
      ]);
      assert.deepEqual(await readParquetRows(connection, path), expectedRows(3, columns));
    });
  });

  it('orders string bounds by UTF-8 bytes and leaves out bounds longer than 64 bytes', async () => {
    const long = 'z'.repeat(65);
    const columns: ParquetColumn[] = [
      // UTF-16 puts U+1F600 (a surrogate pair) below U+FFFD; UTF-8 bytes put it above
      { name: 'astral', kind: 'string', values: ['\uFFFD', '😀', 'a'] },
      { name: 'long_max', kind: 'string', values: ['a', long, 'b'] },
      { name: 'long_middle', kind: 'string', values: ['a', 'm'.repeat(100), 'z'] },
    ];
    for (const dictionary of ['auto', 'never'] as const) {
      await withWrittenFile(3, columns, { dictionary }, async (path, connection) => {
        const stats = (await metadataRows(connection, path)).map((row) => [row['path_in_schema'], row['stats_min_value'], row['stats_max_value']]);
        assert.deepEqual(stats, [
          ['astral', 'a', '😀'],
          ['long_max', null, null],
          ['long_middle', 'a', 'z'],
        ]);
      });
    }
  });

  it('lets DuckDB skip row groups by fixed16 and string statistics without reading their pages', async () => {
    const rowCount = 4000;
    const ids = new Uint8Array(rowCount * 16);
    for (let i = 0; i < rowCount; i++) {
      ids[i * 16] = i >> 8;
      ids[i * 16 + 1] = i & 0xff;
      ids[i * 16 + 15] = 0x5a;
    }
    const columns: ParquetColumn[] = [
      { name: 'trace_id', kind: 'fixed16', values: ids },
      { name: 'n', kind: 'int64', values: BigInt64Array.from({ length: rowCount }, (_, i) => BigInt(i)) },
      { name: 'service.name', kind: 'string', values: Array.from({ length: rowCount }, (_, i) => `svc-${Math.floor(i / 1000)}-${i % 3}`) },
    ];
    const parts = encodeParquet(rowCount, columns, { rowGroupRows: 1000 });
    const file = Buffer.concat(parts);
    await withTempDir((dir) =>
      withDuckDB(async (connection) => {
        const path = join(dir, 'pruned.parquet');
        await writeFile(path, file);
        const offsets = await queryRows(connection, `select row_group_id, coalesce(dictionary_page_offset, data_page_offset) as chunk_offset from parquet_metadata(${sqlString(path)})`);
        // wreck the first page header of every chunk outside row group 3: reading any of them fails
        for (const row of offsets) {
          if (row['row_group_id'] !== 3n) file.fill(0xff, Number(row['chunk_offset']), Number(row['chunk_offset']) + 8);
        }
        await writeFile(path, file);
        const hex = (i: number): string => `${[i >> 8, i & 0xff].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}${'\\x00'.repeat(13)}\\x5a`;
        const where = (i: number): string => `select n from read_parquet(${sqlString(path)}) where trace_id = '${hex(i)}'::blob`;
        assert.deepEqual(await queryRows(connection, where(3210)), [{ n: 3210n }]);
        await assert.rejects(queryRows(connection, where(10)));
        const byService = (service: string): string => `select count(*) as n from read_parquet(${sqlString(path)}) where "service.name" = '${service}'`;
        assert.deepEqual(await queryRows(connection, byService('svc-3-1')), [{ n: 333n }]);
        await assert.rejects(queryRows(connection, byService('svc-0-1')));
      }),
    );
  });

  it('splits data pages at pageBytes and reads every page back', async () => {
    const rowCount = 3000;
    const nulls = Uint8Array.from({ length: rowCount }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const columns: ParquetColumn[] = [
      { name: 'i64', kind: 'int64', values: BigInt64Array.from({ length: rowCount }, (_, i) => BigInt(i) * 1_000_003n), nulls },
      { name: 'f64', kind: 'double', values: Float64Array.from({ length: rowCount }, (_, i) => i / 7) },
      { name: 'bool', kind: 'boolean', values: Uint8Array.from({ length: rowCount }, (_, i) => i % 5 & 1), nulls },
      { name: 'dict', kind: 'string', values: Array.from({ length: rowCount }, (_, i) => (i % 4 === 0 ? undefined : `route-${i % 37}`)) },
      { name: 'plain', kind: 'string', values: Array.from({ length: rowCount }, (_, i) => `${'x'.repeat(i % 50)}${i}`) },
      { name: 'id16', kind: 'fixed16', values: Uint8Array.from({ length: rowCount * 16 }, (_, i) => (i * 31) & 0xff), nulls },
    ];
    const pagesDefault = encodeParquet(rowCount, columns).length;
    const pagesSmall = encodeParquet(rowCount, columns, { pageBytes: 512 }).length;
    assert.ok(pagesSmall > pagesDefault * 10, `${pagesSmall} parts with 512-byte pages, ${pagesDefault} by default`);
    await assertRoundTrip(rowCount, columns, { pageBytes: 512 });
    await assertRoundTrip(rowCount, columns, { pageBytes: 512, rowGroupRows: 700 });
  });

  it('writes the string entries of a staging file as they are: one per row in row order (long values) and distinct shared ones, with nulls', async () => {
    const rowCount = 2000;
    const own = Array.from({ length: rowCount }, (_, i) => (i % 5 === 0 ? undefined : `[{"name":"event ${i}","text":"${'x'.repeat(i % 200)}"}]`));
    const shared = Array.from({ length: rowCount }, (_, i) => (i % 7 === 0 ? undefined : `route-${i % 37}-${'y'.repeat(80)}`));
    const columns: ParquetColumn[] = [
      stringEntriesColumn('own', own),
      { ...stringEntriesColumn('shared', shared), distinctEntries: true } as ParquetColumn,
      { ...stringEntriesColumn('shared_no_nulls', shared.map((v) => v ?? 'none')), distinctEntries: true } as ParquetColumn,
    ];
    const { layout } = encodeParquetWithLayout(rowCount, columns, { pageBytes: 4096 });
    for (const chunk of layout!.chunks) {
      assert.equal(chunk.pages.reduce((n, p) => n + p.rows, 0), rowCount, `${chunk.name}: each row in one page`);
    }
    assert.ok(layout!.chunks.find((c) => c.name === 'shared')!.dictionary, 'shared values as a dictionary');
    assert.equal(layout!.chunks.find((c) => c.name === 'own')!.dictionary, undefined, 'one value per row: PLAIN');
    await assertRoundTrip(rowCount, columns, { pageBytes: 4096 });
  });

  it('writes own entries (one per row, equal values not merged) PLAIN, staging file or row groups of a part, and DuckDB reads every value back', async () => {
    const rowCount = 3000;
    // few distinct values: merged, they would make a dictionary
    const values = Array.from({ length: rowCount }, (_, i) => (i % 4 === 0 ? undefined : `[{"name":"retry","attempt":${i % 3}}]`));
    const own = { ...ownEntriesColumn('events', values), ownEntries: true } as ParquetColumn;
    const { layout } = encodeParquetWithLayout(rowCount, [own], { pageBytes: 4096 });
    assert.equal(layout!.chunks[0]!.dictionary, undefined, 'PLAIN: no dictionary of merged values');
    await assertRoundTrip(rowCount, [own], { pageBytes: 4096 });
    await assertRoundTrip(rowCount, [own], { rowGroupRows: 700 });
  });

  it('passes key-value metadata through and names marquetry as the writer', async () => {
    const columns: ParquetColumn[] = [{ name: 'a', kind: 'int32', values: Int32Array.of(1) }];
    const keyValueMetadata = { 'marquetry.schema': '1', 'marquetry.min_time': '1700000000000000000', empty: '' };
    await withWrittenFile(1, columns, { keyValueMetadata }, async (path, connection) => {
      const pairs = await queryRows(connection, `select decode(key) as key, decode(value) as value from parquet_kv_metadata(${sqlString(path)}) order by key`);
      assert.deepEqual(pairs, [
        { key: 'empty', value: '' },
        { key: 'marquetry.min_time', value: '1700000000000000000' },
        { key: 'marquetry.schema', value: '1' },
      ]);
      const [file] = await queryRows(connection, `select created_by, num_rows, num_row_groups from parquet_file_metadata(${sqlString(path)})`);
      assert.deepEqual(file, { created_by: CREATED_BY, num_rows: 1n, num_row_groups: 1n });
    });
  });

  it('writes the file through a temporary name and returns its size', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'staging-000001.parquet');
      const { bytes } = await writeParquetFile(path, 2, [{ name: 'a', kind: 'string', values: ['x', 'y'] }]);
      assert.equal(statSync(path).size, bytes);
      assert.deepEqual(await readdir(dir), ['staging-000001.parquet']);
      assert.equal(existsSync(`${path}.tmp`), false);
    });
  });

  it('writes files of more buffers than one writev takes', async () => {
    const rowCount = 2000;
    const columns: ParquetColumn[] = [{ name: 'n', kind: 'int64', values: BigInt64Array.from({ length: rowCount }, (_, i) => BigInt(i)) }];
    assert.ok(encodeParquet(rowCount, columns, { pageBytes: 8 }).length > 2 * 1024);
    await assertRoundTrip(rowCount, columns, { pageBytes: 8 });
  });

  it('rejects duplicate names, short arrays and uint32 values above INT32 max', () => {
    assert.throws(
      () => encodeParquet(1, [{ name: 'a', kind: 'int32', values: Int32Array.of(1) }, { name: 'a', kind: 'int32', values: Int32Array.of(1) }]),
      /^Error: parquet: duplicate column "a"$/,
    );
    assert.throws(() => encodeParquet(3, [{ name: 'a', kind: 'fixed8', values: new Uint8Array(16) }]), /parquet: column "a" has 16 values entries, needs at least 24/);
    assert.throws(() => encodeParquet(2, [{ name: 'a', kind: 'int64', values: new BigInt64Array(2), nulls: new Uint8Array(1) }]), /parquet: column "a" has 1 nulls entries/);
    assert.throws(() => encodeParquet(1, [{ name: 'a', kind: 'int32', values: Uint32Array.of(2 ** 31) }]), /parquet: column "a" row 0 holds 2147483648, above INT32 max/);
    assert.throws(() => encodeParquet(1, []), /parquet: a file needs at least one column/);
    // a large uint32 in a null row is never written, so it is fine
    encodeParquet(1, [{ name: 'a', kind: 'int32', values: Uint32Array.of(2 ** 32 - 1), nulls: Uint8Array.of(1) }]);
  });
});
