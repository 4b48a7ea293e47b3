// Log part encodings read back by DuckDB and ClickHouse (chdb): compressed
// pages (zstd as log parts are written now, Brotli as session 4 wrote them,
// gzip), DELTA_BINARY_PACKED int64s, PLAIN strings chosen over a
// dictionary, several row groups written column by column, every column
// OPTIONAL, and files concatenated chunk by chunk, also of different codecs.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { query } from 'chdb';
import { concatenateParquet } from './concatenate.js';
import { EncodingChoice, GROUPS_PER_ENCODING_TRIAL, PAGES_PER_INDEX_TRIAL, encodeColumnChunk } from './column-chunk.js';
import { prepareColumn } from './columns.js';
import { loadZstd, zstdCompress, zstdDecompressPage } from './zstd.js';
import { deltaBinaryPacked } from './encoding.js';
import { readParquetFooter } from './footer.js';
import { Encoding } from './metadata.js';
import { expectedRows, queryRows, readParquetRows, seededRandom, sqlString, stringEntriesColumn, withDuckDB, withTempDir } from './testing.js';
import { ParquetColumnFileWriter, type ColumnFileOptions, type ParquetColumn, writeParquetFile } from './writer.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Columns shaped like a log part's: times, a counter, extremes, text, repeated ids, doubles, booleans. */
function logLikeColumns(rows: number, seed: number): ParquetColumn[] {
  const r = seededRandom(seed);
  const times = new BigInt64Array(rows);
  let t = 1_795_000_000_000_000_000n;
  for (let i = 0; i < rows; i++) times[i] = t += BigInt(Math.floor(r() * 20_000)) * 1000n;
  const sparse = Uint8Array.from({ length: rows }, () => (r() < 0.7 ? 1 : 0));
  const ids = Array.from({ length: rows }, (_, i) => `req-${Math.floor(i / 3).toString(16).padStart(12, '0')}`);
  return [
    { name: 'time_unix_nano', kind: 'int64', values: times },
    { name: 'seq', kind: 'int64', values: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)) },
    {
      name: 'extremes',
      kind: 'int64',
      values: BigInt64Array.from({ length: rows }, (_, i) => [INT64_MIN, INT64_MAX, 0n, -1n, BigInt(Math.floor(r() * 1e15)) - 500_000_000_000_000n][i % 5]!),
      nulls: Uint8Array.from({ length: rows }, (_, i) => (i % 7 === 3 ? 1 : 0)),
    },
    { name: 'sparse', kind: 'int64', values: BigInt64Array.from({ length: rows }, () => BigInt(Math.floor(r() * 100))), nulls: sparse },
    { name: 'msg', kind: 'string', values: Array.from({ length: rows }, (_, i) => (i % 11 === 5 ? undefined : `order ${Math.floor(r() * 1e7)} created é😀`)) },
    stringEntriesColumn('req_id', ids),
    { name: 'duration', kind: 'double', values: Float64Array.from({ length: rows }, () => Math.round(r() * 200_000) / 100) },
    { name: 'ok', kind: 'boolean', values: Uint8Array.from({ length: rows }, () => (r() < 0.9 ? 1 : 0)) },
    { name: 'status', kind: 'int32', values: Int32Array.from({ length: rows }, () => (r() < 0.9 ? 200 : 500)) },
    // a message's numbers: small, in no order, some negative, some rows without one
    { name: 'sku', kind: 'int32', values: Int32Array.from({ length: rows }, () => Math.floor(r() * 5000) - 100), nulls: Uint8Array.from({ length: rows }, (_, i) => (i % 5 === 2 ? 1 : 0)) },
  ];
}

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

/** As log parts are written (LOG_PART_ENCODING, src/store/log-store.ts), in row groups of 1000 rows. */
const LOG_PART_OPTIONS: ColumnFileOptions = {
  rowGroupRows: 1000,
  codec: { codec: 'zstd', level: 1 },
  pageBytes: 1 << 20,
  tryDeltaInt64: true,
  tryDeltaInt32: true,
  tryPlainStrings: true,
  tryDeltaLengthStrings: true,
  allOptional: true,
};
/** As session 4 wrote log parts: data folders still hold such parts. */
const BROTLI_PART_OPTIONS: ColumnFileOptions = { ...LOG_PART_OPTIONS, codec: { codec: 'brotli', quality: 6 } };

