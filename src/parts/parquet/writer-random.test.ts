import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ParquetColumn, ParquetColumnKind } from './columns.js';
import { expectedRows, queryRows, readParquetRows, seededRandom, sqlString, stringEntriesColumn, withDuckDB, withTempDir } from './testing.js';
import { type ParquetWriteOptions, writeParquetFile } from './writer.js';

type Random = () => number;

const KINDS: readonly ParquetColumnKind[] = ['int64', 'int32', 'double', 'boolean', 'string', 'fixed16', 'fixed8', 'string-entries'];
const NULL_RATES = [0, 0, 0.05, 0.4, 0.9, 1];
const ROW_COUNTS = [0, 1, 2, 9, 100, 1000, 5000];
const SPECIAL_DOUBLES = [0, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, 1e-300];
const ALPHABET = ['a', 'z', ' ', '.', ':', 'é', 'ß', '日', '😀', '\u0000', '\uFFFD', '"', "'"];

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function randomString(random: Random, maxLength: number): string {
  let s = '';
  const length = Math.floor(random() * (maxLength + 1));
  for (let i = 0; i < length; i++) s += pick(random, ALPHABET);
  return s;
}

function randomInt64(random: Random): bigint {
  if (random() < 0.1) return pick(random, [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n]);
  const hi = BigInt(Math.floor(random() * 2 ** 32));
  const lo = BigInt(Math.floor(random() * 2 ** 32));
  return BigInt.asIntN(64, (hi << 32n) | lo);
}

function randomDouble(random: Random): number {
  if (random() < 0.2) return pick(random, SPECIAL_DOUBLES);
  return (random() - 0.5) * 10 ** Math.floor(random() * 20 - 10);
}

function randomColumn(random: Random, name: string, kind: ParquetColumnKind, rowCount: number): ParquetColumn {
  const nullRate = pick(random, NULL_RATES);
  const nulls = Uint8Array.from({ length: rowCount }, () => (random() < nullRate ? 1 : 0));
  const maybeNulls = nullRate === 0 && random() < 0.5 ? {} : { nulls };
  switch (kind) {
    case 'int64':
      return { name, kind, values: BigInt64Array.from({ length: rowCount }, () => randomInt64(random)), ...maybeNulls };
    case 'int32': {
      const ints = Int32Array.from({ length: rowCount }, () => Math.floor(random() * 2 ** 32) - 2 ** 31);
      const values = random() < 0.3 ? Uint8Array.from(ints, (v) => v & 0xff) : ints;
      return { name, kind, values, ...maybeNulls };
    }
    case 'double':
      return { name, kind, values: Float64Array.from({ length: rowCount }, () => randomDouble(random)), ...maybeNulls };
    case 'boolean':
      return { name, kind, values: Uint8Array.from({ length: rowCount }, () => (random() < 0.5 ? 1 : 0)), ...maybeNulls };
    case 'string':
    case 'string-entries': {
      // a small pool exercises the dictionary path, fresh strings the PLAIN one
      const pool = Array.from({ length: 1 + Math.floor(random() * 20) }, () => randomString(random, 12));
      const fresh = random() < 0.5;
      // unique fresh values: a string-entries column then uses one entry per row (its PLAIN path)
      const values = Array.from({ length: rowCount }, (_, i) => (nulls[i] ? undefined : fresh ? `${i}:${randomString(random, 80)}` : pick(random, pool)));
      return kind === 'string' ? { name, kind, values } : stringEntriesColumn(name, values);
    }
    case 'fixed16':
    case 'fixed8': {
      const width = kind === 'fixed16' ? 16 : 8;
      return { name, kind, values: Uint8Array.from({ length: rowCount * width }, () => Math.floor(random() * 256)), ...maybeNulls };
    }
  }
}

function randomTable(random: Random): { rowCount: number; columns: ParquetColumn[]; options: ParquetWriteOptions } {
  const rowCount = pick(random, ROW_COUNTS);
  const columnCount = 1 + Math.floor(random() * 12);
  const columns = Array.from({ length: columnCount }, (_, c) => {
    const kind = pick(random, KINDS);
    return randomColumn(random, `${pick(random, ['span', 'resource', 'scope'])}.c${c}.${kind}${random() < 0.3 ? '::int' : ''}`, kind, rowCount);
  });
  const options: ParquetWriteOptions = { dictionary: random() < 0.8 ? 'auto' : 'never' };
  if (random() < 0.5) options.rowGroupRows = 1 + Math.floor(random() * Math.max(1, rowCount));
  if (random() < 0.3) options.pageBytes = 64 + Math.floor(random() * 4096);
  return { rowCount, columns, options };
}

describe('random tables', () => {
  it('reads back exactly what was written for seeded random kinds, null rates, sizes and options', async () => {
    const random = seededRandom(20240611);
    const seen = new Set<string>();
    await withTempDir((dir) =>
      withDuckDB(async (connection) => {
        for (let table = 0; table < 40; table++) {
          const { rowCount, columns, options } = randomTable(random);
          const path = join(dir, `random-${table}.parquet`);
          await writeParquetFile(path, rowCount, columns, options);
          const rows = await readParquetRows(connection, path);
          assert.deepEqual(rows, expectedRows(rowCount, columns), `table ${table}: ${rowCount} rows, options ${JSON.stringify(options)}`);
          const chunks = await queryRows(connection, `select row_group_id, type, encodings from parquet_metadata(${sqlString(path)})`);
          for (const chunk of chunks) {
            if (chunk['type'] === 'BYTE_ARRAY') seen.add(String(chunk['encodings']).includes('RLE_DICTIONARY') ? 'dictionary' : 'plain');
            if (chunk['row_group_id'] !== 0n) seen.add('several row groups');
          }
        }
      }),
    );
    // the generator must reach every path it is meant to test
    assert.deepEqual([...seen].sort(), ['dictionary', 'plain', 'several row groups']);
  });
});
