import assert from 'node:assert/strict';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readFully, readParquetFooter } from './footer.js';
import { chunkStartOffset, encodeFileMetaData, Encoding } from './metadata.js';
import { shiftInt64Chunk } from './shift-int64.js';
import { queryRows, seededRandom, sqlString, withDuckDB, withTempDir } from './testing.js';
import { type ColumnFileOptions, CREATED_BY, ParquetColumnFileWriter } from './writer.js';
import { loadZstd } from './zstd.js';

const MAGIC = Uint8Array.of(0x50, 0x41, 0x52, 0x31);

/**
 * `distinct` values, some rows null: wide ones' low halves often near 2^32
 * (a carry into the high half), their high halves negative and positive;
 * small ones below 2^31 (an int dictionary takes those).
 */
function values(rows: number, seed: number, distinct: number, wide: boolean): { values: BigInt64Array; nulls: Uint8Array } {
  const r = seededRandom(seed);
  const pool = Array.from({ length: distinct }, () => {
    if (!wide) return BigInt(Math.floor(r() * 2 ** 31));
    const high = BigInt(Math.floor(r() * 2 ** 30)) - 2n ** 29n;
    const low = r() < 0.5 ? 0xffff_ff00n + BigInt(Math.floor(r() * 256)) : BigInt(Math.floor(r() * 2 ** 32));
    return (high << 32n) | low;
  });
  return { values: BigInt64Array.from({ length: rows }, () => pool[Math.floor(r() * distinct)]!), nulls: Uint8Array.from({ length: rows }, () => (r() < 0.1 ? 1 : 0)) };
}

/** A file of one column `n`, every chunk of `from`'s moved by `offset` (row groups and the other footer fields kept). */
function writeShifted(from: string, to: string, offset: bigint, codec: ColumnFileOptions['codec']): void {
  const footer = readParquetFooter(from);
  const input = openSync(from, 'r');
  const out = openSync(to, 'w');
  let at = 0;
  const put = (bytes: Uint8Array): void => {
    writeSync(out, bytes);
    at += bytes.length;
  };
  try {
    put(MAGIC);
    const rowGroups = footer.rowGroups.map((g, ordinal) => {
      const chunk = g.columns[0]!;
      const bytes = new Uint8Array(chunk.totalBytes);
      readFully(input, bytes, chunkStartOffset(chunk));
      const shifted = shiftInt64Chunk(bytes, chunk, offset, codec);
      const start = at;
      for (const part of shifted.parts) put(part);
      const meta = { ...shifted.meta, dataPageOffset: start + shifted.meta.dataPageOffset };
      if (shifted.meta.dictionaryPageOffset !== undefined) meta.dictionaryPageOffset = start + shifted.meta.dictionaryPageOffset;
      return { columns: [meta], numRows: g.numRows, fileOffset: start, totalBytes: at - start, ordinal };
    });
    const meta = encodeFileMetaData({ leaves: footer.leaves, numRows: footer.numRows, rowGroups, keyValueMetadata: [], createdBy: CREATED_BY });
    put(meta);
    const tail = new Uint8Array(8);
    new DataView(tail.buffer).setUint32(0, meta.length, true);
    tail.set(MAGIC, 4);
    put(tail);
  } finally {
    closeSync(input);
    closeSync(out);
  }
}

describe('shiftInt64Chunk', () => {
  const zstd = { codec: 'zstd', level: 1 } as const;
  for (const [name, options, distinct, wide, encoding] of [
    ['PLAIN, uncompressed', { rowGroupRows: 500, allOptional: true }, 1000, true, Encoding.PLAIN],
    ['DELTA_BINARY_PACKED in small zstd pages', { rowGroupRows: 500, allOptional: true, codec: zstd, tryDeltaInt64: true, pageBytes: 256 }, 3, true, Encoding.DELTA_BINARY_PACKED],
    ['a dictionary, zstd', { rowGroupRows: 500, allOptional: true, codec: zstd }, 12, false, Encoding.RLE_DICTIONARY],
  ] as const) {
    for (const offset of [1n, 0xffff_ffffn, -0x1_0000_0005n, 0x3_1234_5678_9abcn]) {
      it(`adds ${offset} to every value of a chunk written ${name}, nulls and bounds kept right`, async () => {
        await loadZstd();
        await withTempDir((dir) =>
          withDuckDB(async (connection) => {
            const rows = 1700;
            const column = values(rows, Number(offset % 1000n) + distinct, distinct, wide);
            const path = join(dir, 'in.parquet');
            const writer = new ParquetColumnFileWriter(path, rows, options);
            writer.add({ name: 'n', kind: 'int64', ...column });
            writer.finish();
            assert.ok(readParquetFooter(path).rowGroups.every((g) => g.columns[0]!.encodings.includes(encoding)), 'the writer chose the encoding this case is about');
            for (const codec of [zstd, undefined]) {
              const shifted = join(dir, 'out.parquet');
              writeShifted(path, shifted, offset, codec);
              const got = await queryRows(connection, `SELECT n FROM read_parquet(${sqlString(shifted)}, file_row_number = true) ORDER BY file_row_number`);
              assert.deepEqual(
                got.map((r) => r['n']),
                Array.from(column.values, (v, i) => (column.nulls[i] ? null : v + offset)),
              );
              const stats = await queryRows(connection, `SELECT stats_min_value AS stats_min, stats_max_value AS stats_max, stats_null_count FROM parquet_metadata(${sqlString(shifted)}) ORDER BY row_group_id`);
              const footer = readParquetFooter(shifted);
              let first = 0;
              for (const [g, group] of footer.rowGroups.entries()) {
                const present = Array.from(column.values.subarray(first, first + group.numRows), (v) => v + offset).filter((_, i) => !column.nulls[first + i]);
                assert.equal(stats[g]!['stats_min'], String(present.reduce((a, b) => (b < a ? b : a))));
                assert.equal(stats[g]!['stats_max'], String(present.reduce((a, b) => (b > a ? b : a))));
                assert.equal(Number(stats[g]!['stats_null_count']), group.numRows - present.length);
                first += group.numRows;
              }
            }
          }),
        );
      });
    }
  }
});