function writeColumnFile(path: string, rows: number, columns: readonly ParquetColumn[], options: ColumnFileOptions): void {
  const writer = new ParquetColumnFileWriter(path, rows, options);
  for (const c of columns) writer.add(c);
  writer.finish();
}

describe('DELTA_BINARY_PACKED', () => {
  it('writes the header, a block of min delta and bit widths, and packed miniblocks', () => {
    // values 1..5: deltas all 1, min delta 1, every adjusted delta 0 → width 0, no packed bytes
    const bytes = deltaBinaryPacked(BigInt64Array.of(1n, 2n, 3n, 4n, 5n), 0, 5, undefined, 5);
    // 128, 4, count 5, first value zigzag(1) = 2, min delta zigzag(1) = 2, widths 0 0 0 0
    assert.deepEqual([...bytes], [0x80, 0x01, 4, 5, 2, 2, 0, 0, 0, 0]);
  });
});

describe('string entries gathered from several files', () => {
  it('makes one dictionary entry of equal values that came as different entries', async () => {
    await loadZstd();
    const rows = 2000;
    const values = Array.from({ length: rows }, (_, i) => ['cart', 'checkout', 'payment'][i % 3]!);
    const once = stringEntriesColumn('service', values);
    // the same values with every entry present twice, rows alternating between the copies (two staging files' dictionaries)
    const e = once as Extract<ParquetColumn, { kind: 'string-entries' }>;
    const n = e.entryStarts.length - 1;
    const entries = new Uint8Array(e.entries.length * 2);
    entries.set(e.entries);
    entries.set(e.entries, e.entries.length);
    const entryStarts = new Uint32Array(2 * n + 1);
    for (let k = 0; k <= n; k++) entryStarts[k] = e.entryStarts[k]!;
    for (let k = 1; k <= n; k++) entryStarts[n + k] = e.entries.length + e.entryStarts[k]!;
    const indices = e.indices.map((x, i) => (i % 2 === 0 ? x : x + n));
    const twice: ParquetColumn = { name: 'service', kind: 'string-entries', entries, entryStarts, indices };
    await withTempDir((dir) =>
      withDuckDB(async (connection) => {
        const sizes: number[] = [];
        for (const [k, column] of [once, twice].entries()) {
          const path = join(dir, `s${k}.parquet`);
          writeColumnFile(path, rows, [column], LOG_PART_OPTIONS);
          assert.deepEqual(await readParquetRows(connection, path), expectedRows(rows, [once]));
          const [m] = await queryRows(connection, `SELECT sum(total_compressed_size)::INT AS b FROM parquet_metadata(${sqlString(path)})`);
          sizes.push(Number(m!['b']));
        }
        assert.equal(sizes[1], sizes[0], 'the same bytes as one entry per value');
      }),
    );
  });
});

describe('log part encodings read back', () => {
  for (const codec of [LOG_PART_OPTIONS.codec!, { codec: 'brotli', quality: 5 } as const, { codec: 'gzip', level: 6 } as const, { codec: 'zstd', level: 9 } as const]) {
    it(`${codec.codec} ${'level' in codec ? codec.level : codec.quality}: DuckDB reads every value of a file written column by column in row groups`, async () => {
      await loadZstd();
      const rows = 4321;
      const columns = logLikeColumns(rows, 7);
      await withTempDir((dir) =>
        withDuckDB(async (connection) => {
          const path = join(dir, 'part.parquet');
          writeColumnFile(path, rows, columns, { ...LOG_PART_OPTIONS, codec });
          assert.deepEqual(await readParquetRows(connection, path), expectedRows(rows, columns));
          const meta = await queryRows(
            connection,
            `SELECT path_in_schema AS c, any_value(compression) AS codec, string_agg(DISTINCT encodings, ',') AS enc, count(*)::INT AS groups
               FROM parquet_metadata(${sqlString(path)}) GROUP BY c`,
          );
          const byName = new Map(meta.map((m) => [String(m['c']), m]));
          for (const m of meta) assert.equal(m['codec'], codec.codec.toUpperCase());
          assert.equal(byName.get('seq')!['groups'], 5);
          // a counter and sorted times delta-code smaller; uniform random extremes do not
          assert.match(String(byName.get('seq')!['enc']), /DELTA_BINARY_PACKED/);
          assert.match(String(byName.get('time_unix_nano')!['enc']), /DELTA_BINARY_PACKED/);
          // two status codes: a dictionary of 2 entries, 1 bit a row, beats 4 bytes a row
          assert.match(String(byName.get('status')!['enc']), /RLE_DICTIONARY/);
          // numbers below 5000 in no order: their 14 bits a value beat PLAIN's 4 bytes
          assert.match(String(byName.get('sku')!['enc']), /DELTA_BINARY_PACKED/);
          const schema = await queryRows(connection, `SELECT name, repetition_type FROM parquet_schema(${sqlString(path)}) WHERE name <> 'schema'`);
          for (const s of schema) assert.equal(s['repetition_type'], 'OPTIONAL', String(s['name']));
        }),
      );
    });
  }

  it('DuckDB reads deltas that wrap around int64, with nulls, across pages', async () => {
    const rows = 3000;
    const r = seededRandom(3);
    const values = BigInt64Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? INT64_MIN + BigInt(i) : i % 3 === 1 ? INT64_MAX - BigInt(Math.floor(r() * 1e9)) : BigInt(Math.floor(r() * 2 ** 40)) - 2n ** 39n));
    const nulls = Uint8Array.from({ length: rows }, (_, i) => (i % 13 === 0 ? 1 : 0));
    const columns: ParquetColumn[] = [{ name: 'v', kind: 'int64', values, nulls }];
    await withTempDir((dir) =>
      withDuckDB(async (connection) => {
        const path = join(dir, 'wrap.parquet');
        // pages of 500 values; random values stay PLAIN (smaller), their sorted copy delta-codes, its deltas wrapping
        await writeParquetFile(path, rows, columns, { tryDeltaInt64: true, pageBytes: 500, rowGroupRows: 1700, codec: { codec: 'gzip', level: 1 } });
        assert.deepEqual(await readParquetRows(connection, path), expectedRows(rows, columns));
        const sorted: ParquetColumn[] = [{ name: 'v', kind: 'int64', values: values.slice().sort(), nulls }];
        await writeParquetFile(path, rows, sorted, { tryDeltaInt64: true, pageBytes: 500, rowGroupRows: 1700 });
        assert.deepEqual(await readParquetRows(connection, path), expectedRows(rows, sorted));
        const enc = await queryRows(connection, `SELECT DISTINCT encodings FROM parquet_metadata(${sqlString(path)})`);
        assert.ok(enc.some((e) => String(e['encodings']).includes('DELTA_BINARY_PACKED')));
      }),
    );
  });

  it('delta-codes int32s whose values span less than 2^31 only; DuckDB reads them across pages and row groups', async () => {
    const rows = 4000;
    const r = seededRandom(5);
    // row group 1: small numbers; row group 2: spanning all of int32 (deltas would not fit in 32 bits)
    const values = Int32Array.from({ length: rows }, (_, i) => (i < 2000 ? Math.floor(r() * 3000) - 2 ** 30 : i % 2 ? 2 ** 31 - 1 - Math.floor(r() * 100) : -(2 ** 31) + Math.floor(r() * 100)));
    const nulls = Uint8Array.from({ length: rows }, (_, i) => (i % 17 === 0 ? 1 : 0));
    const columns: ParquetColumn[] = [{ name: 'n', kind: 'int32', values, nulls }];
    await withTempDir((dir) =>
      withDuckDB(async (connection) => {
        const path = join(dir, 'int32.parquet');
        await writeParquetFile(path, rows, columns, { tryDeltaInt32: true, pageBytes: 300, rowGroupRows: 2000, codec: { codec: 'gzip', level: 1 } });
        assert.deepEqual(await readParquetRows(connection, path), expectedRows(rows, columns));
        const enc = await queryRows(connection, `SELECT row_group_id AS g, encodings AS e FROM parquet_metadata(${sqlString(path)}) ORDER BY g`);
        assert.match(String(enc[0]!['e']), /DELTA_BINARY_PACKED/);
        assert.doesNotMatch(String(enc[1]!['e']), /DELTA_BINARY_PACKED/);
      }),
    );
  });

  it('DuckDB reads int32 and int64 dictionaries: negative values, nulls, several pages; values beyond ±2^52 stay undictionaried', async () => {
    const rows = 5000;
    const r = seededRandom(9);
    const small = [-7n, 0n, 3n, -(2n ** 52n), 2n ** 52n - 1n, 404n];
    const int64 = BigInt64Array.from({ length: rows }, () => small[Math.floor(r() * small.length)]!);
    const huge = BigInt64Array.from({ length: rows }, (_, i) => (i % 2 === 0 ? INT64_MAX : INT64_MIN));
    const int32 = Int32Array.from({ length: rows }, () => [-2147483648, 2147483647, 9, 17][Math.floor(r() * 4)]!);
    const nulls = Uint8Array.from({ length: rows }, (_, i) => (i % 9 === 4 ? 1 : 0));
    const columns: ParquetColumn[] = [
      { name: 'a', kind: 'int64', values: int64, nulls },
      { name: 'b', kind: 'int32', values: int32 },
      { name: 'c', kind: 'int64', values: huge },
    ];
    await withTempDir((dir) =>
      withDuckDB(async (connection) => {
        const path = join(dir, 'dict.parquet');
        // pages of 300 rows at 3 bits and 2 bits a row
        await writeParquetFile(path, rows, columns, { tryDeltaInt64: true, pageBytes: 100, rowGroupRows: 2048, codec: { codec: 'gzip', level: 6 } });
        assert.deepEqual(await readParquetRows(connection, path), expectedRows(rows, columns));
        const meta = await queryRows(connection, `SELECT path_in_schema AS c, string_agg(DISTINCT encodings, ',') AS enc FROM parquet_metadata(${sqlString(path)}) GROUP BY c`);
        const enc = new Map(meta.map((m) => [String(m['c']), String(m['enc'])]));
        assert.match(enc.get('a')!, /RLE_DICTIONARY/);
        assert.match(enc.get('b')!, /RLE_DICTIONARY/);
        assert.doesNotMatch(enc.get('c')!, /RLE_DICTIONARY/);
        // statistics still bound the values: a filter skips nothing it should not
        const [count] = await queryRows(connection, `SELECT count(*)::INT AS n FROM read_parquet(${sqlString(path)}) WHERE a = -7 AND b < 0`);
        const expected = expectedRows(rows, columns).filter((row) => row['a'] === -7n && (row['b'] as number) < 0).length;
        assert.equal(count!['n'], expected);
      }),
    );
  });

  for (const codec of [LOG_PART_OPTIONS.codec!, BROTLI_PART_OPTIONS.codec!]) it(`ClickHouse (chdb) reads the same file (${codec.codec} ${'level' in codec ? codec.level : codec.quality})`, async () => {
    await loadZstd();
    const rows = 2500;
    const columns = logLikeColumns(rows, 11);
    await withTempDir(async (dir) => {
      const path = join(dir, 'part.parquet');
      writeColumnFile(path, rows, columns, { ...LOG_PART_OPTIONS, codec });
      // row groups are read in parallel: in file order only when asked
      const out = query(
        `SELECT toString(time_unix_nano) AS t, toString(seq) AS s, toString(extremes) AS e, toString(sparse) AS sp, status, msg, req_id, duration, sku
           FROM file('${path}', Parquet) SETTINGS input_format_parquet_preserve_order = 1`,
        'JSONEachRow',
      )
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const expected = expectedRows(rows, columns).map((row) => ({
        t: String(row['time_unix_nano']),
        s: String(row['seq']),
        e: row['extremes'] === null ? null : String(row['extremes']),
        sp: row['sparse'] === null ? null : String(row['sparse']),
        status: row['status'],
        msg: row['msg'],
        req_id: row['req_id'],
        duration: row['duration'],
        sku: row['sku'],
      }));
      assert.deepEqual(out, expected);
    });
  });

  it('concatenates files of different columns chunk by chunk; refuses files another writer wrote', async () => {
    await loadZstd();
    const a = logLikeColumns(2100, 1);
    const b = logLikeColumns(1500, 2).filter((c) => c.name !== 'msg' && c.name !== 'ok');
    b.push({ name: 'extra', kind: 'string', values: Array.from({ length: 1500 }, (_, i) => `x${i % 4}`) });
    await withTempDir((dir) =>
      withDuckDB(async (connection) => {
        const pa = join(dir, 'a.parquet');
        const pb = join(dir, 'b.parquet');
        const merged = join(dir, 'merged.parquet');
        writeColumnFile(pa, 2100, a, LOG_PART_OPTIONS);
        writeColumnFile(pb, 1500, b, LOG_PART_OPTIONS);
        assert.equal(concatenateParquet([pa, pb], merged, LOG_PART_OPTIONS.codec), true);
        const expected: Record<string, unknown>[] = [...(await readParquetRows(connection, pa)), ...(await readParquetRows(connection, pb))];
        const got = await queryRows(connection, `SELECT * EXCLUDE (file_row_number) FROM read_parquet(${sqlString(merged)}, file_row_number = true) ORDER BY file_row_number`);
        assert.deepEqual(got, expected.map((row) => Object.fromEntries(Object.keys(got[0]!).map((k) => [k, row[k] ?? null]))));
        assert.deepEqual(Object.keys(got[0]!), [...a.map((c) => c.name), 'extra']);
        // row groups kept: 3 of a (1000, 1000, 100), 2 of b
        assert.deepEqual(readParquetFooter(merged).rowGroups.map((g) => g.numRows), [1000, 1000, 100, 1000, 500]);
        // a file DuckDB wrote is not ours to concatenate
        const duck = join(dir, 'duck.parquet');
        await connection.run(`COPY (SELECT * FROM read_parquet(${sqlString(pa)})) TO ${sqlString(duck)} (FORMAT parquet)`);
        assert.equal(concatenateParquet([pa, duck], join(dir, 'no.parquet'), LOG_PART_OPTIONS.codec), false);
      }),
    );
  });
});

describe('log parts of both codecs', () => {
  it('concatenates a Brotli part (an older data folder) and a zstd part: each chunk keeps its codec, DuckDB and chdb read every row', async () => {
    await loadZstd();
    const a = logLikeColumns(1800, 21);
    const b = logLikeColumns(1300, 22).filter((c) => c.name !== 'ok');
    b.push({ name: 'extra', kind: 'string', values: Array.from({ length: 1300 }, (_, i) => `y${i % 5}`) });
    await withTempDir((dir) =>
      withDuckDB(async (connection) => {
        const brotli = join(dir, 'old.parquet');
        const zstd = join(dir, 'new.parquet');
        const merged = join(dir, 'merged.parquet');
        writeColumnFile(brotli, 1800, a, BROTLI_PART_OPTIONS);
        writeColumnFile(zstd, 1300, b, LOG_PART_OPTIONS);
        // the merge writes the columns an input lacks (`extra` in the old part, `ok` in the new) in the log parts' codec
        assert.equal(concatenateParquet([brotli, zstd], merged, LOG_PART_OPTIONS.codec), true);
        const expected = [...(await readParquetRows(connection, brotli)), ...(await readParquetRows(connection, zstd))];
        const got = await queryRows(connection, `SELECT * EXCLUDE (file_row_number) FROM read_parquet(${sqlString(merged)}, file_row_number = true) ORDER BY file_row_number`);
        assert.deepEqual(got, expected.map((row) => Object.fromEntries(Object.keys(got[0]!).map((k) => [k, row[k] ?? null]))));
        const codecs = await queryRows(
          connection,
          `SELECT row_group_id::INT AS g, path_in_schema AS c, compression AS codec FROM parquet_metadata(${sqlString(merged)}) ORDER BY g, c`,
        );
        const codecOf = (g: number, c: string): unknown => codecs.find((m) => m['g'] === g && m['c'] === c)?.['codec'];
        // row groups 0 and 1 from the old part, 2 and 3 from the new one
        assert.equal(codecOf(0, 'msg'), 'BROTLI');
        assert.equal(codecOf(0, 'extra'), 'ZSTD');
        assert.equal(codecOf(2, 'msg'), 'ZSTD');
        assert.equal(codecOf(2, 'ok'), 'ZSTD');
        const fromClickHouse = query(`SELECT msg, extra FROM file('${merged}', Parquet) SETTINGS input_format_parquet_preserve_order = 1`, 'JSONEachRow')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        assert.deepEqual(fromClickHouse, expected.map((row) => ({ msg: row['msg'] ?? null, extra: row['extra'] ?? null })));
      }),
    );
  });
});

describe('encoding trials carried across row groups', () => {
  it(`tries PLAIN against DELTA_BINARY_PACKED every ${GROUPS_PER_ENCODING_TRIAL} row groups and reuses the winner in between`, async () => {
    await loadZstd();
    const groupRows = 200;
    const groups = 2 * GROUPS_PER_ENCODING_TRIAL + 2;
    const rows = groups * groupRows;
    const r = seededRandom(9);
    // the first row group random (PLAIN wins its trial), every later one a counter (delta wins a trial)
    const values = BigInt64Array.from({ length: rows }, (_, i) => (i < groupRows ? BigInt(Math.floor(r() * 2 ** 52)) * 2047n : BigInt(i)));
    const columns: ParquetColumn[] = [{ name: 'v', kind: 'int64', values }];
    await withTempDir((dir) =>
      withDuckDB(async (connection) => {
        const path = join(dir, 'trials.parquet');
        writeColumnFile(path, rows, columns, { ...LOG_PART_OPTIONS, rowGroupRows: groupRows });
        assert.deepEqual(await readParquetRows(connection, path), expectedRows(rows, columns));
        const meta = await queryRows(connection, `SELECT row_group_id::INT AS g, encodings AS e FROM parquet_metadata(${sqlString(path)}) ORDER BY g`);
        const delta = meta.map((m) => String(m['e']).includes('DELTA_BINARY_PACKED'));
        // PLAIN kept until the next trial, then the counter's delta coding
        const expected = Array.from({ length: groups }, (_, g) => g >= GROUPS_PER_ENCODING_TRIAL);
        assert.deepEqual(delta, expected);
      }),
    );
  });
});

describe('definition levels in a zstd frame of their own', () => {
  it('writes a page of a sparse column as two frames, levels then values, that DuckDB and chdb read', async () => {
    await loadZstd();
    const rows = 5000;
    const r = seededRandom(11);
    // 5 % of rows hold a value: the levels are neither one run nor worth a run header per null stretch
    const sparse = {
      name: 'sparse',
      kind: 'int64',
      values: BigInt64Array.from({ length: rows }, () => BigInt(Math.floor(r() * 1e15))),
      nulls: Uint8Array.from({ length: rows }, () => (r() < 0.05 ? 0 : 1)),
    } satisfies ParquetColumn;
    const full = { name: 'full', kind: 'int64', values: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i * 7)), nulls: new Uint8Array(rows) } satisfies ParquetColumn;
    await withTempDir((dir) =>
      withDuckDB(async (connection) => {
        const frames = async (column: typeof sparse): Promise<number> => {
          const path = join(dir, `${column.name}.parquet`);
          writeColumnFile(path, rows, [column], { ...LOG_PART_OPTIONS, rowGroupRows: rows });
          assert.deepEqual(await readParquetRows(connection, path), expectedRows(rows, [column]));
          const fromClickHouse = query(`SELECT toString(${column.name}) AS v FROM file('${path}', Parquet) SETTINGS input_format_parquet_preserve_order = 1`, 'JSONEachRow')
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => (JSON.parse(l) as { v: string | null }).v);
          assert.deepEqual(fromClickHouse, Array.from(column.values, (v, i) => (column.nulls[i] ? null : String(v))));
          // zstd frames start with the magic number 0xFD2FB528 (little-endian)
          const bytes = await readFile(path);
          let count = 0;
          for (let at = bytes.indexOf(ZSTD_MAGIC); at >= 0; at = bytes.indexOf(ZSTD_MAGIC, at + 1)) count++;
          return count;
        };
        assert.equal(await frames(sparse), 2, 'levels, then values');
        assert.equal(await frames(full), 1, 'levels of one run stay in the values frame');
      }),
    );
  });
});

describe('strings as DELTA_LENGTH_BYTE_ARRAY', () => {
  it('writes pages of ids of one length without their length prefixes where smaller, which DuckDB and chdb read', async () => {
    await loadZstd();
    const rows = 5000;
    const r = seededRandom(23);
    const hex = (): string => Math.floor(r() * 2 ** 32).toString(16).padStart(8, '0');
    let id = '';
    const ids = Array.from({ length: rows }, (_, i) => {
      if (i % 13 === 4) return undefined;
      if (id === '' || r() < 0.6) id = hex() + hex();
      return i % 101 === 7 ? `${id}-é😀` : id;
    });
    const columns: ParquetColumn[] = [
      { name: 'req_id', kind: 'string', values: ids },
      stringEntriesColumn('span', Array.from({ length: rows }, () => hex())),
    ];
    await withTempDir((dir) =>
      withDuckDB(async (connection) => {
        const path = join(dir, 'ids.parquet');
        writeColumnFile(path, rows, columns, LOG_PART_OPTIONS);
        const footer = readParquetFooter(path);
        for (const name of ['req_id', 'span']) {
          const leaf = footer.leaves.findIndex((l) => l.name === name);
          assert.ok(footer.rowGroups.some((g) => g.columns[leaf]!.encodings.includes(Encoding.DELTA_LENGTH_BYTE_ARRAY)), name);
        }
        assert.deepEqual(await readParquetRows(connection, path), expectedRows(rows, columns));
        const out = query(`SELECT req_id, span FROM file('${path}', Parquet) SETTINGS input_format_parquet_preserve_order = 1`, 'JSONEachRow')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        assert.deepEqual(out, expectedRows(rows, columns));
      }),
    );
  });
});

describe('dictionary indices in whole bytes', () => {
  it('reads back indices of few and of many entries in no order, skewed, with DuckDB and chdb', async () => {
    await loadZstd();
    const rows = 6000;
    const r = seededRandom(13);
    // skewed choices in no order (a message's template, a host): whole-byte indices compress by their frequency
    const skewed = (entries: number): string[] => Array.from({ length: rows }, () => `v-${Math.floor(entries * r() ** 3)}`);
    const few = skewed(20);
    const many = skewed(1500);
    const columns: ParquetColumn[] = [
      { name: 'few', kind: 'string', values: few },
      { name: 'many', kind: 'string', values: many },
    ];
    await withTempDir((dir) =>
      withDuckDB(async (connection) => {
        const path = join(dir, 'indices.parquet');
        writeColumnFile(path, rows, columns, { ...LOG_PART_OPTIONS, rowGroupRows: 3000 });
        assert.deepEqual(await readParquetRows(connection, path), expectedRows(rows, columns));
        const fromClickHouse = query(`SELECT few, many FROM file('${path}', Parquet) SETTINGS input_format_parquet_preserve_order = 1`, 'JSONEachRow')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as { few: string; many: string });
        assert.deepEqual(fromClickHouse, few.map((f, i) => ({ few: f, many: many[i] })));
      }),
    );
  });
});

describe('dictionary index forms carried across pages', () => {
  const pageRows = 512;
  const entries = 20; // 5-bit indices: pages of pageRows at PAGE_BYTES below
  const pageBytes = (pageRows * 5) / 8;
  const r = seededRandom(17);
  // skewed values in no order (whole bytes win), then values in runs of four (runs only win), one more skewed page
  const skewedPage = (): number[] => Array.from({ length: pageRows }, () => Math.floor(entries * r() ** 3));
  const runsPage = (): number[] => Array.from({ length: pageRows / 4 }, () => Math.floor(r() * entries)).flatMap((v) => [v, v, v, v]);
  const pages = [skewedPage(), ...Array.from({ length: 2 * PAGES_PER_INDEX_TRIAL - 1 }, runsPage), skewedPage()];
  const values = pages.flat().map((v) => `value-${v}`);
  const column: ParquetColumn = { name: 'v', kind: 'string', values };
  const options = { tryDictionary: true, pageBytes, codec: { codec: 'zstd', level: 1 }, tryPlainStrings: true } as const;
  // the values' bytes tell the form: width byte, then 2-byte header and a byte an index, or per run a header and value byte
  const wholeBytes = 3 + pageRows;
  const asRuns = (page: readonly number[]): number => 1 + 2 * page.filter((v, i) => i === 0 || v !== page[i - 1]).length;

  it(`tries the forms on every ${PAGES_PER_INDEX_TRIAL}th page and writes the last winner in between, unless it does not fit`, async () => {
    await loadZstd();
    const prepared = prepareColumn(column, values.length, true);
    const valuesBytes = (choice: EncodingChoice | undefined): number[] => encodeColumnChunk(prepared, 0, values.length, options, choice).pages.map((p) => p.valuesBytes);
    // every page a trial of its own: whole bytes, runs, …, whole bytes
    assert.deepEqual(valuesBytes(undefined), pages.map((page, p) => (p === 0 || p === pages.length - 1 ? wholeBytes : asRuns(page))));
    // carried: the first page's whole bytes until the next trial; the last page has too many runs for runs only, so it is tried
    const carried = pages.map((page, p) => (p < PAGES_PER_INDEX_TRIAL || p === pages.length - 1 ? wholeBytes : asRuns(page)));
    assert.deepEqual(valuesBytes(new EncodingChoice()), carried);
  });

  it('DuckDB and chdb read every value of pages written in carried forms, across row groups', async () => {
    await loadZstd();
    await withTempDir((dir) =>
      withDuckDB(async (connection) => {
        const path = join(dir, 'forms.parquet');
        writeColumnFile(path, values.length, [column], { ...LOG_PART_OPTIONS, pageBytes, rowGroupRows: 3 * pageRows });
        assert.deepEqual(await readParquetRows(connection, path), expectedRows(values.length, [column]));
        const fromClickHouse = query(`SELECT v FROM file('${path}', Parquet) SETTINGS input_format_parquet_preserve_order = 1`, 'JSONEachRow')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => (JSON.parse(l) as { v: string }).v);
        assert.deepEqual(fromClickHouse, values);
      }),
    );
  });
});

describe('zstd (WebAssembly)', () => {
  it('round-trips pages of every size through one reused context, at several levels', async () => {
    await loadZstd();
    const r = seededRandom(5);
    for (const size of [0, 1, 100, 65_536, 3 << 20]) {
      // half repetitive text, half random bytes, so both match finding and literals are exercised
      const body = Uint8Array.from({ length: size }, (_, i) => (i % 2 === 0 ? 97 + (i % 7) : Math.floor(r() * 256)));
      for (const level of [1, 3, 9]) {
        const frame = zstdCompress(body, level);
        assert.deepEqual(zstdDecompressPage(frame, body.length), body, `size ${size} level ${level}`);
      }
    }
    const text = new TextEncoder().encode('GET /api/cart 200\n'.repeat(5000));
    assert.ok(zstdCompress(text, 3).length < text.length / 50, 'repetitive text compresses');
  });
});
